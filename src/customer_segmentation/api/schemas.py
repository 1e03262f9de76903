"""Request and response bodies of the HTTP API, as pydantic models.

The customer feature model is built from the loaded model's feature schema, so the
OpenAPI document lists the exact feature fields the model needs.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    create_model,
    field_validator,
    model_validator,
)

from customer_segmentation.bundle import TrainingFingerprint
from customer_segmentation.pipelines.inference.nodes import STATUSES

# Bounds keep every intermediate (revenue, log1p, distances) finite.
LARGEST_NUMBER = 1e12
EARLIEST_DATE = dt.datetime(1900, 1, 1)
LATEST_DATE = dt.datetime(2200, 1, 1)

Identifier = Annotated[str, Field(min_length=1, max_length=128)]
BoundedNumber = Annotated[
    float, Field(ge=-LARGEST_NUMBER, le=LARGEST_NUMBER, allow_inf_nan=False)
]
Status = Literal[STATUSES]  # type: ignore[valid-type]


def _naive_utc(value: dt.datetime | None, field_name: str) -> dt.datetime | None:
    if value is None:
        return None
    if value.tzinfo is not None:
        try:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        except OverflowError as error:
            raise ValueError(f"{field_name}={value} is out of range") from error
    if not EARLIEST_DATE <= value < LATEST_DATE:
        raise ValueError(
            f"{field_name}={value.isoformat()} should be between "
            f"{EARLIEST_DATE.date()} and {LATEST_DATE.date()}"
        )
    return value


def _naive_utc_date(value: dt.datetime | None) -> dt.datetime | None:
    return _naive_utc(value, "date")


BoundedDate = Annotated[dt.datetime, AfterValidator(_naive_utc_date)]


class TransactionLine(BaseModel):
    """One raw transaction line, with the project's canonical column names."""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True
    )

    customer_id: Identifier
    invoice_id: Identifier = Field(
        description="Invoice number; ids starting with the cancellation prefix "
        "(default 'C') are cancellations."
    )
    invoice_date: dt.datetime = Field(
        description="Date and time of the invoice; time zones are converted to UTC."
    )
    product_id: Identifier
    quantity: BoundedNumber = Field(description="Units; <= 0 marks a return.")
    unit_price: BoundedNumber
    country: Annotated[str, Field(max_length=128)] | None = None

    @field_validator("invoice_date")
    @classmethod
    def _check_invoice_date(cls, value: dt.datetime) -> dt.datetime:
        return _naive_utc(value, "invoice_date")


class FeatureSpec(BaseModel):
    """One input column of the model."""

    name: str
    kind: Literal["numeric", "categorical"]


class SegmentName(BaseModel):
    """Business name and action of one segment (null when not named)."""

    segment_id: int
    segment_name: str | None
    recommended_action: str | None


class ScoredCustomer(BaseModel):
    """The segment of one customer; same fields as ``scored_customers.parquet``."""

    customer_id: str
    segment_id: int | None = Field(description="Null unless status is 'scored'.")
    segment_name: str | None
    recommended_action: str | None
    distance_to_centre: float | None = Field(
        description="Distance to the segment centre in the model's scaled space."
    )
    probability: float | None = Field(
        description="Probability of the segment; null unless the model has "
        "predict_proba."
    )
    expected_purchases: float | None = Field(
        default=None,
        description="Expected purchases over the value horizon (BG/NBD); null "
        "when scoring from features or without a fitted value model.",
    )
    probability_alive: float | None = Field(
        default=None, description="Probability the customer is still active."
    )
    expected_spend: float | None = Field(
        default=None, description="Expected spend per purchase (Gamma-Gamma)."
    )
    clv: float | None = Field(
        default=None,
        description="Discounted customer lifetime value over the value horizon.",
    )
    model_version: str
    status: Status


class SegmentsResponse(BaseModel):
    """Segments of the customers of one request."""

    model_version: str
    segments: list[ScoredCustomer]


class ModelInfo(BaseModel):
    """What the served model bundle is, where it comes from and what it expects."""

    model_version: str = Field(description="Version of the served model bundle.")
    environment: str = Field(description="Kedro environment the bundle was trained in.")
    fingerprint: TrainingFingerprint
    algorithm: str | None = Field(description="Null when the model does not say.")
    n_segments: int
    features: list[FeatureSpec]
    segment_names: list[SegmentName]
    max_customers: int
    max_transactions: int


