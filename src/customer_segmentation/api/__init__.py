"""HTTP service that assigns segments with the saved model and the pipelines' own code."""

from .app import create_app
from .service import ScoringService, load_scoring_service

__all__ = ["ScoringService", "create_app", "load_scoring_service"]
