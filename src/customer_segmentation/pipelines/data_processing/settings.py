"""Typed parameters of the data processing pipeline: input schemas and cleaning rules."""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

TRANSACTION_COLUMNS = (
    "customer_id",
    "invoice_id",
    "invoice_date",
    "product_id",
    "quantity",
    "unit_price",
    "line_total",
    "country",
)
TRANSACTION_TYPES = {
    "customer_id": "string",
    "invoice_id": "string",
    "invoice_date": "timestamp",
    "product_id": "string",
    "quantity": "float64",
    "unit_price": "float64",
    "line_total": "float64",
    "country": "string",
}
VALUE_COLUMNS = ("unit_price", "line_total")
OPTIONAL_TRANSACTION_COLUMNS = ("invoice_id", "product_id", "country")
CUSTOMER_KEY = "customer_id"
DEFAULT_MISSING_VALUES = (
    "",
    "NA",
    "N/A",
    "n/a",
    "na",
    "null",
    "NULL",
    "None",
    "none",
    "nan",
    "NaN",
    "NAN",
    "-",
    "#N/A",
    "<NA>",
)
# strptime directives the engine-neutral date parser understands, with the text
# each one matches.
DATE_DIRECTIVES = {
    "%Y": r"(\d{4})",
    "%m": r"(\d{1,2})",
    "%d": r"(\d{1,2})",
    "%H": r"(\d{1,2})",
    "%M": r"(\d{1,2})",
    "%S": r"(\d{1,2})",
    "%f": r"(\d{1,6})",
}

InputKind = Literal["transactions", "attributes", "both"]
INPUT_KINDS = ("transactions", "attributes", "both")


def check_date_format(date_format: str | None) -> str | None:
    """Refuses a ``date_format`` the engine-neutral date parser cannot read.

    Args:
        date_format: A ``strptime`` format, or ``None`` for ISO-8601 text.

    Returns:
        The format, unchanged.

    Raises:
        ValueError: If it uses a directive other than those of ``DATE_DIRECTIVES``
            or repeats one.
    """
    if date_format is None:
        return None
    directives = re.findall(r"%.", date_format)
    unknown = sorted(set(directives) - set(DATE_DIRECTIVES))
    if unknown or len(directives) != len(set(directives)):
        raise ValueError(
            f"date_format={date_format!r}: directive(s) {unknown or directives} not "
            f"supported or repeated; use each of {list(DATE_DIRECTIVES)} at most once"
        )
    if not {"%Y", "%m", "%d"} <= set(directives):
        raise ValueError(f"date_format={date_format!r} needs %Y, %m and %d")
    return date_format


class TransactionsSchema(BaseModel):
    """How the raw transactions map onto the canonical columns.

    Attributes:
        dataset: Name of the raw dataset, used in error messages.
        columns: Canonical column name -> column name in the raw file, or
            ``None`` for a column the file does not have. A canonical name left
            out is looked for under its own name. ``customer_id`` and
            ``invoice_date`` are required, and exactly one of ``unit_price``
            (revenue = quantity x price; ``quantity`` then required) or
            ``line_total`` (revenue = the column; ``quantity`` optional).
            ``invoice_id``, ``product_id`` and ``country`` are optional.
        date_format: ``strptime`` format of ``invoice_date`` when it is text
            (directives of ``DATE_DIRECTIVES``); ``None`` reads ISO-8601 text.
        missing_values: Texts that mean "no value" in every column (compared
            after trimming spaces); NaN in a float column is missing too.
    """

    model_config = ConfigDict(extra="forbid")

    dataset: str = "raw_transactions"
    columns: dict[str, str | None] = Field(
        default_factory=lambda: {
            name: name for name in TRANSACTION_COLUMNS if name != "line_total"
        }
    )
    date_format: str | None = None
    missing_values: list[str] = Field(
        default_factory=lambda: list(DEFAULT_MISSING_VALUES)
    )

    @field_validator("columns")
    @classmethod
    def _known_canonical_names(
        cls, columns: dict[str, str | None]
    ) -> dict[str, str | None]:
        unknown = sorted(set(columns) - set(TRANSACTION_COLUMNS))
        if unknown:
            raise ValueError(
                f"transactions_schema.columns: unknown canonical name(s) {unknown}; "
                f"expected some of {list(TRANSACTION_COLUMNS)}"
            )
        values = [name for name in VALUE_COLUMNS if columns.get(name)]
        if len(values) > 1:
            raise ValueError(
                f"transactions_schema.columns: map one of {list(VALUE_COLUMNS)}, not "
                "both (set the other to null)"
            )
        return columns

    @field_validator("date_format")
    @classmethod
    def _readable_date_format(cls, date_format: str | None) -> str | None:
        return check_date_format(date_format)


