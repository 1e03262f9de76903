"""Typed parameters of batch and real-time scoring (parameters_inference.yml) and feature domains."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from customer_segmentation.pipelines.data_processing.settings import (
    CustomerCleaningRules,
)

MEBIBYTE = 1024 * 1024


class ApiSettings(BaseModel):
    """Limits and defaults of the HTTP API.

    Attributes:
        max_customers: Customers per request in feature mode (and attribute rows).
        max_transactions: Transaction lines per request.
        max_body_bytes: Largest request body; a larger one gets 413 before it is
            read or parsed.
        reference_date: Date recency and tenure are measured at when a request
            does not give one; ``None`` = the moment the request arrives (server
            clock, UTC).
        workers: Threads that parse and score requests, each with its own
            in-process engine connection; the event loop never scores.
    """

    model_config = ConfigDict(extra="forbid")

    max_customers: int = Field(default=10_000, ge=1)
    max_transactions: int = Field(default=200_000, ge=1)
    max_body_bytes: int = Field(default=48 * MEBIBYTE, ge=1024)
    reference_date: dt.datetime | None = None
    workers: int = Field(default=2, ge=1)


class ScoringSettings(BaseModel):
    """Which customers have enough history to be scored, and how many at a time.

    Attributes:
        min_invoices: Customers with fewer distinct clean invoices get the status
            ``insufficient_history`` and no segment. 1 scores everyone with a clean
            purchase, as the training did.
        batch_customers: Customers the model assigns at a time. The model's
            working arrays (distances and probabilities per segment) and the
            per-customer Python values of one batch are what scoring adds to the
            memory of the input and the result; the segments do not depend on it.
    """

    model_config = ConfigDict(extra="forbid")

    min_invoices: int = Field(default=1, ge=1)
    batch_customers: int = Field(default=100_000, ge=1)


class FeatureDomain(BaseModel):
    """Values a numeric feature can take; anything else is refused, never scored.

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


def feature_domains(
    names: list[str], customer_cleaning_rules: CustomerCleaningRules
) -> dict[str, FeatureDomain]:
    """The domain of each numeric model feature.

    Args:
        names: Numeric feature columns of the model.
        customer_cleaning_rules: The training's attribute rules; their bounds and
            ``max_abs_value`` are the domain of attribute features.

    Returns:
        Feature -> domain. Every value must also be finite; a feature with no
        declared domain (a derived one) only has to be finite and within
        ``max_abs_value``.
    """
    limit = customer_cleaning_rules.max_abs_value
    domains = {}
    for name in names:
        domain = TRANSACTION_FEATURE_DOMAINS.get(name)
        if domain is None:
            bounds = customer_cleaning_rules.bounds.get(name)
            low = bounds.min if bounds and bounds.min is not None else None
            high = bounds.max if bounds and bounds.max is not None else None
            domain = FeatureDomain(
                minimum=low if low is not None else (-limit if limit else None),
                maximum=high if high is not None else limit,
            )
        domains[name] = domain
    return domains
