"""The project's folder in the user's cache: what can be made again, kept between runs."""

from __future__ import annotations

import os
from pathlib import Path


def user_cache_dir() -> Path:
    """Gives the project's cache folder of this user (not the project's files).

    Returns:
        ``$XDG_CACHE_HOME/customer-segmentation`` (``~/.cache`` when
        ``XDG_CACHE_HOME`` is not set).
    """
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "customer-segmentation"