class CustomersSchema(BaseModel):
    """How the raw customer attributes map onto canonical columns.

    Attribute columns are given per kind, either as a list of raw names (kept as
    they are) or as a mapping canonical name -> raw name (renamed).

    Attributes:
        dataset: Name of the raw dataset, used in error messages.
        customer_id: Name of the customer id column in the raw file; ``None``
            numbers the rows from 0 in file order (files without an id column;
            needs a pandas dataset, which keeps the file order).
        numeric: Numeric attribute columns, cast to float64.
        categorical: Categorical attribute columns, cast to text.
        dates: Date columns, parsed to timestamps.
        date_format: ``strptime`` format of the date columns when they are text;
            ``None`` reads ISO-8601 text.
        missing_values: Texts that mean "no value" in every column.
    """

    model_config = ConfigDict(extra="forbid")

    dataset: str = "raw_customers"
    customer_id: str | None = CUSTOMER_KEY
    numeric: list[str] | dict[str, str] = Field(default_factory=list)
    categorical: list[str] | dict[str, str] = Field(default_factory=list)
    dates: list[str] | dict[str, str] = Field(default_factory=list)
    date_format: str | None = None
    missing_values: list[str] = Field(
        default_factory=lambda: list(DEFAULT_MISSING_VALUES)
    )

    @field_validator("date_format")
    @classmethod
    def _readable_date_format(cls, date_format: str | None) -> str | None:
        return check_date_format(date_format)


def latest_possible_time() -> dt.datetime:
    """The latest moment a line of an export made now can carry.

    Lines carry their local time, without a zone; no local date on Earth is
    more than one day ahead of UTC's, so nothing can be dated after midnight at
    the start of the day after tomorrow, UTC.

    Returns:
        That midnight, without a time zone, as the lines' times are.
    """
    today = dt.datetime.now(dt.UTC).date()
    return dt.datetime.combine(today + dt.timedelta(days=2), dt.time())


class CleaningRules(BaseModel):
    """Which transaction lines the cleaning drops; each rule can be switched off.

    Rules are applied in the order of the fields, after the reading rules
    (``missing_*``, ``unparseable_*``, ``date_out_of_range``); a line broken by
    several rules is counted once, under the first.

    Attributes:
        drop_missing_customer_id: Drop lines without a customer id (guest orders).
        cancellation_prefix: Invoice ids starting with this mark cancellations;
            ``None`` switches the rule off.
        drop_non_positive_quantity: Drop returns and adjustments (quantity <= 0).
        drop_non_positive_price: Drop free or negative-priced lines (unit price,
            or line total when the file gives line totals).
        max_quantity: Lines with a larger quantity are dropped as
            ``quantity_above_max``; ``None`` switches the rule off.
        max_line_value: Lines whose value (quantity x unit price, or line total)
            is larger are dropped as ``line_value_above_max``; ``None`` = off.
        earliest_valid_date: Lines dated before are dropped as ``past_dated``;
            ``None`` = off.
        latest_valid_date: Lines dated after this moment are dropped as
            ``future_dated``. By default :func:`latest_possible_time` when the
            parameters are read (the nodes never read the clock): a line dated
            in the future is a typo, and kept it would move the default
            reference date, and so every customer's recency, to its day. Give
            the export's date to be stricter; ``None`` switches the rule off.
        drop_duplicate_lines: Drop exact repeats of a line, keeping the first.
    """

    model_config = ConfigDict(extra="forbid")

    drop_missing_customer_id: bool = True
    cancellation_prefix: str | None = "C"
    drop_non_positive_quantity: bool = True
    drop_non_positive_price: bool = True
    max_quantity: float | None = Field(default=1_000_000, gt=0)
    max_line_value: float | None = Field(default=100_000_000, gt=0)
    earliest_valid_date: dt.datetime | None = dt.datetime(1900, 1, 1)
    latest_valid_date: dt.datetime | None = Field(default_factory=latest_possible_time)
    drop_duplicate_lines: bool = True


class OutlierRule(BaseModel):
    """Tukey's fences on numeric attributes.

    A value is an outlier in a column when it lies more than ``iqr_multiplier``
    inter-quartile ranges below the first or above the third quartile (quartiles
    interpolated linearly, as ``numpy.percentile``). A customer is dropped when at
    least ``min_outlying_columns`` of its columns are outliers.

    Attributes:
        columns: Canonical numeric attribute columns to check.
        log_transform: Measure the fences on the natural log of the values
            (values must then be positive).
        iqr_multiplier: Width of the fences in inter-quartile ranges.
        min_outlying_columns: Outlying columns needed to drop a customer.
    """

    model_config = ConfigDict(extra="forbid")

    columns: list[str] = Field(min_length=1)
    log_transform: bool = False
    iqr_multiplier: float = Field(default=1.5, gt=0)
    min_outlying_columns: int = Field(default=1, ge=1)


