"""HTTP service that assigns segments with the saved model and the pipelines' own code."""

from __future__ import annotations

import importlib
from typing import Any

__all__ = ["ScoringService", "create_app", "load_scoring_service"]

# Loaded on first use, so that the command line's parent process of several
# server processes (``--processes``) does not import the pipelines and engines.
_HOMES = {
    "ScoringService": ".service",
    "create_app": ".app",
    "load_scoring_service": ".service",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(_HOMES[name], __name__), name)
