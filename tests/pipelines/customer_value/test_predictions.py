"""The closed-form predictions against pymc-marketing's own, on CDNOW and on the built-in sample.

pymc-marketing's ``BetaGeoModel``, ``GammaGammaModel`` and
``customer_lifetime_value`` are built here from the same parameters, as the
reference the numpy definitions must equal.
"""

from __future__ import annotations

import arviz as az
import ibis
import numpy as np
import pandas as pd
import pytest
import xarray as xr
from pymc_marketing.clv import (
    BetaGeoModel,
    GammaGammaModel,
    customer_lifetime_value,
)

from customer_segmentation.bundle import CustomerValueModels
from customer_segmentation.pipelines.customer_value.inputs import summarise_purchases
from customer_segmentation.pipelines.customer_value.models import (
    predict_customer_value,
)
from customer_segmentation.pipelines.customer_value.settings import (
    CustomerValueSettings,
)
from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)
from tests.pipelines.customer_value.test_cdnow import cdnow_summary_with_spend
from tests.pipelines.customer_value.test_models import (
    BG_NBD as CDNOW_BG_NBD,
)
from tests.pipelines.customer_value.test_models import (
    GAMMA_GAMMA as CDNOW_GAMMA_GAMMA,
)
from tests.project import PROJECT_ROOT

PYMC_TIME_UNIT = {"days": "D", "weeks": "W", "months": "M"}
TOLERANCE = {"rtol": 1e-6, "atol": 1e-9}


def _posterior(parameters: dict[str, float]) -> az.InferenceData:
    posterior = xr.Dataset(
        {name: (("chain", "draw"), [[value]]) for name, value in parameters.items()},
        coords={"chain": [0], "draw": [0]},
    )
    return az.InferenceData(posterior=posterior)


def _values(array: xr.DataArray) -> np.ndarray:
    return np.asarray(array.squeeze(("chain", "draw"), drop=True), dtype="float64")


def pymc_marketing_value(
    value_models: CustomerValueModels,
    summary: pd.DataFrame,
    settings: CustomerValueSettings,
) -> pd.DataFrame:
    """The four value columns as pymc-marketing predicts them."""
    data = summary.reset_index(drop=True)
    purchase_model = BetaGeoModel()
    purchase_model.build_model(data[["customer_id", "frequency", "recency", "T"]])
    purchase_model.idata = _posterior(value_models.bg_nbd.parameters)
    spend_model = GammaGammaModel()
    spend_model.idata = _posterior(value_models.gamma_gamma.parameters)
    spend = _values(spend_model.expected_customer_spend(data))
    periods = {"days": 30.0, "weeks": 4.345, "months": 1.0}[settings.time_unit]
    horizon = settings.horizon_months * periods
    return pd.DataFrame(
        {
            "expected_purchases": _values(
                purchase_model.expected_purchases(data, future_t=horizon)
            ),
            "probability_alive": _values(
                purchase_model.expected_probability_alive(data)
            ),
            "expected_spend": spend,
            "clv": _values(
                customer_lifetime_value(
                    transaction_model=purchase_model,
                    data=data.assign(future_spend=spend),
                    future_t=settings.horizon_months,
                    discount_rate=settings.discount_rate,
                    time_unit=PYMC_TIME_UNIT[settings.time_unit],
                )
            ),
        }
    )


def _assert_equal_to_pymc_marketing(
    value_models: CustomerValueModels,
    summary: pd.DataFrame,
    settings: CustomerValueSettings,
) -> None:
    ours = predict_customer_value(value_models, summary, settings)
    reference = pymc_marketing_value(value_models, summary, settings)
    for column in reference:
        np.testing.assert_allclose(
            ours[column].to_numpy(dtype="float64"),
            reference[column].to_numpy(),
            err_msg=column,
            **TOLERANCE,
        )


def _fitted(bg_nbd: dict[str, float], time_unit: str) -> CustomerValueModels:
    return CustomerValueModels.model_validate(
        {
            "status": "fitted",
            "time_unit": time_unit,
            "bg_nbd": {"parameters": bg_nbd, "log_likelihood": 0.0, "n_customers": 1},
            "gamma_gamma": {
                "parameters": CDNOW_GAMMA_GAMMA,
                "log_likelihood": 0.0,
                "n_customers": 1,
            },
        }
    )


@pytest.mark.parametrize("discount_rate", [0.0, 0.01])
def test_cdnow_predictions_equal_pymc_marketings(discount_rate):
    settings = CustomerValueSettings(horizon_months=12, discount_rate=discount_rate)

    _assert_equal_to_pymc_marketing(
        _fitted(CDNOW_BG_NBD, "weeks"), cdnow_summary_with_spend(), settings
    )


@pytest.fixture(scope="module")
def sample_summary() -> pd.DataFrame:
    """The built-in sample's purchases summarised in days, at the day after the last."""
    raw = pd.read_parquet(PROJECT_ROOT / "data" / "01_raw" / "transactions.parquet")
    lines = raw[(raw["quantity"] > 0) & raw["customer_id"].notna()]
    lines = pd.DataFrame(
        {
            "customer_id": lines["customer_id"].astype("int64").astype(str),
            "invoice_id": lines["invoice_id"],
            "invoice_date": lines["invoice_date"],
            "line_total": lines["quantity"] * lines["unit_price"],
            "country": lines["country"],
        }
    )
    table = ibis.memtable(lines)
    reference = lines["invoice_date"].max().normalize() + pd.Timedelta(days=1)
    return summarise_purchases(
        aggregate_customer_orders(table),
        table.select("customer_id").distinct(),
        reference,
        "days",
    ).to_pandas()


def test_sample_predictions_equal_pymc_marketings(sample_summary):
    # The CDNOW fit with its rate in days: the sample brings many more, and
    # larger, purchase counts and ages than CDNOW.
    settings = CustomerValueSettings(time_unit="days", discount_rate=0.01)
    value_models = _fitted({**CDNOW_BG_NBD, "alpha": 7 * CDNOW_BG_NBD["alpha"]}, "days")

    _assert_equal_to_pymc_marketing(value_models, sample_summary, settings)
