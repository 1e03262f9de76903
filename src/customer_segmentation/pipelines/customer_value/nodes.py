"""Nodes that summarise purchases, fit the value models, check them on a holdout and score."""

from __future__ import annotations

import logging
from typing import Any

import ibis
import ibis.expr.types as ir
import pandas as pd

from customer_segmentation.bundle import CustomerValueModels
from customer_segmentation.pipelines.data_processing.nodes import (
    InputKind,
    check_input_kind,
)

from .inputs import (
    CALIBRATION_HISTORY_TYPES,
    PURCHASE_HISTORY_TYPES,
    SUMMARY_COLUMNS,
    aggregate_purchases,
    split_history,
    summarise_history,
    summarise_purchases,
)
from .models import (
    STATUS_FITTED,
    STATUS_INSUFFICIENT_REPEAT_DATA,
    STATUS_SKIPPED,
    enough_repeat_data,
    fit_purchase_model,
    fit_spend_model,
    predict_holdout_purchases,
)
from .settings import CalibrationSettings, CustomerValueSettings

logger = logging.getLogger(__name__)

CALIBRATION_COLUMNS = (*SUMMARY_COLUMNS, "holdout_purchases", "holdout_length")
_SUMMARY_TYPES = {
    "customer_id": "string",
    "frequency": "int64",
    "recency": "float64",
    "T": "float64",
    "monetary_value": "float64",
}


def _empty_summary(columns: dict[str, str]) -> ir.Table:
    return ibis.memtable(
        pd.DataFrame(columns=list(columns)), schema=ibis.schema(columns)
    )


def _has_transactions(input_kind: InputKind) -> bool:
    check_input_kind(input_kind)
    return input_kind != "attributes"


def _log_skipped() -> None:
    logger.info(
        "input_kind=attributes: no purchases, so the customer_value pipeline "
        "is skipped (no lifetime value)"
    )


def summarise_customer_purchases(
    customer_orders: ir.Table,
    customer_features: ir.Table,
    reference_date: pd.Timestamp,
    settings: CustomerValueSettings,
    input_kind: InputKind,
) -> ir.Table:
    """Builds the per-customer inputs of the value models at the features' reference date.

    Batch scoring reads the orders once for it; training derives the same
    summary from ``customer_purchase_history`` (``summarise_purchase_history``).

    Args:
        customer_orders: Output of ``aggregate_customer_orders``.
        customer_features: One row per customer; its customers are summarised.
        reference_date: The reference date of the features: the end of the
            observation period.
        settings: The time unit.
        input_kind: ``attributes`` has no purchases: the pipeline is skipped, with
            one log line, and the summary is empty.

    Returns:
        ``customer_id``, ``frequency``, ``recency``, ``T`` and ``monetary_value``
        per customer (see ``summarise_history``).
    """
    if not _has_transactions(input_kind):
        _log_skipped()
        return _empty_summary(_SUMMARY_TYPES)
    return summarise_purchases(
        customer_orders, customer_features, reference_date, settings.time_unit
    )


def resolve_calibration_end(
    reference_date: pd.Timestamp,
    calibration: CalibrationSettings,
    input_kind: InputKind,
) -> pd.Timestamp:
    """Picks the last day of the calibration period.

    Args:
        reference_date: End of the observation period.
        calibration: A set ``calibration_end`` wins; else ``holdout_months``
            before the reference date.
        input_kind: ``attributes`` has no purchases and gives ``NaT``.

    Returns:
        The calibration end, at midnight.

    Raises:
        ValueError: If the calibration end is not before the reference date.
    """
    if not _has_transactions(input_kind):
        return pd.NaT
    reference = pd.Timestamp(reference_date).normalize()
    if calibration.calibration_end is not None:
        end = pd.Timestamp(calibration.calibration_end).normalize()
    else:
        end = reference - pd.DateOffset(months=calibration.holdout_months)
    if end >= reference:
        raise ValueError(
            f"customer_value_calibration.calibration_end={end.date()} should be "
            f"before the reference date {reference.date()}"
        )
    return end


