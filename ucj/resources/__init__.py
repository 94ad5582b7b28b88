"""Resources shipped with ucj (stylesheets, the district registry snapshot)."""
