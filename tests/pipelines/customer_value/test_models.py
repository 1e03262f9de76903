"""Predictions rebuilt from stored parameters, checked against the paper and the formulas."""

from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from customer_segmentation.bundle import CustomerValueModels
from customer_segmentation.pipelines.customer_value.models import (
    STATUS_FITTED,
    STATUS_INSUFFICIENT_REPEAT_DATA,
    VALUE_COLUMNS,
    fitted_customers,
    predict_customer_value,
    predict_holdout_purchases,
)
from customer_segmentation.pipelines.customer_value.settings import (
    CustomerValueSettings,
    FitSample,
)

# The published CDNOW fits (Fader, Hardie & Lee 2005; Fader & Hardie 2013).
BG_NBD = {"r": 0.2426, "alpha": 4.4136, "a": 0.7930, "b": 2.4261}
GAMMA_GAMMA = {"p": 6.25, "q": 3.74, "v": 15.44}


def _value_models(time_unit: str = "weeks") -> CustomerValueModels:
    fit = {"log_likelihood": 0.0, "n_customers": 1}
    record = {
        "status": STATUS_FITTED,
        "time_unit": time_unit,
        "bg_nbd": {"parameters": BG_NBD, **fit},
        "gamma_gamma": {"parameters": GAMMA_GAMMA, **fit},
    }
    # Stored as JSON in the bundle: what is loaded back is plain numbers.
    return CustomerValueModels.model_validate_json(json.dumps(record))


def _customers() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": ["repeat", "one-off"],
            "frequency": [2, 0],
            "recency": [30.43, 0.0],
            "T": [38.86, 38.86],
            "monetary_value": [22.35, 0.0],
        }
    )


def test_holdout_forecast_matches_the_papers_worked_example():
    # Section 5 of the paper: a customer with x=2, t_x=30.43, T=38.86 is expected
    # to make 1.226 purchases in the next 39 weeks.
    customer = _customers().head(1).assign(holdout_length=39.0)

    (expected,) = predict_holdout_purchases(BG_NBD, customer)

    assert expected == pytest.approx(1.226, abs=0.0005)


def test_without_discount_clv_is_expected_purchases_times_expected_spend():
    settings = CustomerValueSettings(discount_rate=0.0, horizon_months=12)

    value = predict_customer_value(_value_models(), _customers(), settings)

    assert value["clv"].to_numpy() == pytest.approx(
        (value["expected_purchases"] * value["expected_spend"]).to_numpy()
    )


def test_discount_lowers_the_lifetime_value():
    plain = predict_customer_value(
        _value_models(), _customers(), CustomerValueSettings(discount_rate=0.0)
    )
    discounted = predict_customer_value(
        _value_models(), _customers(), CustomerValueSettings(discount_rate=0.05)
    )

    assert (discounted["clv"] < plain["clv"]).all()


def test_one_off_customer_gets_the_population_spend_and_is_alive():
    value = predict_customer_value(
        _value_models(), _customers(), CustomerValueSettings()
    ).set_index("customer_id")

    population_mean = GAMMA_GAMMA["p"] * GAMMA_GAMMA["v"] / (GAMMA_GAMMA["q"] - 1)
    assert value.loc["one-off", "expected_spend"] == pytest.approx(population_mean)
    assert value.loc["one-off", "probability_alive"] == pytest.approx(1.0)
    assert 0 < value.loc["repeat", "probability_alive"] < 1


def test_models_not_fitted_give_no_value_columns_and_log_why(caplog):
    with caplog.at_level(logging.INFO):
        value = predict_customer_value(
            CustomerValueModels(status=STATUS_INSUFFICIENT_REPEAT_DATA),
            _customers(),
            CustomerValueSettings(),
        )

    assert list(value["customer_id"]) == ["repeat", "one-off"]
    assert not set(VALUE_COLUMNS) & set(value.columns)
    assert "status=insufficient_repeat_data: too few customers" in caplog.text


def test_a_fitted_record_without_both_models_is_refused():
    with pytest.raises(ValueError, match="status='fitted' needs gamma_gamma"):
        CustomerValueModels(
            status=STATUS_FITTED,
            time_unit="weeks",
            bg_nbd=_value_models().bg_nbd,
        )


def test_models_of_another_time_unit_are_refused():
    with pytest.raises(ValueError, match=r"time_unit='weeks' differs .*\('days'\)"):
        predict_customer_value(
            _value_models("days"), _customers(), CustomerValueSettings()
        )


def test_fitted_customers_is_everyone_up_to_the_sample_size():
    summary = pd.DataFrame({"customer_id": [str(i) for i in range(3000)]})

    assert fitted_customers(summary, None) is summary
    assert fitted_customers(summary, FitSample(size=None)) is summary
    assert fitted_customers(summary, FitSample(size=3000)) is summary


def test_fitted_customers_above_the_size_is_a_seeded_sample_in_row_order():
    summary = pd.DataFrame({"customer_id": [str(i) for i in range(3000)]})
    sample = FitSample(size=1000, random_state=7)

    first = fitted_customers(summary, sample)
    again = fitted_customers(summary, sample)
    other = fitted_customers(summary, FitSample(size=1000, random_state=8))

    assert len(first) == 1000
    assert first["customer_id"].tolist() == again["customer_id"].tolist()
    assert first["customer_id"].tolist() != other["customer_id"].tolist()
    assert first.index.is_monotonic_increasing


def test_fitted_customers_do_not_depend_on_the_row_order():
    summary = pd.DataFrame({"customer_id": [str(i) for i in range(3000)]})
    shuffled = summary.sample(frac=1.0, random_state=1).reset_index(drop=True)
    sample = FitSample(size=1000, random_state=7)

    chosen = set(fitted_customers(summary, sample)["customer_id"])

    assert set(fitted_customers(shuffled, sample)["customer_id"]) == chosen
