"""BG/NBD and Gamma-Gamma models: fitted with pymc-marketing, kept as plain parameters.

A fitted model is its parameter values (``CustomerValueModels``, a JSON part of the
model bundle), never a pickle: loading it runs no code. :func:`predict_customer_value`
values customers from those numbers with the closed forms of :mod:`.predictions`;
it is the one scoring function of customer value, which training, batch scoring
and the HTTP API all call.

pymc-marketing (with pymc and pytensor) fits the models only (:mod:`.map_fit`), and
is imported inside the functions that fit: the import takes seconds, and every
Kedro command imports every pipeline.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from customer_segmentation.bundle import (
    CustomerValueModels,
    FittedValueModel,
    ModelBundle,
)

from .map_fit import PURCHASE_MODEL, SPEND_MODEL, fit_map
from .predictions import (
    expected_purchases,
    expected_spend,
    lifetime_value,
    probability_alive,
)
from .settings import CustomerValueSettings, FitSample, PriorSpec

logger = logging.getLogger(__name__)

STATUS_FITTED = "fitted"
STATUS_INSUFFICIENT_REPEAT_DATA = "insufficient_repeat_data"
STATUS_SKIPPED = "skipped"
VALUE_COLUMNS = ("expected_purchases", "probability_alive", "expected_spend", "clv")
# Periods of each time unit in a month, as pymc-marketing's lifetime value counts them.
PERIODS_PER_MONTH = {"days": 30.0, "weeks": 4.345, "months": 1.0}


class InsufficientRepeatDataWarning(UserWarning):
    """Too few customers bought twice to fit the value models; no value is predicted."""


def count_repeat_customers(purchase_summary: pd.DataFrame) -> int:
    """Counts the customers with at least one repeat purchase and a positive spend.

    Args:
        purchase_summary: ``frequency`` and ``monetary_value`` per customer.

    Returns:
        The number of customers the Gamma-Gamma model can learn from.
    """
    repeat = (purchase_summary["frequency"] > 0) & (
        purchase_summary["monetary_value"] > 0
    )
    return int(repeat.sum())


def enough_repeat_data(
    purchase_summary: pd.DataFrame, min_repeat_customers: int, what: str
) -> bool:
    """Says whether the value models can be fitted, and warns when they cannot.

    Args:
        purchase_summary: ``frequency`` and ``monetary_value`` per customer.
        min_repeat_customers: Fewest repeat customers needed.
        what: What the fit is for, named in the warning.

    Returns:
        ``True`` when at least ``min_repeat_customers`` customers bought again.
    """
    n_repeat = count_repeat_customers(purchase_summary)
    if n_repeat >= min_repeat_customers:
        return True
    message = (
        f"{what}: n_repeat_customers={n_repeat} should be >= "
        f"customer_value.min_repeat_customers={min_repeat_customers}; the value "
        "models are not fitted and no customer value is predicted"
    )
    logger.warning("InsufficientRepeatDataWarning: %s", message)
    warnings.warn(message, InsufficientRepeatDataWarning, stacklevel=2)
    return False


def fitted_customers(summary: pd.DataFrame, sample: FitSample | None) -> pd.DataFrame:
    """The customers a value model is fitted on: all, or a seeded random sample.

    Args:
        summary: One row per customer the model could learn from.
        sample: Largest number fitted and the seed; ``None`` fits every customer.

    Returns:
        ``summary`` when it has at most ``sample.size`` rows, else a random sample
        of that many rows, in their original order. The sample is drawn from the
        rows sorted by ``customer_id``, so the same customers are chosen whatever
        order the engine returned them in.
    """
    if sample is None or sample.size is None or len(summary) <= sample.size:
        return summary
    by_customer = summary.sort_values("customer_id", kind="stable")
    chosen = by_customer.sample(n=sample.size, random_state=sample.random_state)
    logger.info(
        "Value model fitted on a sample of %d of %d customers (customer_value."
        "fit_sample)",
        sample.size,
        len(summary),
    )
    return chosen.sort_index()


def _summary_frame(purchase_summary: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return purchase_summary[["customer_id", *columns]].reset_index(drop=True)


def fit_purchase_model(
    purchase_summary: pd.DataFrame,
    priors: dict[str, PriorSpec],
    sample: FitSample | None = None,
) -> FittedValueModel:
    """Fits the BG/NBD model of repeat purchases by maximum a posteriori.

    Args:
        purchase_summary: ``customer_id``, ``frequency``, ``recency`` and ``T``.
        priors: Prior of each of ``r``, ``alpha``, ``a``, ``b`` (flat when left
            out).
        sample: How many customers are fitted at most (see
            :func:`fitted_customers`); ``None`` fits all.

    Returns:
        ``parameters`` (``r``, ``alpha``, ``a``, ``b``), ``log_likelihood`` at
        those values and ``n_customers`` (the customers fitted).
    """
    data = _summary_frame(
        fitted_customers(purchase_summary, sample), ["frequency", "recency", "T"]
    )
    parameters, log_likelihood = fit_map(
        PURCHASE_MODEL,
        priors,
        {
            "T": data["T"].to_numpy("float64"),
            "recency_frequency": data[["recency", "frequency"]].to_numpy("float64"),
        },
    )
    return FittedValueModel(
        parameters=parameters, log_likelihood=log_likelihood, n_customers=len(data)
    )


def fit_spend_model(
    purchase_summary: pd.DataFrame,
    priors: dict[str, PriorSpec],
    sample: FitSample | None = None,
) -> FittedValueModel:
    """Fits the Gamma-Gamma model of spend per purchase on the repeat customers.

    Args:
        purchase_summary: ``customer_id``, ``frequency`` and ``monetary_value``
            (mean spend of the repeat purchases); customers without a repeat
            purchase or with no spend are left out of the fit, as the model
            requires.
        priors: Prior of each of ``p``, ``q``, ``v`` (flat when left out).
        sample: How many repeat customers are fitted at most (see
            :func:`fitted_customers`); ``None`` fits all.

    Returns:
        ``parameters`` (``p``, ``q``, ``v``), ``log_likelihood``,
        ``n_customers`` (the repeat customers fitted) and
        ``frequency_spend_correlation`` (the model assumes it is near 0).
    """
    repeat = purchase_summary[
        (purchase_summary["frequency"] > 0) & (purchase_summary["monetary_value"] > 0)
    ]
    data = _summary_frame(
        fitted_customers(repeat, sample), ["frequency", "monetary_value"]
    )
    parameters, log_likelihood = fit_map(
        SPEND_MODEL,
        priors,
        {
            "frequency": data["frequency"].to_numpy("int64"),
            "monetary_value": data["monetary_value"].to_numpy("float64"),
        },
    )
    correlation = data["frequency"].corr(data["monetary_value"])
    return FittedValueModel(
        parameters=parameters,
        log_likelihood=log_likelihood,
        n_customers=len(data),
        frequency_spend_correlation=None
        if pd.isna(correlation)
        else float(correlation),
    )


def predict_holdout_purchases(
    parameters: dict[str, float], calibration_summary: pd.DataFrame
) -> np.ndarray:
    """Predicts each customer's repeat purchases in the holdout period.

    Args:
        parameters: Fitted BG/NBD ``r``, ``alpha``, ``a``, ``b``.
        calibration_summary: ``frequency``, ``recency``, ``T`` of the
            calibration period and ``holdout_length``.

    Returns:
        Expected purchases in the holdout period, one per customer, in row order.
    """
    return expected_purchases(
        parameters,
        calibration_summary["frequency"],
        calibration_summary["recency"],
        calibration_summary["T"],
        calibration_summary["holdout_length"],
    )


def select_bundle_value_models(model_bundle: ModelBundle) -> CustomerValueModels:
    """Takes the value models out of the published bundle, for batch scoring.

    Args:
        model_bundle: The published bundle.

    Returns:
        Its ``customer_value_models`` part.
    """
    return model_bundle.customer_value_models


def predict_customer_value(
    value_models: CustomerValueModels,
    purchase_summary: pd.DataFrame,
    settings: CustomerValueSettings,
) -> pd.DataFrame:
    """Predicts each customer's purchases, survival, spend and lifetime value.

    Customers without a repeat purchase are scored as the models define them:
    BG/NBD gives them a probability alive of 1 (no drop-out chance has passed)
    and Gamma-Gamma the population mean spend. The predictions are the closed
    forms of :mod:`.predictions`.

    Args:
        value_models: Output of ``fit_customer_value_models``, or a bundle's
            ``customer_value_models``.
        purchase_summary: ``customer_id``, ``frequency``, ``recency``, ``T`` and
            ``monetary_value`` in the models' time unit.
        settings: Horizon and discount rate (and the time unit, which must be the
            models').

    Returns:
        ``purchase_summary`` plus ``expected_purchases`` (over
        ``horizon_months``), ``probability_alive``, ``expected_spend`` (per
        purchase) and ``clv`` (discounted spend over ``horizon_months``). Without
        fitted models the value columns are left out, and the reason is logged.

    Raises:
        ValueError: If the models were fitted in another time unit.
    """
    data = purchase_summary.reset_index(drop=True)
    if not value_models.fitted:
        logger.info(
            "No customer value model (status=%s: %s); customer_value has no "
            "lifetime value columns",
            value_models.status,
            value_models.reason,
        )
        return data
    if value_models.time_unit != settings.time_unit:
        raise ValueError(
            f"customer_value.time_unit={settings.time_unit!r} differs from the "
            f"time unit the value models were fitted in ({value_models.time_unit!r})"
        )
    customers = (data["frequency"], data["recency"], data["T"])
    spend = expected_spend(
        value_models.gamma_gamma.parameters, data["frequency"], data["monetary_value"]
    )
    purchases, clv = lifetime_value(
        value_models.bg_nbd.parameters,
        *customers,
        spend,
        horizon_months=settings.horizon_months,
        discount_rate=settings.discount_rate,
        periods_per_month=PERIODS_PER_MONTH[settings.time_unit],
    )
    return data.assign(
        expected_purchases=purchases,
        probability_alive=probability_alive(value_models.bg_nbd.parameters, *customers),
        expected_spend=spend,
        clv=clv,
    ).astype(dict.fromkeys(VALUE_COLUMNS, "Float64"))
