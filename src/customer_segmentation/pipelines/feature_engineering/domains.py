"""Declared domains of the customer features: the values a feature can take, published in the bundle's feature spec."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from customer_segmentation.pipelines.data_processing.settings import (
    CustomerCleaningRules,
)


class FeatureDomain(BaseModel):
    """Values a numeric feature can take; anything else is refused, never scored.

    Every value must also be finite.

    Attributes:
        minimum: Smallest value (inclusive); ``None`` = open.
        maximum: Largest value (inclusive); ``None`` = open.
        integer: The feature is a count (whole numbers only).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    minimum: float | None = None
    maximum: float | None = None
    integer: bool = False


# Domains of the transaction features of compute_customer_features: counts of
# days, invoices and products are whole and non-negative; money and rates are
# non-negative (clean lines have positive quantity and price).
TRANSACTION_FEATURE_DOMAINS = {
    "recency_days": FeatureDomain(minimum=0, integer=True),
    "frequency": FeatureDomain(minimum=0, integer=True),
    "monetary": FeatureDomain(minimum=0),
    "average_order_value": FeatureDomain(minimum=0),
    "tenure_days": FeatureDomain(minimum=0, integer=True),
    "mean_days_between_purchases": FeatureDomain(minimum=0),
    "distinct_products": FeatureDomain(minimum=0, integer=True),
    "return_rate": FeatureDomain(minimum=0, maximum=1),
}


def feature_domain(
    name: str, customer_cleaning_rules: CustomerCleaningRules, *, logged: bool = False
) -> FeatureDomain:
    """The domain of one numeric feature.

    Args:
        name: Feature column.
        customer_cleaning_rules: The training's attribute rules; their bounds and
            ``max_abs_value`` are the domain of attribute features.
        logged: The model passes the feature through ``log1p``, which has no
            value below 0: the domain starts at 0 at most.

    Returns:
        The declared domain of a transaction feature; for any other feature (an
        attribute or a derived one) the attribute bounds of that column, else
        ``max_abs_value`` either side; with ``logged``, a minimum of at least 0.
    """
    domain = TRANSACTION_FEATURE_DOMAINS.get(name)
    if domain is None:
        limit = customer_cleaning_rules.max_abs_value
        bounds = customer_cleaning_rules.bounds.get(name)
        if bounds is not None and bounds.dates:
            bounds = None  # a date attribute's: no numeric feature's domain
        low = bounds.min if bounds and bounds.min is not None else None
        high = bounds.max if bounds and bounds.max is not None else None
        domain = FeatureDomain(
            minimum=low if low is not None else (-limit if limit else None),
            maximum=high if high is not None else limit,
        )
    if logged and (domain.minimum is None or domain.minimum < 0):
        domain = domain.model_copy(update={"minimum": 0})
    return domain
