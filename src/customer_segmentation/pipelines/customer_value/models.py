"""BG/NBD and Gamma-Gamma models: fitted with pymc-marketing, kept as plain parameters.

A fitted model is stored as its parameter values (JSON), never as a pickle: loading
it runs no code, and :func:`predict_customer_value` rebuilds the pymc-marketing
models from the numbers. That function is the one scoring function of customer
value; training, batch scoring and the HTTP API all call it.

pymc-marketing (with pymc and pytensor) is imported inside the functions that use
it: the import takes seconds, and every Kedro command imports every pipeline.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any

import numpy as np
import pandas as pd

from .settings import (
    BG_NBD_PARAMETERS,
    GAMMA_GAMMA_PARAMETERS,
    CustomerValueSettings,
    PriorSpec,
)

logger = logging.getLogger(__name__)

STATUS_FITTED = "fitted"
STATUS_INSUFFICIENT_REPEAT_DATA = "insufficient_repeat_data"
STATUS_SKIPPED = "skipped"
VALUE_COLUMNS = ("expected_purchases", "probability_alive", "expected_spend", "clv")
# Periods of each time unit in a month, as pymc-marketing's lifetime value counts them.
PERIODS_PER_MONTH = {"days": 30.0, "weeks": 4.345, "months": 1.0}
_PYMC_TIME_UNIT = {"days": "D", "weeks": "W", "months": "M"}


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


def _model_config(
    priors: dict[str, PriorSpec], names: tuple[str, ...]
) -> dict[str, Any]:
    from pymc_extras.prior import Prior  # noqa: PLC0415

    specs = {name: priors.get(name, PriorSpec()) for name in names}
    return {
        name: Prior(spec.distribution, **spec.parameters)
        for name, spec in specs.items()
    }


def _fitted_parameters(model: Any, names: tuple[str, ...]) -> dict[str, float]:
    posterior = model.idata.posterior
    return {name: float(np.asarray(posterior[name]).reshape(())) for name in names}


def _log_likelihood(model: Any, parameters: dict[str, float], term: str) -> float:
    # The data term of the model (observed variables or potentials) at the
    # parameter values, without priors or the Jacobian of the transforms.
    from pymc.model.transform.conditioning import (  # noqa: PLC0415
        remove_value_transforms,
    )

    untransformed = remove_value_transforms(model.model)
    log_likelihood = untransformed.compile_fn(
        getattr(untransformed, term),
        inputs=untransformed.value_vars,
        on_unused_input="ignore",
    )
    point = {
        variable.name: parameters[variable.name]
        for variable in untransformed.value_vars
    }
    return float(log_likelihood(point))


def _summary_frame(purchase_summary: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    return purchase_summary[["customer_id", *columns]].reset_index(drop=True)


def fit_purchase_model(
    purchase_summary: pd.DataFrame, priors: dict[str, PriorSpec]
) -> dict[str, Any]:
    """Fits the BG/NBD model of repeat purchases by maximum a posteriori.

    Args:
        purchase_summary: ``customer_id``, ``frequency``, ``recency`` and ``T``.
        priors: Prior of each of ``r``, ``alpha``, ``a``, ``b`` (flat when left
            out).

    Returns:
        ``parameters`` (``r``, ``alpha``, ``a``, ``b``), ``log_likelihood`` at
        those values and ``n_customers``.
    """
    from pymc_marketing.clv import BetaGeoModel  # noqa: PLC0415

    data = _summary_frame(purchase_summary, ["frequency", "recency", "T"])
    model = BetaGeoModel(model_config=_model_config(priors, BG_NBD_PARAMETERS))
    model.fit(data=data, method="map", progressbar=False)
    parameters = _fitted_parameters(model, BG_NBD_PARAMETERS)
    return {
        "parameters": parameters,
        "log_likelihood": _log_likelihood(model, parameters, "observedlogp"),
        "n_customers": len(data),
    }


def fit_spend_model(
    purchase_summary: pd.DataFrame, priors: dict[str, PriorSpec]
) -> dict[str, Any]:
    """Fits the Gamma-Gamma model of spend per purchase on the repeat customers.

    Args:
        purchase_summary: ``customer_id``, ``frequency`` and ``monetary_value``
            (mean spend of the repeat purchases); customers without a repeat
            purchase or with no spend are left out of the fit, as the model
            requires.
        priors: Prior of each of ``p``, ``q``, ``v`` (flat when left out).

    Returns:
        ``parameters`` (``p``, ``q``, ``v``), ``log_likelihood``,
        ``n_customers`` (the repeat customers fitted) and
        ``frequency_spend_correlation`` (the model assumes it is near 0).
    """
    from pymc_marketing.clv import GammaGammaModel  # noqa: PLC0415

    repeat = purchase_summary[
        (purchase_summary["frequency"] > 0) & (purchase_summary["monetary_value"] > 0)
    ]
    data = _summary_frame(repeat, ["frequency", "monetary_value"])
    model = GammaGammaModel(model_config=_model_config(priors, GAMMA_GAMMA_PARAMETERS))
    model.fit(data=data, method="map", progressbar=False)
    parameters = _fitted_parameters(model, GAMMA_GAMMA_PARAMETERS)
    correlation = data["frequency"].corr(data["monetary_value"])
    return {
        "parameters": parameters,
        "log_likelihood": _log_likelihood(model, parameters, "potentiallogp"),
        "n_customers": len(data),
        "frequency_spend_correlation": None
        if pd.isna(correlation)
        else float(correlation),
    }


def _posterior(parameters: dict[str, float]) -> Any:
    import arviz as az  # noqa: PLC0415
    import xarray as xr  # noqa: PLC0415

    posterior = xr.Dataset(
        {name: (("chain", "draw"), [[value]]) for name, value in parameters.items()},
        coords={"chain": [0], "draw": [0]},
    )
    return az.InferenceData(posterior=posterior)


def _purchase_model(parameters: dict[str, float], data: pd.DataFrame) -> Any:
    from pymc_marketing.clv import BetaGeoModel  # noqa: PLC0415

    model = BetaGeoModel(model_config=_model_config({}, BG_NBD_PARAMETERS))
    model.build_model(data[["customer_id", "frequency", "recency", "T"]])
    model.idata = _posterior(parameters)
    return model


def _spend_model(parameters: dict[str, float]) -> Any:
    from pymc_marketing.clv import GammaGammaModel  # noqa: PLC0415

    model = GammaGammaModel(model_config=_model_config({}, GAMMA_GAMMA_PARAMETERS))
    model.idata = _posterior(parameters)
    return model


def _values(array: Any) -> np.ndarray:
    return np.asarray(array.squeeze(("chain", "draw"), drop=True), dtype="float64")


def predict_holdout_purchases(
    parameters: dict[str, float], calibration_summary: pd.DataFrame
) -> np.ndarray:
    """Predicts each customer's repeat purchases in the holdout period.

    Args:
        parameters: Fitted BG/NBD ``r``, ``alpha``, ``a``, ``b``.
        calibration_summary: ``customer_id``, ``frequency``, ``recency``, ``T``
            of the calibration period and ``holdout_length``.

    Returns:
        Expected purchases in the holdout period, one per customer, in row order.
    """
    data = calibration_summary.reset_index(drop=True)
    model = _purchase_model(parameters, data)
    return _values(
        model.expected_purchases(data, future_t=data["holdout_length"].to_numpy())
    )


def empty_customer_value(purchase_summary: pd.DataFrame) -> pd.DataFrame:
    """The summary with null value columns, for customers no model can score.

    Args:
        purchase_summary: ``customer_id`` and the summary columns.

    Returns:
        ``purchase_summary`` plus the ``VALUE_COLUMNS``, all null.
    """
    nulls = pd.array([None] * len(purchase_summary), dtype="Float64")
    return purchase_summary.reset_index(drop=True).assign(
        **dict.fromkeys(VALUE_COLUMNS, nulls)
    )


def predict_customer_value(
    value_models: dict[str, Any],
    purchase_summary: pd.DataFrame,
    settings: CustomerValueSettings,
) -> pd.DataFrame:
    """Predicts each customer's purchases, survival, spend and lifetime value.

    Customers without a repeat purchase are scored as the models define them:
    BG/NBD gives them a probability alive of 1 (no drop-out chance has passed)
    and Gamma-Gamma the population mean spend.

    Args:
        value_models: Output of ``fit_customer_value_models`` (``status``,
            ``time_unit`` and, when fitted, the ``bg_nbd`` and ``gamma_gamma``
            parameters).
        purchase_summary: ``customer_id``, ``frequency``, ``recency``, ``T`` and
            ``monetary_value`` in the models' time unit.
        settings: Horizon and discount rate (and the time unit, which must be the
            models').

    Returns:
        ``purchase_summary`` plus ``expected_purchases`` (over
        ``horizon_months``), ``probability_alive``, ``expected_spend`` (per
        purchase) and ``clv`` (discounted spend over ``horizon_months``); the
        value columns are null when the models were not fitted.

    Raises:
        ValueError: If the models were fitted in another time unit.
    """
    if value_models.get("status") != STATUS_FITTED or purchase_summary.empty:
        return empty_customer_value(purchase_summary)
    if value_models["time_unit"] != settings.time_unit:
        raise ValueError(
            f"customer_value.time_unit={settings.time_unit!r} differs from the "
            f"time unit the value models were fitted in ({value_models['time_unit']!r})"
        )
    from pymc_marketing.clv import customer_lifetime_value  # noqa: PLC0415

    data = purchase_summary.reset_index(drop=True)
    purchase_model = _purchase_model(value_models["bg_nbd"]["parameters"], data)
    spend_model = _spend_model(value_models["gamma_gamma"]["parameters"])
    horizon = settings.horizon_months * PERIODS_PER_MONTH[settings.time_unit]
    expected_spend = _values(spend_model.expected_customer_spend(data))
    clv = customer_lifetime_value(
        transaction_model=purchase_model,
        data=data.assign(future_spend=expected_spend),
        future_t=settings.horizon_months,
        discount_rate=settings.discount_rate,
        time_unit=_PYMC_TIME_UNIT[settings.time_unit],
    )
    return data.assign(
        expected_purchases=_values(
            purchase_model.expected_purchases(data, future_t=horizon)
        ),
        probability_alive=_values(purchase_model.expected_probability_alive(data)),
        expected_spend=expected_spend,
        clv=_values(clv),
    ).astype(dict.fromkeys(VALUE_COLUMNS, "Float64"))
