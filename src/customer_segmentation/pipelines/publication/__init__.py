"""Assembles the model bundle a training run publishes as its last step."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
