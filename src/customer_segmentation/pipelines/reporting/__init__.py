"""Profiles the segments and draws the plots."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
