"""Turns clean transactions and attributes into one feature row per customer."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
