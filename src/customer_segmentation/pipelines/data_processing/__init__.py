"""Validates raw transactions and attributes, standardises them and cleans them with row accounting."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
