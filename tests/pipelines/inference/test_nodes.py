"""Unit tests of the inference nodes, on tiny explicit frames."""

import logging

import ibis
import numpy as np
import pandas as pd
import pytest
from sklearn.cluster import KMeans
from sklearn.mixture import GaussianMixture

from customer_segmentation.pipelines.feature_engineering.settings import (
    FeatureSettings,
    ModelInputChecks,
)
from customer_segmentation.pipelines.inference.nodes import (
    CUSTOMER_VALUE_COLUMNS,
    SCORED_COLUMNS,
    SCORED_WITH_VALUE_COLUMNS,
    ScoringSettings,
    list_known_customers,
    score_customers,
    score_model_input,
    select_bundle_model_input,
    unscored_customers,
)
from customer_segmentation.pipelines.inference.value import attach_customer_value
from customer_segmentation.pipelines.modeling.estimator import (
    SegmentationModel,
    build_preprocessor,
)
from tests.bundles import make_bundle

FEATURES = ["recency_days", "frequency", "monetary"]
# Two obvious groups: recent big spenders (segment 0) and lapsed small ones (1).
TRAINING = pd.DataFrame(
    {
        "recency_days": [2.0, 3.0, 4.0, 300.0, 310.0, 320.0],
        "frequency": [20.0, 22.0, 25.0, 1.0, 1.0, 2.0],
        "monetary": [5000.0, 5200.0, 5400.0, 20.0, 25.0, 30.0],
    }
)
NAMES = {
    0: {"segment_name": "Champions", "recommended_action": "Reward"},
    1: {"segment_name": "Hibernating", "recommended_action": "Reactivate"},
}


# The new data's reference date as the pipeline resolves it, with none set; the
# rule that reads it is tested in test_history.py.
NO_REFERENCE_DATE = {"reference_date": pd.NaT, "feature_settings": FeatureSettings()}


@pytest.fixture(scope="module")
def model() -> SegmentationModel:
    preprocessor = build_preprocessor(FEATURES, [], [])
    clusterer = KMeans(n_clusters=2, n_init=1, random_state=0)
    return SegmentationModel(preprocessor, clusterer).fit(TRAINING)


