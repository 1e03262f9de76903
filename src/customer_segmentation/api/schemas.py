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
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
    model_validator,
)

from customer_segmentation.bundle import TrainingFingerprint
from customer_segmentation.pipelines.feature_engineering.domains import FeatureDomain
from customer_segmentation.pipelines.inference.nodes import STATUSES
from customer_segmentation.pipelines.inference.settings import ApiSettings

# Bounds keep every intermediate (revenue, log1p, distances) finite.
LARGEST_NUMBER = 1e12
EARLIEST_DATE = dt.datetime(1900, 1, 1)
LATEST_DATE = dt.datetime(2200, 1, 1)

Identifier = Annotated[str, Field(min_length=1, max_length=128)]


def _number_only(value: Any) -> Any:
    # A number is a JSON number: "12", " 3 " and true are refused, not converted.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("should be a JSON number, not text or a boolean")
    return value


BoundedNumber = Annotated[
    float,
    BeforeValidator(_number_only),
    Field(ge=-LARGEST_NUMBER, le=LARGEST_NUMBER, allow_inf_nan=False),
]
Text = Annotated[str, Field(strict=True, max_length=128)]
Status = Literal[STATUSES]  # type: ignore[valid-type]


def _text_only(value: Any) -> Any:
    # Dates are ISO 8601 text; an epoch number is refused rather than guessed.
    if not isinstance(value, str | dt.datetime | dt.date):
        raise ValueError("should be ISO 8601 date text, not a number")
    return value


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


BoundedDate = Annotated[
    dt.datetime, BeforeValidator(_text_only), AfterValidator(_naive_utc_date)
]


class TransactionLine(BaseModel):
    """One raw transaction line, with the canonical column names of the input contract.

    ``customer_id`` and ``invoice_date`` are required, and either ``unit_price``
    with ``quantity`` (revenue = quantity x price) or ``line_total`` (quantity
    optional), the same in every line of a request.
    """

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True
    )

    customer_id: Identifier
    invoice_id: Identifier | None = Field(
        default=None,
        description="Invoice number; ids starting with the cancellation prefix "
        "(default 'C') are cancellations. Without it, one purchase is a "
        "customer's calendar day.",
    )
    invoice_date: BoundedDate = Field(
        description="Date and time of the invoice (ISO 8601 text); time zones are "
        "converted to UTC."
    )
    product_id: Identifier | None = None
    quantity: BoundedNumber | None = Field(
        default=None, description="Units; <= 0 marks a return."
    )
    unit_price: BoundedNumber | None = None
    line_total: BoundedNumber | None = Field(
        default=None, description="Revenue of the line, instead of unit_price."
    )
    country: Text | None = None

    @model_validator(mode="after")
    def _one_value_column(self) -> TransactionLine:
        if (self.unit_price is None) == (self.line_total is None):
            raise ValueError(
                "give exactly one of 'unit_price' (with 'quantity') or 'line_total'"
            )
        if self.unit_price is not None and self.quantity is None:
            raise ValueError("'quantity' is required with 'unit_price'")
        return self


class DataQuality(BaseModel):
    """What the pipeline's cleaning did with the request's lines (rule -> lines)."""

    rows_in: int
    rows_dropped: dict[str, int]
    rows_out: int


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
        default=None,
        description="Probability the customer is still active (BG/NBD); 1 for a "
        "customer without a repeat purchase, whom the model lets drop out only "
        "after one: read it with the purchase history.",
    )
    expected_spend: float | None = Field(
        default=None, description="Expected spend per purchase (Gamma-Gamma)."
    )
    clv: float | None = Field(
        default=None,
        description="Discounted customer lifetime value over the value horizon.",
    )
    imputed_features: list[str] = Field(
        description="Model features that were missing and that the model imputed "
        "(as in training); empty when none."
    )
    model_version: str
    status: Status


class SegmentsResponse(BaseModel):
    """Segments of the customers of one request."""

    model_version: str
    reference_date: dt.datetime | None = Field(
        description="Date recency and tenure were measured at (UTC); null in "
        "feature mode."
    )
    data_quality: DataQuality | None = Field(
        description="Transaction mode: lines read, dropped by rule and kept."
    )
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
    max_body_bytes: int


class ErrorMessage(BaseModel):
    """Why a request was refused before it was parsed (not JSON, too large)."""

    detail: str


class ErrorDetail(BaseModel):
    """One reason a request was refused: the field, the rule and a short echo."""

    loc: list[str | int] = Field(description="Path of the field in the body.")
    msg: str
    type: str = Field(description="The rule the value breaks.")
    input: str | None = Field(
        default=None, description="At most 40 characters of the bad value."
    )


