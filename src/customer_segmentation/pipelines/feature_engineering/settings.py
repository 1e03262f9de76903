"""Typed parameters of the feature engineering pipeline: reference date, derived features, model-input checks."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field, model_validator


class FeatureSettings(BaseModel):
    """Settings of the per-customer features.

    Attributes:
        reference_date: Date the recency and tenure are measured at (ISO text);
            ``None`` uses one day after the last clean transaction.
    """

    model_config = ConfigDict(extra="forbid")

    reference_date: dt.datetime | None = None


class ModelInputChecks(BaseModel):
    """Checks on the model input before a model is fitted.

    Scoring a handful of new customers needs none of them, so each can be
    switched off (e.g. in the inference namespace).

    Attributes:
        min_customers: Fewest customers accepted.
        reject_constant_features: Refuse a feature with one value only.
        reject_all_missing_features: Refuse a feature missing for every customer.
    """

    model_config = ConfigDict(extra="forbid")

    min_customers: int = Field(default=2, ge=1)
    reject_constant_features: bool = True
    reject_all_missing_features: bool = True


class DerivedFeature(BaseModel):
    """One derived column: exactly one of the operations.

    Attributes:
        sum: Columns added up (a missing value counts as missing: the sum is null).
        difference: ``[a, b]``: ``a - b``.
        ratio: ``[a, b]``: ``a / b``; null where ``b`` is 0.
        years_since: A date column (whole years to the reference date, as an
            age) or a year column (reference year minus the year).
    """

    model_config = ConfigDict(extra="forbid")

    sum: list[str] | None = Field(default=None, min_length=2)
    difference: list[str] | None = Field(default=None, min_length=2, max_length=2)
    ratio: list[str] | None = Field(default=None, min_length=2, max_length=2)
    years_since: str | None = None

    @model_validator(mode="after")
    def _one_operation(self) -> DerivedFeature:
        operations = list(type(self).model_fields)
        given = [name for name in operations if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                f"derived feature: give exactly one of {operations}, got {given}"
            )
        return self

    def columns(self) -> list[str]:
        """The columns the feature is computed from."""
        if self.years_since is not None:
            return [self.years_since]
        return list(self.sum or self.difference or self.ratio or [])


class DerivedFeatures(BaseModel):
    """Derived columns added to ``customer_features``, computed in declaration order.

    Attributes:
        columns: Name of the new column -> how it is computed. A feature may use
            the features declared before it.
    """

    model_config = ConfigDict(extra="forbid")

    columns: dict[str, DerivedFeature] = Field(default_factory=dict)