class ErrorMessage(BaseModel):
    """Why a request was refused, when it could not even be parsed."""

    detail: str


class Health(BaseModel):
    """Liveness answer."""

    status: Literal["ok"]


def build_customer_attributes(
    numeric: list[str], categorical: list[str], dates: list[str]
) -> type[BaseModel]:
    """Builds the body model of one customer's attributes (transaction mode).

    Args:
        numeric: Numeric attribute columns of the training ``customers_schema``.
        categorical: Categorical attribute columns.
        dates: Date attribute columns.

    Returns:
        A pydantic model with ``customer_id`` and every attribute, all optional.
    """
    fields: dict[str, Any] = {"customer_id": (Identifier, ...)}
    fields |= {name: (BoundedNumber | None, None) for name in numeric}
    fields |= {
        name: (Annotated[str, Field(max_length=128)] | None, None)
        for name in categorical
    }
    fields |= {name: (BoundedDate | None, None) for name in dates}
    return create_model(
        "CustomerAttributes",
        __config__=ConfigDict(
            extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True
        ),
        __doc__="Attributes of one customer, as in the training attributes file.",
        **fields,
    )


def build_segments_request(
    feature_names: list[str],
    categorical: list[str],
    max_customers: int,
    max_transactions: int,
    customer_attributes: type[BaseModel] | None = None,
) -> type[BaseModel]:
    """Builds the ``POST /v1/segments`` body model for one model's features.

    Args:
        feature_names: Model input columns, in order.
        categorical: The categorical ones among them; the rest are numeric.
        max_customers: Largest ``customers`` list accepted.
        max_transactions: Largest ``transactions`` list accepted.

        customer_attributes: Model of one customer's attributes (see
            :func:`build_customer_attributes`); ``None`` for a model without.

    Returns:
        A pydantic model with either ``customers`` (feature values; null values
        are imputed by the model as in training) or ``transactions`` (raw lines,
        with optional ``attributes`` and ``reference_date``).
    """
    attributes_model = customer_attributes or build_customer_attributes([], [], [])
    fields: dict[str, Any] = {"customer_id": (Identifier, ...)}
    for name in feature_names:
        if name in categorical:
            fields[name] = (Annotated[str, Field(max_length=128)] | None, ...)
        else:
            fields[name] = (BoundedNumber | None, ...)
    customer_features = create_model(
        "CustomerFeatures",
        __config__=ConfigDict(
            extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True
        ),
        __doc__="Feature values of one customer; null values are imputed.",
        **fields,
    )

    class SegmentsRequest(BaseModel):
        """Customers to score: feature values, or raw transaction lines."""

        model_config = ConfigDict(extra="forbid")

        customers: (
            Annotated[
                list[customer_features],  # type: ignore[valid-type]
                Field(min_length=1, max_length=max_customers),
            ]
            | None
        ) = None
        transactions: (
            Annotated[
                list[TransactionLine], Field(min_length=1, max_length=max_transactions)
            ]
            | None
        ) = None
        attributes: (
            Annotated[
                list[attributes_model],  # type: ignore[valid-type]
                Field(max_length=max_customers),
            ]
            | None
        ) = Field(
            default=None,
            description="Transaction mode: customer attributes, one row per "
            "customer; customers without a row get null attributes.",
        )
        reference_date: dt.datetime | None = Field(
            default=None,
            description="Transaction mode: date recency and tenure are measured "
            "at; default: the configured one, else the day after the last line.",
        )

        @field_validator("reference_date")
        @classmethod
        def _check_reference_date(cls, value: dt.datetime | None) -> dt.datetime | None:
            return _naive_utc(value, "reference_date")

        @model_validator(mode="after")
        def _check_one_mode(self) -> SegmentsRequest:
            if (self.customers is None) == (self.transactions is None):
                raise ValueError("give exactly one of 'customers' or 'transactions'")
            if self.attributes is not None and self.transactions is None:
                raise ValueError("'attributes' go with 'transactions', not 'customers'")
            counts = Counter(row.customer_id for row in self.attributes or [])
            repeated = sorted(key for key, count in counts.items() if count > 1)
            if repeated:
                raise ValueError(
                    f"attributes: customer_id(s) {repeated[:3]} on more than one row "
                    "(rule: one row per customer)"
                )
            return self

    return SegmentsRequest
