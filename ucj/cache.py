"""Where ucj keeps small caches (validated-file markers, the district list): UCJ_CACHE_DIR, else
$XDG_CACHE_HOME/ucj, else ~/.cache/ucj. Deleting it only costs time."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    if os.environ.get("UCJ_CACHE_DIR"):
        return Path(os.environ["UCJ_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "ucj"