class ValidationErrors(BaseModel):
    """Why a request was refused: its fields break a rule, or the pipeline's rules."""

    detail: list[ErrorDetail]


class Health(BaseModel):
    """Liveness answer."""

    status: Literal["ok"]


def build_customer_attributes(
    numeric: list[str], categorical: list[str], dates: list[str]
) -> type[BaseModel]:
    """Builds the body model of one customer's attributes (transaction mode).

    Args:
        numeric: Numeric attribute columns (canonical names).
        categorical: Categorical attribute columns.
        dates: Date attribute columns.

    Returns:
        A pydantic model with ``customer_id`` and every attribute, all optional.
    """
    fields: dict[str, Any] = {"customer_id": (Identifier, ...)}
    fields |= {name: (BoundedNumber | None, None) for name in numeric}
    fields |= {name: (Text | None, None) for name in categorical}
    fields |= {name: (BoundedDate | None, None) for name in dates}
    return create_model(
        "CustomerAttributes",
        __config__=ConfigDict(
            extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True
        ),
        __doc__="Attributes of one customer, as in the training attributes file.",
        **fields,
    )


def _feature_type(domain: FeatureDomain) -> Any:
    # Every bound of a domain is a named rule of the 422 (ge, le, int_type, finite).
    bounds = {
        "ge": -LARGEST_NUMBER if domain.minimum is None else domain.minimum,
        "le": LARGEST_NUMBER if domain.maximum is None else domain.maximum,
    }
    if domain.integer:
        # 12 and 12.0 are counts; 12.5 is not (int_from_float).
        return Annotated[int, BeforeValidator(_number_only), Field(**bounds)]
    return Annotated[
        float, BeforeValidator(_number_only), Field(allow_inf_nan=False, **bounds)
    ]


def build_segments_request(
    domains: dict[str, FeatureDomain],
    categorical: list[str],
    limits: ApiSettings,
    customer_attributes: type[BaseModel] | None = None,
) -> type[BaseModel]:
    """Builds the ``POST /v1/segments`` body model for one model's features.

    Args:
        domains: Numeric model input column -> its domain; with ``categorical``
            in the model's order.
        categorical: Categorical model input columns.
        limits: Largest ``customers``, ``attributes`` and ``transactions`` lists.
        customer_attributes: Model of one customer's attributes (see
            :func:`build_customer_attributes`); ``None`` for a model without.

    Returns:
        A pydantic model with either ``customers`` (feature values within their
        domains; null values are imputed by the model as in training, and
        flagged) or ``transactions`` (raw lines, with optional ``attributes`` and
        ``reference_date``).
    """
    attributes_model = customer_attributes or build_customer_attributes([], [], [])
    fields: dict[str, Any] = {"customer_id": (Identifier, ...)}
    for name, domain in domains.items():
        fields[name] = (_feature_type(domain) | None, ...)
    for name in categorical:
        fields[name] = (Text | None, ...)
    customer_features = create_model(
        "CustomerFeatures",
        __config__=ConfigDict(
            extra="forbid", str_strip_whitespace=True, coerce_numbers_to_str=True
        ),
        __doc__="Feature values of one customer; null values are imputed.",
        **fields,
    )
    max_customers, max_transactions = limits.max_customers, limits.max_transactions

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
            Annotated[list[TransactionLine], Field(max_length=max_transactions)] | None
        ) = Field(
            default=None,
            description="Raw lines; an empty list is refused by the pipeline's "
            "own rule (not empty), as in batch.",
        )
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
        reference_date: BoundedDate | None = Field(
            default=None,
            description="Transaction mode: date recency and tenure are measured "
            "at; default: api.reference_date, else the end of the request's UTC "
            "date (midnight after it). Must not be before any line.",
        )

        @model_validator(mode="after")
        def _check_one_mode(self) -> SegmentsRequest:
            if (self.customers is None) == (self.transactions is None):
                raise ValueError("give exactly one of 'customers' or 'transactions'")
            if self.attributes is not None and self.transactions is None:
                raise ValueError("'attributes' go with 'transactions', not 'customers'")
            kinds = {line.line_total is None for line in self.transactions or []}
            if len(kinds) > 1:
                raise ValueError(
                    "transactions: give 'unit_price' in every line or 'line_total' "
                    "in every line, not a mix (rule: one value column)"
                )
            counts = Counter(row.customer_id for row in self.attributes or [])
            repeated = sorted(key for key, count in counts.items() if count > 1)
            if repeated:
                raise ValueError(
                    f"attributes: customer_id(s) {repeated[:3]} on more than one row "
                    "(rule: one row per customer)"
                )
            return self

    return SegmentsRequest
