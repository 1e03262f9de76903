"""The value models against the published CDNOW results (Fader, Hardie & Lee 2005).

The tests read the CDNOW sample from ../shared/data/cdnow_sample and skip with a
reason where it is absent.
"""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from customer_segmentation.pipelines.customer_value.models import (
    fit_purchase_model,
    fit_spend_model,
)
from customer_segmentation.pipelines.customer_value.nodes import (
    summarise_customer_purchases,
)
from customer_segmentation.pipelines.customer_value.settings import (
    CustomerValueSettings,
    FitSample,
)
from customer_segmentation.pipelines.data_processing.nodes import (
    CleaningRules,
    CustomerCleaningRules,
    CustomersSchema,
    TransactionsSchema,
    flag_customers,
    flag_transactions,
    select_clean_transactions,
    select_returned_transactions,
    standardise_customers,
    standardise_transactions,
)
from customer_segmentation.pipelines.feature_engineering.nodes import (
    compute_customer_features,
)
from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)
from tests.project import shared_dataset

CDNOW = ("cdnow_sample",)
CALIBRATION_END = pd.Timestamp("1997-09-30")


def _summary() -> pd.DataFrame:
    path = shared_dataset(*CDNOW, "cdnow_customers_summary.csv")
    return pd.read_csv(path).rename(columns={"ID": "customer_id"})


def cdnow_summary_with_spend() -> pd.DataFrame:
    """The published summary with mean repeat spend, in the pipeline's column names."""
    path = shared_dataset(*CDNOW, "cdnow_customers_summary_with_transactions.csv")
    return pd.read_csv(path).rename(
        columns={
            "ID": "customer_id",
            "x": "frequency",
            "t_x": "recency",
            "zbar": "monetary_value",
        }
    )


def test_flat_prior_fit_reproduces_the_published_cdnow_parameters():
    settings = CustomerValueSettings()

    # With the configured fit sample: CDNOW's 2,357 customers are all fitted.
    bg_nbd = fit_purchase_model(_summary(), settings.bg_nbd_priors, settings.fit_sample)
    gamma_gamma = fit_spend_model(
        cdnow_summary_with_spend(), settings.gamma_gamma_priors, settings.fit_sample
    )

    fitted = {name: round(value, 3) for name, value in bg_nbd.parameters.items()}
    assert fitted == pytest.approx(
        {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, abs=0.005
    )
    assert bg_nbd.log_likelihood == pytest.approx(-9582.4, abs=0.05)
    spend = gamma_gamma.parameters
    assert spend["p"] == pytest.approx(6.25, abs=0.005)
    assert spend["q"] == pytest.approx(3.74, abs=0.01)
    assert spend["v"] == pytest.approx(15.44, abs=0.01)
    assert gamma_gamma.n_customers == 946
    assert bg_nbd.n_customers == 2357


def test_a_sampled_fit_stays_near_the_published_cdnow_parameters():
    # 2,000 of the 2,357 customers: the sample's estimates are close to the
    # whole set's (the bounds are a few standard errors of the published fit).
    settings = CustomerValueSettings()
    sample = FitSample(size=2000, random_state=0)

    bg_nbd = fit_purchase_model(_summary(), settings.bg_nbd_priors, sample)

    assert bg_nbd.n_customers == 2000
    assert bg_nbd.parameters == pytest.approx(
        {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}, rel=0.25
    )


def _raw_cdnow_lines() -> ibis.Table:
    # The file is whitespace-aligned without a header; the dollar value is the
    # line total, so it is the unit price of one unit.
    path = shared_dataset(*CDNOW, "CDNOW_sample.txt")
    raw = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        names=["master_id", "customer", "date", "n_cds", "value"],
        dtype=str,
    )
    return ibis.memtable(raw.assign(one="1"))


def _cdnow_purchase_summary() -> pd.DataFrame:
    schema = TransactionsSchema(
        columns={
            "customer_id": "customer",
            # No order ids: one purchase is a customer's day, as in the paper.
            "invoice_id": None,
            "invoice_date": "date",
            "product_id": "master_id",
            "quantity": "one",
            "unit_price": "value",
        },
        date_format="%Y%m%d",
    )
    # CDNOW has genuine identical lines and free purchases (value 0), and the
    # published summary counts both as purchases.
    rules = CleaningRules(drop_duplicate_lines=False, drop_non_positive_price=False)
    validated = standardise_transactions(_raw_cdnow_lines(), schema, "transactions")
    flagged = flag_transactions(validated, rules)
    clean = select_clean_transactions(flagged)
    no_attributes = flag_customers(
        standardise_customers(None, CustomersSchema(), "transactions"),
        CustomerCleaningRules(),
    )
    features = compute_customer_features(
        aggregate_customer_orders(clean),
        clean,
        select_returned_transactions(flagged),
        no_attributes,
        CALIBRATION_END,
        input_kind="transactions",
    )
    summary = summarise_customer_purchases(
        aggregate_customer_orders(clean),
        features,
        CALIBRATION_END,
        CustomerValueSettings(time_unit="weeks"),
        "transactions",
    ).to_pandas()
    return summary.assign(customer_id=summary["customer_id"].astype(int))


def test_purchase_summary_from_the_raw_cdnow_lines_matches_the_published_one():
    built = _cdnow_purchase_summary().set_index("customer_id").sort_index()
    published = cdnow_summary_with_spend().set_index("customer_id").sort_index()

    assert built.index.equals(published.index)
    assert (built["frequency"] == published["frequency"]).all()
    # The published file rounds recency, T and spend to 2 decimals.
    for column in ("recency", "T", "monetary_value"):
        difference = (built[column] - published[column]).abs().max()
        assert difference <= 0.005 + 1e-9, column


def _library_fit(model_class: type, data: pd.DataFrame, names: tuple[str, ...]) -> dict:
    # pymc-marketing's own model class, fitted by MAP with the project's flat
    # priors (PriorSpec's default) on every parameter.
    from pymc_extras.prior import Prior  # noqa: PLC0415

    model = model_class(model_config={name: Prior("HalfFlat") for name in names})
    model.fit(data=data, method="map", progressbar=False)
    posterior = model.idata.posterior
    return {name: float(posterior[name].values.squeeze()) for name in names}


def test_the_fits_equal_pymc_marketings_own_model_classes_on_cdnow():
    # The project's fits restate how pymc-marketing builds its models (its BG/NBD
    # likelihood, its Gamma-Gamma potential) with the data in shared variables,
    # so that a fit compiles once: a change in the library's models shows here.
    from pymc_marketing.clv import BetaGeoModel, GammaGammaModel  # noqa: PLC0415

    settings = CustomerValueSettings()
    purchases, spend = _summary(), cdnow_summary_with_spend()
    ours = {
        **fit_purchase_model(purchases, settings.bg_nbd_priors).parameters,
        **fit_spend_model(spend, settings.gamma_gamma_priors).parameters,
    }

    repeat = spend[(spend["frequency"] > 0) & (spend["monetary_value"] > 0)]
    library = {
        **_library_fit(
            BetaGeoModel,
            purchases[["customer_id", "frequency", "recency", "T"]],
            ("r", "alpha", "a", "b"),
        ),
        **_library_fit(
            GammaGammaModel,
            repeat[["customer_id", "frequency", "monetary_value"]],
            ("p", "q", "v"),
        ),
    }

    assert ours.keys() == library.keys()
    for name, value in library.items():
        assert ours[name] == pytest.approx(value, rel=1e-7), name
