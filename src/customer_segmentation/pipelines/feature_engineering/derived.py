"""Derived features declared in parameters: sums, differences, ratios and years since.

A derived feature is a small typed record (one operation and its column names),
never text to evaluate; it is checked against the columns it refers to and built
as an Ibis expression, so the engine computes it next to the other features.
"""

from __future__ import annotations

import datetime as dt

import ibis
import ibis.expr.types as ir
import pandas as pd

from customer_segmentation.pipelines.data_processing.date_gaps import (
    distinct_values,
    smaller_side,
    widest_gap,
)
from customer_segmentation.pipelines.data_processing.errors import (
    InputValidationError,
    example_rows,
)
from customer_segmentation.pipelines.data_processing.settings import (
    CUSTOMER_KEY,
    ReadingChecks,
)

from .settings import DerivedFeature, DerivedFeatures

DAYS_PER_YEAR = 365.25


def _years_since(value: ir.Value, reference_date: pd.Timestamp, name: str) -> ir.Value:
    if pd.isna(reference_date):
        raise InputValidationError(
            f"customer_features: derived feature '{name}' (years_since) needs a "
            "reference date (rule: reference date set); set "
            "feature_settings.reference_date for attribute-only input (when "
            "scoring: inference.feature_settings.reference_date, the date of the "
            "export scored)"
        )
    reference = pd.Timestamp(reference_date)
    if value.type().is_numeric():
        return (reference.year - value).cast("float64")
    moment = value.cast("timestamp")
    # Whole years: one less when this year's anniversary is after the reference.
    before_anniversary = (moment.month() > reference.month) | (
        (moment.month() == reference.month) & (moment.day() > reference.day)
    )
    years = reference.year - moment.year() - before_anniversary.cast("int64")
    return years.cast("float64")


def _text(value: object) -> str:
    return f"{value:%Y-%m-%d}" if isinstance(value, dt.date) else f"{value:g}"


def _shown(rows: list[dict], column: str) -> list[str]:
    return [f"customer {row[CUSTOMER_KEY]}: {_text(row[column])}" for row in rows]


def _examples(features: ir.Table, broken: ir.BooleanValue, column: str) -> list[str]:
    return _shown(example_rows(features.filter(broken), column, CUSTOMER_KEY), column)


def _check_years(
    features: ir.Table,
    column: str,
    years: ir.Value,
    reference_date: pd.Timestamp,
    checks: ReadingChecks,
) -> None:
    # One query for both rules of a years_since feature: values after the
    # reference date (negative years) and a stretch of years without any value
    # (a placeholder year or date such as 1900, far from the rest).
    figures = (
        features.aggregate(
            negative=(years < 0).cast("int64").sum().fill_null(0),
            values=years.count(),
            years=distinct_values(years, checks.min_rows),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    if figures["negative"]:
        raise InputValidationError(
            f"customer_features: column '{column}' has {figures['negative']} "
            f"value(s) after the reference date {pd.Timestamp(reference_date):%Y-%m-%d}"
            f", e.g. {_examples(features, years < 0, column)} (rule: years_since a "
            "value not after the reference date); set feature_settings."
            "reference_date to the date the export was taken (when scoring: "
            "inference.feature_settings.reference_date), or drop and count such "
            f"rows with customer_cleaning_rules.bounds.{column}.max"
        )
    limit, gap = checks.max_attribute_date_gap_days, widest_gap(figures["years"])
    if limit is None or gap is None:
        return
    low, high = gap
    if (high - low) * DAYS_PER_YEAR <= limit:
        return
    # beyond: the outliers are the older side.
    side, count, beyond = smaller_side(features, years >= high, figures["values"])
    kept = features.filter(~side)[column]
    end = (kept.min() if beyond else kept.max()).execute()
    bound = f"{'min' if beyond else 'max'}: {_text(end)}"
    raise InputValidationError(
        f"customer_features: years since column '{column}' has no customer between "
        f"{low:g} and {high:g} years at the reference date (rule: no gap longer than "
        f"{limit / DAYS_PER_YEAR:.1f} years between two values of a years_since "
        f"feature, reading_checks.max_attribute_date_gap_days); {count} of "
        f"{figures['values']} values lie {'beyond' if beyond else 'short of'} "
        f"it, e.g. {_examples(features, side, column)}; a placeholder (1900, "
        "1970-01-01) or a year typed wrong reads as a real one: set "
        f"customer_cleaning_rules.bounds.{column}.{bound} to drop and count them, or "
        "raise max_attribute_date_gap_days (null: not checked)"
    )


def add_derived_features(
    features: ir.Table,
    derived: DerivedFeatures,
    reference_date: pd.Timestamp,
    checks: ReadingChecks | None = None,
) -> ir.Table:
    """Adds the derived columns to the customer features.

    Args:
        features: One row per customer.
        derived: The declared features.
        reference_date: Date ``years_since`` measures to (``NaT`` when unset).
        checks: ``min_rows`` and ``max_attribute_date_gap_days`` of the gap rule
            of ``years_since`` features (default: the defaults).

    Returns:
        ``features`` with one float64 column per derived feature.

    Raises:
        InputValidationError: If a feature names a column that does not exist (or
            is not numeric, for sums, differences and ratios), takes a name that
            already exists, or needs a reference date that is not set, or
            a ``years_since`` column has a value after the reference date or
            values that stop for longer than the attribute dates' gap rule.
    """
    for name, feature in derived.columns.items():
        available = list(features.columns)
        unknown = [column for column in feature.columns() if column not in available]
        if unknown or name in available:
            rule = "known columns" if unknown else "a new column name"
            raise InputValidationError(
                f"customer_features: derived feature '{name}' refers to column(s) "
                f"{unknown or [name]} (rule: {rule}); available: {available}"
            )
        if feature.years_since is not None:
            value = _years_since(features[feature.years_since], reference_date, name)
            _check_years(
                features,
                feature.years_since,
                value,
                reference_date,
                checks or ReadingChecks(),
            )
        else:
            value = _arithmetic(features, feature, name)
        features = features.mutate(**{name: value})
    return features


def _arithmetic(features: ir.Table, feature: DerivedFeature, name: str) -> ir.Value:
    columns = feature.columns()
    not_numeric = [
        column for column in columns if not features[column].type().is_numeric()
    ]
    if not_numeric:
        raise InputValidationError(
            f"customer_features: derived feature '{name}' refers to non-numeric "
            f"column(s) {not_numeric} (rule: numeric columns)"
        )
    values = [features[column].cast("float64") for column in columns]
    if feature.sum is not None:
        total = values[0]
        for value in values[1:]:
            total = total + value
        return total
    if feature.difference is not None:
        return values[0] - values[1]
    return ibis.ifelse(values[1] == 0, ibis.null("float64"), values[0] / values[1])
