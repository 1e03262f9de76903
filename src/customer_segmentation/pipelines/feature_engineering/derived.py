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

from customer_segmentation.pipelines.data_processing.errors import (
    N_EXAMPLES,
    InputValidationError,
)
from customer_segmentation.pipelines.data_processing.settings import CUSTOMER_KEY

from .settings import DerivedFeature, DerivedFeatures


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


def _check_not_after(
    features: ir.Table, column: str, years: ir.Value, reference_date: pd.Timestamp
) -> None:
    # A date or year after the reference date gives negative years: a date typed
    # wrong, or a reference date earlier than the export's.
    after = features.filter(years < 0)
    count = int(after.count().execute())
    if not count:
        return
    rows = (
        after.select(CUSTOMER_KEY, column)
        .order_by(ibis.desc(column), CUSTOMER_KEY)
        .to_pyarrow(limit=N_EXAMPLES)
        .to_pylist()
    )
    shown = [
        f"customer {row[CUSTOMER_KEY]}: "
        + (
            f"{row[column]:%Y-%m-%d}"
            if isinstance(row[column], dt.date)
            else f"{row[column]:g}"
        )
        for row in rows
    ]
    raise InputValidationError(
        f"customer_features: column '{column}' has {count} value(s) after the "
        f"reference date {pd.Timestamp(reference_date):%Y-%m-%d}, e.g. {shown} "
        "(rule: years_since a value not after the reference date); set "
        "feature_settings.reference_date to the date the export was taken (when "
        "scoring: inference.feature_settings.reference_date), or drop and count "
        f"such rows with customer_cleaning_rules.bounds.{column}.max"
    )


def add_derived_features(
    features: ir.Table, derived: DerivedFeatures, reference_date: pd.Timestamp
) -> ir.Table:
    """Adds the derived columns to the customer features.

    Args:
        features: One row per customer.
        derived: The declared features.
        reference_date: Date ``years_since`` measures to (``NaT`` when unset).

    Returns:
        ``features`` with one float64 column per derived feature.

    Raises:
        InputValidationError: If a feature names a column that does not exist (or
            is not numeric, for sums, differences and ratios), takes a name that
            already exists, or needs a reference date that is not set, or
            a ``years_since`` column has a value after the reference date.
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
            _check_not_after(features, feature.years_since, value, reference_date)
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
