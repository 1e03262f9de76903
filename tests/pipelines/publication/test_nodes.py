"""Unit tests of the publication nodes, on tiny explicit inputs."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from customer_segmentation.bundle import (
    BundleMismatchError,
    CustomerValueModels,
    ObservedValues,
)
from customer_segmentation.pipelines.data_processing.settings import (
    CustomerCleaningRules,
)
from customer_segmentation.pipelines.feature_engineering.domains import FeatureDomain
from customer_segmentation.pipelines.feature_engineering.orders import (
    aggregate_customer_orders,
)
from customer_segmentation.pipelines.modeling.settings import (
    ModelFeatures,
    PreprocessingSettings,
)
from customer_segmentation.pipelines.publication.nodes import (
    assemble_model_bundle,
    describe_features,
    fingerprint_training_run,
    hash_parameters,
    summarise_purchase_dates,
)
from customer_segmentation.pipelines.publication.settings import PublicationSettings
from tests.bundles import tiny_bundle

SELECTION = pd.DataFrame(
    {
        "algorithm": ["kmeans", "kmeans"],
        "k": [2, 3],
        "silhouette": [0.61, 0.4],
        "bic": [float("nan"), float("nan")],
        "fit_seconds": [0.1, 0.2],
        "chosen": [True, False],
        "reason": ["best", "worse"],
    }
)


def _model_input(numeric: list[str]) -> pd.DataFrame:
    # 101 customers: 0, 1, ..., 100 in every numeric column, a country each.
    values = {name: [float(value) for value in range(101)] for name in numeric}
    return pd.DataFrame(
        {"customer_id": [str(i) for i in range(101)], "country": ["UK"] * 101} | values
    )


def test_describe_features_lists_columns_kinds_and_transforms_in_model_order():
    spec = describe_features(
        ModelFeatures(
            numeric=["recency_days", "monetary"],
            categorical=["country"],
            order_segments_by="frequency",
        ),
        PreprocessingSettings(log_transform=["monetary"], scale=True),
        CustomerCleaningRules(),
        _model_input(["recency_days", "monetary", "country", "frequency"]),
    )

    assert spec.names == ["recency_days", "monetary", "country", "frequency"]
    kinds = {feature.name: feature.kind for feature in spec.features}
    assert kinds == {
        "recency_days": "numeric",
        "monetary": "numeric",
        "country": "categorical",
        "frequency": "ordering",
    }
    assert spec.features[1].transforms == ["impute_median", "log1p", "standardise"]
    assert spec.features[2].transforms == ["impute_missing", "one_hot"]
    assert spec.model_features.categorical == ["country"]


def test_describe_features_declares_each_numeric_column_domain():
    spec = describe_features(
        ModelFeatures(
            numeric=["recency_days", "return_rate", "age", "spend_per_day"],
            categorical=["country"],
            order_segments_by="monetary",
        ),
        PreprocessingSettings(),
        CustomerCleaningRules(
            max_abs_value=1e9, bounds={"age": {"min": 18, "max": 100}}
        ),
        _model_input(
            ["recency_days", "return_rate", "age", "spend_per_day", "monetary"]
        ),
    )

    assert spec.domains == {
        "recency_days": FeatureDomain(minimum=0, integer=True),
        "return_rate": FeatureDomain(minimum=0, maximum=1),
        "age": FeatureDomain(minimum=18, maximum=100),
        "spend_per_day": FeatureDomain(minimum=-1e9, maximum=1e9),
        "monetary": FeatureDomain(minimum=0),
    }
    assert spec.features[4].domain is None  # country: categorical


def test_describe_features_starts_a_logged_feature_domain_at_zero():
    # log1p has no value below 0: the API refuses a negative one (422).
    spec = describe_features(
        ModelFeatures(numeric=["income", "age"], order_segments_by="income"),
        PreprocessingSettings(log_transform=["income"]),
        CustomerCleaningRules(max_abs_value=1e9, bounds={"age": {"min": 18}}),
        _model_input(["income", "age"]),
    )

    assert spec.domains == {
        "income": FeatureDomain(minimum=0, maximum=1e9),
        "age": FeatureDomain(minimum=18, maximum=1e9),
    }


def test_describe_features_records_the_training_percentiles_of_numeric_columns():
    features = ModelFeatures(
        numeric=["income"], categorical=["country"], order_segments_by="monetary"
    )
    model_input = _model_input(["income", "monetary"])
    model_input.loc[0, "income"] = None  # left out, as the median imputer does

    spec = describe_features(
        features, PreprocessingSettings(), CustomerCleaningRules(), model_input
    )

    observed = {feature.name: feature.observed for feature in spec.features}
    assert observed == {
        "income": ObservedValues(low=1.99, median=50.5, high=99.01),
        "country": None,
        "monetary": ObservedValues(low=1.0, median=50.0, high=99.0),
    }


def _orders(invoice_dates: list[str]) -> ibis.Table:
    lines = pd.DataFrame(
        {
            "customer_id": pd.Series(["a"] * len(invoice_dates), dtype="string"),
            "invoice_id": pd.Series(
                [str(number) for number in range(len(invoice_dates))], dtype="string"
            ),
            "invoice_date": pd.Series(
                pd.to_datetime(invoice_dates), dtype="datetime64[us]"
            ),
            "line_total": pd.Series([1.0] * len(invoice_dates), dtype="float64"),
            "country": pd.Series(["UK"] * len(invoice_dates), dtype="string"),
        }
    )
    return aggregate_customer_orders(ibis.memtable(lines))


def test_purchase_dates_are_the_first_and_last_clean_line():
    orders = _orders(["2025-03-01 18:30", "2025-01-02 09:15", "2025-02-01 00:00"])

    dates = summarise_purchase_dates(orders)

    assert dates == {
        "first_purchase": "2025-01-02T09:15:00",
        "last_purchase": "2025-03-01T18:30:00",
    }


def test_purchase_dates_are_missing_without_transactions():
    assert summarise_purchase_dates(_orders([])) == {
        "first_purchase": None,
        "last_purchase": None,
    }


def test_fingerprint_records_the_run_and_the_chosen_candidate():
    fingerprint = fingerprint_training_run(
        {"rows_in": 120},
        pd.DataFrame({"customer_id": ["a", "b", "c"]}),
        {"first_purchase": "2025-01-02T00:00:00", "last_purchase": None},
        pd.Timestamp("2025-03-02"),
        SELECTION,
        {"model_choice": {"k": None}},
        PublicationSettings(environment="alpha"),
    )

    assert fingerprint.environment == "alpha"
    assert (fingerprint.rows_in, fingerprint.customers_in) == (120, 3)
    assert fingerprint.reference_date == "2025-03-02T00:00:00"
    assert (fingerprint.algorithm, fingerprint.n_segments) == ("kmeans", 2)
    assert fingerprint.metrics == {"silhouette": 0.61, "bic": None}
    assert fingerprint.parameters_sha256 == hash_parameters(
        {"model_choice": {"k": None}}
    )


def test_the_parameters_hash_changes_with_any_parameter():
    assert hash_parameters({"k": 2}) != hash_parameters({"k": 3})
    assert hash_parameters({"a": 1, "b": 2}) == hash_parameters({"b": 2, "a": 1})


def test_fingerprint_needs_exactly_one_chosen_candidate():
    with pytest.raises(ValueError, match=r"2 rows have chosen=True"):
        fingerprint_training_run(
            {"rows_in": 1},
            pd.DataFrame({"customer_id": ["a"]}),
            {"first_purchase": None, "last_purchase": None},
            pd.NaT,
            SELECTION.assign(chosen=True),
            {},
            PublicationSettings(environment="base"),
        )


def _names(n_segments: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment_id": range(n_segments),
            "segment_name": [f"segment {i}" for i in range(n_segments)],
            "recommended_action": ["act"] * n_segments,
        }
    )


def _rules(segment_ids: list[int]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "segment_id": segment_ids,
            "segment_name": [f"segment {i}" for i in segment_ids],
            "rule": ["monetary > 100"] * len(segment_ids),
            "n_customers": [3] * len(segment_ids),
            "precision": [1.0] * len(segment_ids),
            "recall": [1.0] * len(segment_ids),
        }
    )


def test_assemble_model_bundle_puts_names_and_rules_with_the_model():
    parts = tiny_bundle()

    bundle = assemble_model_bundle(
        parts.segmentation_model,
        parts.feature_spec,
        _names(2),
        _rules([0, 1]),
        {"fidelity": 1.0},
        parts.fingerprint,
        parts.customer_value_models,
    )

    assert bundle.segments.by_id()[1]["segment_name"] == "segment 1"
    assert [rule.segment_id for rule in bundle.segment_rules.rules] == [0, 1]
    assert bundle.version is None


def test_assemble_model_bundle_refuses_names_of_another_model():
    parts = tiny_bundle()

    with pytest.raises(BundleMismatchError, match=r"ids \[0, 1, 2\] but the model"):
        assemble_model_bundle(
            parts.segmentation_model,
            parts.feature_spec,
            _names(3),
            _rules([0, 1]),
            {},
            parts.fingerprint,
            parts.customer_value_models,
        )


def test_assemble_model_bundle_refuses_value_models_of_another_reference_date():
    parts = tiny_bundle()
    fingerprint = parts.fingerprint.model_copy(
        update={"reference_date": "2025-07-01T00:00:00"}
    )
    fit = {"log_likelihood": -1.0, "n_customers": 6}
    value_models = CustomerValueModels(
        status="fitted",
        time_unit="weeks",
        reference_date="2025-06-01T00:00:00",
        bg_nbd={"parameters": {"r": 1.0, "alpha": 1.0, "a": 1.0, "b": 1.0}, **fit},
        gamma_gamma={"parameters": {"p": 1.0, "q": 2.0, "v": 1.0}, **fit},
    )

    with pytest.raises(BundleMismatchError, match="reference_date='2025-06-01"):
        assemble_model_bundle(
            parts.segmentation_model,
            parts.feature_spec,
            _names(2),
            _rules([0, 1]),
            {},
            fingerprint,
            value_models,
        )