class Bounds(BaseModel):
    """Plausible range of one numeric or date attribute; either end may be open.

    Numbers bound a numeric attribute, dates (``"2000-01-01"``) a date one.

    Attributes:
        min: Smallest plausible value.
        max: Largest plausible value.
    """

    model_config = ConfigDict(extra="forbid")

    min: float | dt.datetime | None = None
    max: float | dt.datetime | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Bounds:
        ends = [end for end in (self.min, self.max) if end is not None]
        if len({isinstance(end, dt.datetime) for end in ends}) > 1:
            raise ValueError(
                f"bounds: min={self.min} and max={self.max} should both be numbers "
                "or both be dates"
            )
        if len(ends) == 2 and self.min > self.max:  # noqa: PLR2004
            raise ValueError(f"bounds: min={self.min} should be <= max={self.max}")
        return self

    @property
    def dates(self) -> bool:
        """Whether the ends are dates (they bound a date attribute)."""
        return isinstance(self.min if self.min is not None else self.max, dt.datetime)


class CustomerCleaningRules(BaseModel):
    """Which customer attribute rows the cleaning drops.

    Rules apply in this order, after ``missing_customer_id`` and the reading rules
    (``unparseable_<column>``); a row is counted under the first it breaks.

    Attributes:
        max_abs_value: A numeric attribute larger than this in absolute value is
            implausible (``implausible_<column>``); ``None`` = off.
        bounds: Canonical numeric attribute -> plausible range; a value outside
            is dropped as ``implausible_<column>``.
        outliers: Outlier rule; ``None`` keeps every customer.
    """

    model_config = ConfigDict(extra="forbid")

    max_abs_value: float | None = Field(default=1e12, gt=0)
    bounds: dict[str, Bounds] = Field(default_factory=dict)
    outliers: OutlierRule | None = None


class ReadingChecks(BaseModel):
    """When values that do not parse mean a wrong format rather than a few bad values.

    A column whose values fail to parse in large numbers is read with the wrong
    format (day and month swapped, a decimal comma, a currency sign): the values
    that did parse may be misread too (``05/01/2025`` read as 1 May for 5
    January), so dropping the others and going on would give wrong answers.

    Attributes:
        max_unparseable_share: Largest share of a table's rows that one
            ``unparseable_<column>`` rule may drop; above it the run stops with
            a named error.
        min_rows: Tables with fewer rows are not checked (a few bad values of a
            small file say nothing about its format); they are counted only.
        max_invoice_span_days: Longest time, in days, between the first and the
            last clean line of one invoice id; a longer one means the ids repeat
            (numbering that restarts by day, till or store), and one invoice
            id would count several purchases as one. ``None``: not checked.
        max_date_gap_days: Longest stretch, in days, without any clean line
            between two days that have one; a longer one means lines dated by a
            placeholder (1970-01-01, 1900-01-01) or a year typed wrong, far from
            the rest of the export. Tables with fewer than ``min_rows`` clean
            lines are not checked. ``None``: not checked.
        max_attribute_date_gap_days: The same for each date attribute of the
            kept customer rows (a sign-up or birth date) and for the years of
            each ``years_since`` feature (a birth year): longest stretch, in
            days, without any value between two that have one; wider than the
            lines' limit, as the oldest customers' birth dates lie years apart.
            Columns with fewer than ``min_rows`` values are not checked.
            ``None``: not checked.
        customer_on_every_line: Lines without a customer id may not share an
            invoice id with a clean line: an export that writes an order's
            customer on its first line only would have its other lines dropped
            as guest purchases. ``False``: not checked.
        max_undated_share: Largest share of the lines (of tables of at least
            ``min_rows``) without a date, null or a missing-value token; above
            it the run stops with a named error. A purchase needs its date:
            an export that writes an order's date (with its customer and
            invoice id) on its first line only leaves the order's other lines
            without one, and they would be dropped. ``None``: not checked.
        min_attribute_match: With ``input_kind`` both, the least share of the
            customers with clean purchases that have an attribute row; fewer
            mean two exports that write ids differently. ``None``: not checked.
    """

    model_config = ConfigDict(extra="forbid")

    max_unparseable_share: float = Field(default=0.05, ge=0, le=1)
    min_rows: int = Field(default=1000, ge=1)
    max_invoice_span_days: float | None = Field(default=1.0, gt=0)
    max_date_gap_days: float | None = Field(default=365.0, gt=0)
    max_attribute_date_gap_days: float | None = Field(default=3650.0, gt=0)
    min_attribute_match: float | None = Field(default=0.5, ge=0, le=1)
    customer_on_every_line: bool = True
    max_undated_share: float | None = Field(default=0.05, ge=0, le=1)


def attribute_mapping(columns: list[str] | dict[str, str]) -> dict[str, str]:
    """Reads one kind of attribute columns of ``CustomersSchema`` as a mapping.

    Args:
        columns: Raw names (kept as they are) or canonical name -> raw name.

    Returns:
        Canonical name -> raw name.
    """
    if isinstance(columns, dict):
        return dict(columns)
    return {name: name for name in columns}