def aggregate_customer_purchases(
    customer_orders: ir.Table,
    customer_features: ir.Table,
    reference_date: pd.Timestamp,
    calibration_end: pd.Timestamp,
    input_kind: InputKind,
) -> ir.Table:
    """Aggregates the purchase days of every customer once, for both summaries of training.

    The whole-period summary and the calibration / holdout split are projections
    of this table (``summarise_purchase_history``,
    ``summarise_calibration_purchases``), so the orders are read once.

    Args:
        customer_orders: Output of ``aggregate_customer_orders``.
        customer_features: One row per customer; its customers are aggregated.
        reference_date: End of the observation period.
        calibration_end: Output of ``resolve_calibration_end``.
        input_kind: ``attributes`` has no purchases: the pipeline is skipped,
            with one log line, and the table is empty.

    Returns:
        One row per customer with a purchase: the columns of
        ``PURCHASE_HISTORY_TYPES`` and ``CALIBRATION_HISTORY_TYPES`` (see
        ``aggregate_purchases``).
    """
    if not _has_transactions(input_kind):
        _log_skipped()
        return _empty_summary(PURCHASE_HISTORY_TYPES | CALIBRATION_HISTORY_TYPES)
    return aggregate_purchases(
        customer_orders, customer_features, reference_date, calibration_end
    )


def summarise_purchase_history(
    purchase_history: ir.Table,
    reference_date: pd.Timestamp,
    settings: CustomerValueSettings,
) -> ir.Table:
    """Summarises the purchases of the whole observation period for the value models.

    Args:
        purchase_history: Output of ``aggregate_customer_purchases``.
        reference_date: End of the observation period.
        settings: The time unit.

    Returns:
        The summary columns per customer, as ``summarise_customer_purchases``
        gives them from the orders.
    """
    if pd.isna(reference_date):
        return _empty_summary(_SUMMARY_TYPES)
    return summarise_history(purchase_history, reference_date, settings.time_unit)


def summarise_calibration_purchases(
    purchase_history: ir.Table,
    reference_date: pd.Timestamp,
    calibration_end: pd.Timestamp,
    settings: CustomerValueSettings,
) -> ir.Table:
    """Splits the purchases at the calibration end for the holdout check.

    Args:
        purchase_history: Output of ``aggregate_customer_purchases``.
        reference_date: End of the holdout period.
        calibration_end: Output of ``resolve_calibration_end``.
        settings: The time unit.

    Returns:
        For every customer whose first purchase is on or before the calibration
        end: the summary columns of the calibration period, ``holdout_purchases``
        (purchase days after it) and ``holdout_length`` (in the time unit).
    """
    if pd.isna(calibration_end):
        return _empty_summary(
            _SUMMARY_TYPES | {"holdout_purchases": "int64", "holdout_length": "float64"}
        )
    return split_history(
        purchase_history, calibration_end, reference_date, settings.time_unit
    )


def fit_customer_value_models(
    purchase_summary: pd.DataFrame,
    reference_date: pd.Timestamp,
    settings: CustomerValueSettings,
) -> CustomerValueModels:
    """Fits BG/NBD (purchases, survival) and Gamma-Gamma (spend per purchase).

    Args:
        purchase_summary: Output of ``summarise_customer_purchases``.
        reference_date: End of the observation period (recorded).
        settings: Time unit, priors and the minimum repeat data.

    Returns:
        The models, a part of the model bundle: ``status`` (``fitted``,
        ``insufficient_repeat_data`` or ``skipped`` for data without purchases),
        ``time_unit``, ``reference_date``, ``n_customers`` and, when fitted,
        ``bg_nbd`` and ``gamma_gamma`` with ``parameters``, ``log_likelihood``
        and ``n_customers``.
    """
    record = {
        "time_unit": settings.time_unit,
        "reference_date": None
        if pd.isna(reference_date)
        else pd.Timestamp(reference_date).isoformat(),
        "n_customers": len(purchase_summary),
    }
    if purchase_summary.empty:
        return CustomerValueModels(status=STATUS_SKIPPED, **record)
    if not enough_repeat_data(
        purchase_summary, settings.min_repeat_customers, "customer_purchase_summary"
    ):
        return CustomerValueModels(status=STATUS_INSUFFICIENT_REPEAT_DATA, **record)
    bg_nbd = fit_purchase_model(
        purchase_summary, settings.bg_nbd_priors, settings.fit_sample
    )
    gamma_gamma = fit_spend_model(
        purchase_summary, settings.gamma_gamma_priors, settings.fit_sample
    )
    logger.info(
        "BG/NBD %s (log-likelihood %.1f); Gamma-Gamma %s",
        {name: round(value, 4) for name, value in bg_nbd.parameters.items()},
        bg_nbd.log_likelihood,
        {name: round(value, 4) for name, value in gamma_gamma.parameters.items()},
    )
    return CustomerValueModels(
        status=STATUS_FITTED, bg_nbd=bg_nbd, gamma_gamma=gamma_gamma, **record
    )


