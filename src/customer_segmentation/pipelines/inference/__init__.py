"""Scores new customers with the saved segmentation model, reusing the training nodes."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