def model_input(customer_ids: list[str], rows: list[list[float]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=FEATURES)
    return frame.assign(customer_id=customer_ids)[["customer_id", *FEATURES]]


def score(
    model: SegmentationModel,
    frame: pd.DataFrame,
    features: pd.DataFrame,
    known: pd.DataFrame,
    input_kind: str = "transactions",
    **scoring: int,
) -> pd.DataFrame:
    """score_customers with the two-segment bundle of ``model``."""
    return score_customers(
        make_bundle(model, ["Champions", "Hibernating"]),
        frame,
        customer_features=features,
        known_customers=known,
        scoring=ScoringSettings(**scoring),
        input_kind=input_kind,
        **NO_REFERENCE_DATE,
    )


def test_list_known_customers_joins_lines_and_attributes_without_empty_ids():
    flagged = ibis.memtable(
        {"customer_id": ["b", "a", None, "", "a"], "drop_reason": [None] * 5}
    )
    customers = ibis.memtable({"customer_id": ["c", "a"]})

    known = list_known_customers(flagged, customers)

    assert known["customer_id"].tolist() == ["a", "b", "c"]


def test_score_model_input_assigns_segment_name_and_distance(model):
    frame = model_input(["big", "lapsed"], [[3, 21, 5100], [305, 1, 22]])

    scored = score_model_input(model, frame, NAMES, "v1")

    assert list(scored.columns) == list(SCORED_COLUMNS)
    assert scored["segment_id"].tolist() == [0, 1]
    assert scored["segment_name"].tolist() == ["Champions", "Hibernating"]
    assert scored["recommended_action"].tolist() == ["Reward", "Reactivate"]
    assert (scored["distance_to_centre"] >= 0).all()
    assert scored["status"].tolist() == ["scored", "scored"]
    assert scored["model_version"].tolist() == ["v1", "v1"]


def test_score_model_input_leaves_probability_null_without_predict_proba(model):
    frame = model_input(["big"], [[3, 21, 5100]])

    scored = score_model_input(model, frame, NAMES, "v1")

    assert scored["probability"].isna().all()


def test_score_model_input_gives_mixture_probability_of_assigned_segment():
    preprocessor = build_preprocessor(FEATURES, [], [])
    mixture = GaussianMixture(n_components=2, random_state=0)
    model = SegmentationModel(preprocessor, mixture, algorithm="gmm_full").fit(TRAINING)
    frame = model_input(["big", "lapsed"], [[3, 21, 5100], [305, 1, 22]])

    scored = score_model_input(model, frame, NAMES, "v1")

    expected = model.predict_proba(frame.drop(columns="customer_id"))
    segment_ids = scored["segment_id"].to_numpy(dtype=int)
    assert scored["probability"].tolist() == pytest.approx(
        expected[np.arange(2), segment_ids].tolist()
    )
    assert scored["probability"].between(0.5, 1).all()


def test_score_model_input_names_an_unnamed_segment_null_with_a_warning(model, caplog):
    only_first = {0: NAMES[0]}
    frame = model_input(["lapsed"], [[305, 1, 22]])

    with caplog.at_level(logging.WARNING):
        scored = score_model_input(model, frame, only_first, "v1")

    assert scored["segment_id"].tolist() == [1]
    assert scored["segment_name"].isna().all()
    assert "no row for segment id(s) [1]" in caplog.text


def test_score_model_input_rejects_columns_the_model_was_not_trained_on(model):
    frame = model_input(["big"], [[3, 21, 5100]]).drop(columns="monetary")

    with pytest.raises(ValueError, match=r"model_input: columns .* differ from"):
        score_model_input(model, frame, {}, "v1")


def test_unscored_customers_have_a_status_and_no_segment():
    rows = unscored_customers(["x"], "insufficient_history", "v1")

    assert rows.iloc[0]["status"] == "insufficient_history"
    assert (
        rows[["segment_id", "segment_name", "distance_to_centre"]].isna().all(axis=None)
    )


def test_unscored_customers_rejects_an_unknown_status():
    with pytest.raises(ValueError, match=r"status='lost' should be one of"):
        unscored_customers(["x"], "lost", "v1")


def test_score_customers_gives_short_histories_a_status_not_a_segment(model):
    frame = model_input(["big", "lapsed"], [[3, 21, 5100], [305, 1, 22]])
    features = pd.DataFrame({"customer_id": ["big", "lapsed"], "frequency": [21, 1]})
    known = pd.DataFrame({"customer_id": ["big", "lapsed"]})

    scored = score(model, frame, features, known, min_invoices=2)

    assert scored["status"].tolist() == ["scored", "insufficient_history"]
    assert pd.isna(scored["segment_id"].iloc[1])


def test_score_customers_reports_customers_whose_lines_were_all_dropped(model):
    frame = model_input(["big"], [[3, 21, 5100]])
    features = pd.DataFrame({"customer_id": ["big"], "frequency": [21]})
    known = pd.DataFrame({"customer_id": ["all_cancelled", "big"]})

    scored = score(model, frame, features, known)

    assert scored["customer_id"].tolist() == ["all_cancelled", "big"]
    assert scored["status"].tolist() == ["no_valid_transactions", "scored"]


def test_score_customers_scores_attribute_rows_without_a_purchase_history(model):
    # Attribute data has no invoices: no history rule, and an id whose attribute
    # row cleaning dropped says so (not "no valid transactions").
    frame = model_input(["big", "lapsed"], [[3, 21, 5100], [305, 1, 22]])
    features = frame.drop(columns="frequency")
    known = pd.DataFrame({"customer_id": ["big", "implausible", "lapsed"]})

    scored = score(
        model, frame, features, known, input_kind="attributes", min_invoices=2
    )

    assert scored["customer_id"].tolist() == ["big", "implausible", "lapsed"]
    assert scored["status"].tolist() == ["scored", "no_valid_attributes", "scored"]
    assert scored["segment_id"].tolist()[::2] == [0, 1]


def test_score_customers_rejects_a_customer_without_invoice_count(model):
    frame = model_input(["big"], [[3, 21, 5100]])
    features = pd.DataFrame({"customer_id": ["other"], "frequency": [21]})

    with pytest.raises(
        ValueError, match=r"no 'frequency' for customer_id\(s\) \['big'\]"
    ):
        score(model, frame, features, pd.DataFrame({"customer_id": ["big"]}))


def test_score_customers_gives_the_same_rows_whatever_the_batch_size(model):
    frame = model_input(
        ["c1", "c2", "c3", "c4", "c5"],
        [[3, 21, 5100], [305, 1, 22], [4, 24, 5300], [310, 2, 28], [2, 20, 5000]],
    )
    features = frame[["customer_id", "frequency"]]
    known = pd.DataFrame({"customer_id": ["c0", "c1", "c2", "c3", "c4", "c5"]})
    bundle = make_bundle(model, ["Champions", "Hibernating"])

    def scored(batch_customers: int) -> pd.DataFrame:
        return score_customers(
            bundle,
            frame,
            customer_features=features,
            known_customers=known,
            scoring=ScoringSettings(batch_customers=batch_customers),
            input_kind="transactions",
            **NO_REFERENCE_DATE,
        )

    in_one = scored(100)
    pd.testing.assert_frame_equal(scored(2), in_one)
    assert in_one["segment_id"].tolist()[1:] == [0, 1, 0, 1, 0]


def test_score_model_input_lists_each_customers_imputed_features(model):
    frame = model_input(
        ["full", "no_money", "empty"],
        [[3, 21, 5100], [305, 1, np.nan], [np.nan, np.nan, np.nan]],
    )

    scored = score_model_input(model, frame, NAMES, "v1")

    assert scored["imputed_features"].tolist() == [
        [],
        ["monetary"],
        ["recency_days", "frequency", "monetary"],
    ]


@pytest.mark.parametrize("pca_components", [None, 2])
def test_score_model_input_scores_an_unknown_category_level_as_missing_and_says_so(
    caplog, pca_components
):
    training = TRAINING.assign(channel=["shop", "shop", "web", "web", "shop", "web"])
    preprocessor = build_preprocessor(
        FEATURES, [], ["channel"], pca_components=pca_components
    )
    clusterer = KMeans(n_clusters=2, n_init=1, random_state=0)
    fitted = SegmentationModel(preprocessor, clusterer).fit(training)
    frame = model_input(["known", "typo", "absent"], [[3, 21, 5100]] * 3).assign(
        channel=["web", "Web", None]
    )

    with caplog.at_level(logging.WARNING):
        scored = score_model_input(fitted, frame, NAMES, "v1")

    assert fitted.category_levels["channel"].tolist() == ["shop", "web"]
    assert scored["imputed_features"].tolist() == [[], ["channel"], ["channel"]]
    # The unknown level is encoded as the missing one: the same distance.
    distances = scored["distance_to_centre"].tolist()
    assert distances[1] == distances[2] != distances[0]
    assert "1 customer(s) have a channel the model cannot use" in caplog.text
    assert "['Web']" in caplog.text


@pytest.mark.parametrize("pca_components", [None, 2])
def test_score_model_input_scores_a_negative_logged_value_as_missing_and_says_so(
    caplog, pca_components
):
    # log1p clipped -5000 to 0: a customer who owes money was scored as one who
    # spent nothing, and nothing said so.
    preprocessor = build_preprocessor(
        FEATURES, ["monetary"], [], pca_components=pca_components
    )
    clusterer = KMeans(n_clusters=2, n_init=1, random_state=0)
    fitted = SegmentationModel(preprocessor, clusterer).fit(TRAINING)
    frame = model_input(
        ["owes", "absent", "none"],
        [[300, 1, -5000.0], [300, 1, np.nan], [300, 1, 0.0]],
    )

    with caplog.at_level(logging.WARNING):
        scored = score_model_input(fitted, frame, NAMES, "v1")

    assert fitted.logged_features == ["monetary"]
    assert scored["imputed_features"].tolist() == [["monetary"], ["monetary"], []]
    # Scored as the missing value is (the median), not as 0.
    distances = scored["distance_to_centre"].tolist()
    assert distances[0] == distances[1] != distances[2]
    assert "1 customer(s) have a monetary the model cannot use" in caplog.text
    assert "[-5000.0]" in caplog.text


def test_scoring_settings_reject_a_batch_of_no_customers():
    with pytest.raises(ValueError, match=r"batch_customers"):
        ScoringSettings(batch_customers=0)


def test_scoring_settings_reject_a_minimum_below_one():
    with pytest.raises(ValueError, match=r"min_invoices"):
        ScoringSettings(min_invoices=0)


def test_score_customers_names_segments_and_versions_rows_from_the_bundle(model):
    frame = model_input(["big", "lapsed"], [[3, 21, 5100], [305, 1, 22]])
    features = pd.DataFrame({"customer_id": ["big", "lapsed"], "frequency": [21, 1]})

    scored = score_customers(
        make_bundle(model, ["Best", "Sleeping"], version="2026-01-01T00.00.00.000Z"),
        frame,
        customer_features=features,
        known_customers=features[["customer_id"]],
        scoring=ScoringSettings(),
        input_kind="transactions",
        **NO_REFERENCE_DATE,
    )

    assert scored["segment_name"].tolist() == ["Best", "Sleeping"]
    assert (scored["model_version"] == "2026-01-01T00.00.00.000Z").all()


def test_select_bundle_model_input_takes_the_bundle_columns_in_its_order(model):
    features = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "monetary": [10.0, 20.0],
            "country": ["x", "y"],
            "recency_days": [1.0, 2.0],
            "frequency": [3.0, 1.0],
        }
    )

    selected = select_bundle_model_input(
        features,
        make_bundle(model, ["Champions", "Hibernating"]),
        ModelInputChecks(min_customers=1),
    )

    assert list(selected.columns) == ["customer_id", *FEATURES]


