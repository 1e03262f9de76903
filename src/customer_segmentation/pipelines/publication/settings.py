"""Typed parameters of the publication pipeline."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class PublicationSettings(BaseModel):
    """Where the bundle is published.

    Attributes:
        environment: Kedro environment of the run, recorded in the bundle's
            fingerprint; set from ``globals.yml`` (``${globals:environment}``).
    """

    model_config = ConfigDict(extra="forbid")

    environment: str = Field(min_length=1)
