"""Resources shipped with ucj (stylesheet)."""