def test_lifetime_value_joins_scored_customers_and_stays_null_without_one():
    scored = unscored_customers(["a", "b"], "no_valid_transactions", "v1")
    value = pd.DataFrame(
        {
            "customer_id": ["a"],
            "frequency": [1],
            "expected_purchases": [2.5],
            "probability_alive": [0.8],
            "expected_spend": [40.0],
            "clv": [95.0],
        }
    )

    joined = attach_customer_value(scored, value).set_index("customer_id")

    assert list(joined.reset_index().columns) == list(SCORED_WITH_VALUE_COLUMNS)
    assert joined.loc["a", "clv"] == pytest.approx(95.0)
    assert pd.isna(joined.loc["b", "clv"])
    assert (joined["status"] == "no_valid_transactions").all()


def test_a_customer_with_two_values_is_a_named_error():
    scored = unscored_customers(["a"], "no_valid_transactions", "v1")
    value = pd.DataFrame(
        {"customer_id": ["a", "a"]}
        | {column: [1.0, 2.0] for column in CUSTOMER_VALUE_COLUMNS}
    )

    with pytest.raises(
        ValueError, match=r"customer_value: column 'customer_id'.*\['a'\]"
    ):
        attach_customer_value(scored, value)


def test_without_a_value_model_scored_customers_have_no_value_columns():
    scored = unscored_customers(["a", "b"], "no_valid_transactions", "v1")
    # What predict_customer_value gives when the bundle holds no fitted model.
    no_value = pd.DataFrame({"customer_id": ["a"], "frequency": [1]})

    joined = attach_customer_value(scored, no_value)

    assert list(joined.columns) == list(SCORED_COLUMNS)
