"""Fits the segmentation model (preprocessing + clusterer) and assigns segments."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