def _frequency_bucket(frequency: pd.Series, top: int) -> pd.Series:
    return frequency.clip(upper=top).astype("int64")


def check_purchase_model_calibration(
    calibration_summary: pd.DataFrame,
    settings: CustomerValueSettings,
    calibration: CalibrationSettings,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Fits BG/NBD on the calibration period and compares its holdout forecast with the truth.

    As in figure 4 of Fader, Hardie and Lee (2005): customers are grouped by their
    number of repeat purchases in the calibration period, and each group's mean
    predicted repeat purchases in the holdout period is set against the actual mean.

    Args:
        calibration_summary: Output of ``summarise_calibration_purchases``.
        settings: Priors and the minimum repeat data.
        calibration: The top frequency bucket.

    Returns:
        The table (``calibration_frequency``, ``bucket`` label such as ``"7+"``,
        ``n_customers``, ``actual_purchases``, ``predicted_purchases``, both
        means per customer) and a JSON-ready summary (``status``, the calibration
        fit, ``holdout_length``, totals and the mean absolute error per bucket).
    """
    columns = [
        "calibration_frequency",
        "bucket",
        "n_customers",
        "actual_purchases",
        "predicted_purchases",
    ]
    summary: dict[str, Any] = {"status": STATUS_SKIPPED}
    if calibration_summary.empty:
        return pd.DataFrame(columns=columns), summary
    if not enough_repeat_data(
        calibration_summary,
        settings.min_repeat_customers,
        "customer_value_calibration_summary",
    ):
        return pd.DataFrame(columns=columns), {
            "status": STATUS_INSUFFICIENT_REPEAT_DATA
        }
    fit = fit_purchase_model(
        calibration_summary, settings.bg_nbd_priors, settings.fit_sample
    )
    predicted = predict_holdout_purchases(fit.parameters, calibration_summary)
    top = calibration.max_frequency_bucket
    frame = pd.DataFrame(
        {
            "calibration_frequency": _frequency_bucket(
                calibration_summary["frequency"], top
            ),
            "actual_purchases": calibration_summary["holdout_purchases"].astype(
                "float64"
            ),
            "predicted_purchases": predicted,
        }
    )
    table = (
        frame.groupby("calibration_frequency")
        .agg(
            n_customers=("actual_purchases", "size"),
            actual_purchases=("actual_purchases", "mean"),
            predicted_purchases=("predicted_purchases", "mean"),
        )
        .reset_index()
    )
    table.insert(
        1,
        "bucket",
        [
            f"{value}+" if value == top else str(value)
            for value in table["calibration_frequency"]
        ],
    )
    error = (table["predicted_purchases"] - table["actual_purchases"]).abs()
    summary = {
        "status": STATUS_FITTED,
        "bg_nbd": fit.model_dump(),
        "holdout_length": float(calibration_summary["holdout_length"].iloc[0]),
        "actual_holdout_purchases": float(frame["actual_purchases"].sum()),
        "predicted_holdout_purchases": float(frame["predicted_purchases"].sum()),
        "mean_absolute_error_per_bucket": float(error.mean()),
    }
    return table[columns], summary


def record_value_model_selection(
    customer_value_models: CustomerValueModels,
    calibration_check: dict[str, Any],
    calibration_end: pd.Timestamp,
) -> dict[str, Any]:
    """Puts the fitted values and the holdout check into one record.

    Args:
        customer_value_models: Output of ``fit_customer_value_models``.
        calibration_check: Summary of ``check_purchase_model_calibration``.
        calibration_end: Last day of the calibration period.

    Returns:
        The models record with a ``calibration`` entry.
    """
    return customer_value_models.model_dump() | {
        "calibration": calibration_check
        | {
            "calibration_end": None
            if pd.isna(calibration_end)
            else pd.Timestamp(calibration_end).date().isoformat()
        }
    }
