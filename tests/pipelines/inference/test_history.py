"""The history rules of scoring: enough invoices per customer, and an export's reach."""

import dataclasses

import pandas as pd
import pytest
from sklearn.cluster import KMeans

from customer_segmentation.pipelines.data_processing.errors import (
    InputValidationError,
)
from customer_segmentation.pipelines.feature_engineering.settings import (
    FeatureSettings,
)
from customer_segmentation.pipelines.inference.history import (
    check_history_end,
    check_history_span,
)
from customer_segmentation.pipelines.modeling.estimator import (
    SegmentationModel,
    build_preprocessor,
)
from tests.bundles import make_bundle

TRAINING = pd.DataFrame({"recency_days": [1.0, 2.0, 300.0, 310.0]})


@pytest.fixture(scope="module")
def bundle():
    model = SegmentationModel(
        build_preprocessor(["recency_days"], [], []),
        KMeans(n_clusters=2, n_init=1, random_state=0),
        order_by="recency_days",
    ).fit(TRAINING)
    made = make_bundle(model, ["Recent", "Lapsed"])
    # Trained on two years of lines: 2023-12-01 to the reference 2025-12-01.
    fingerprint = made.fingerprint.model_copy(
        update={
            "first_purchase": "2023-12-01T08:40:27",
            "last_purchase": "2025-11-30T09:29:40",
            "reference_date": "2025-12-01T00:00:00",
        }
    )
    return dataclasses.replace(made, fingerprint=fingerprint)


def features(*tenures: float) -> pd.DataFrame:
    return pd.DataFrame(
        {"customer_id": [f"c{i}" for i in range(len(tenures))], "tenure_days": tenures}
    )


def test_lines_that_reach_back_as_far_as_the_training_pass(bundle):
    check_history_span(features(3, 700), bundle, 0.9)  # 700 of 731 days


def test_an_export_of_recent_lines_only_is_a_named_error(bundle):
    with pytest.raises(InputValidationError) as error:
        check_history_span(features(3, 30), bundle, 0.9)

    message = str(error.value)
    assert "column 'tenure_days' reaches back at most 30 days" in message
    assert "training lines 731 days (2023-12-01 to 2025-12-01)" in message
    assert "inference.scoring.min_history_share" in message


def test_the_rule_can_be_turned_off(bundle):
    check_history_span(features(3, 30), bundle, 0)


@pytest.mark.parametrize(
    "frame",
    [features(), pd.DataFrame({"customer_id": ["a"], "age": [30.0]})],
    ids=["no customer", "attributes only"],
)
def test_nothing_to_measure_passes(bundle, frame):
    check_history_span(frame, bundle, 0.9)


def test_a_model_trained_without_purchases_has_no_history_to_compare(bundle):
    attributes_only = dataclasses.replace(
        bundle,
        fingerprint=bundle.fingerprint.model_copy(
            update={"first_purchase": None, "last_purchase": None}
        ),
    )

    check_history_span(features(3, 30), attributes_only, 0.9)


# The training's last purchase is 2025-11-30 09:29:40 (the bundle fixture).
@pytest.mark.parametrize(
    ("reference_date", "set_date"),
    [
        ("2025-12-01 10:05:00", None),  # an export ending the training's last day
        ("2026-03-01 00:00:00", None),  # a later export
        ("2025-06-01 00:00:00", "2025-06-01"),  # an old export, its date given
    ],
    ids=["same last day", "later export", "reference date set"],
)
def test_new_lines_reaching_the_training_end_or_a_set_date_pass(
    bundle, reference_date, set_date
):
    check_history_end(
        pd.Timestamp(reference_date), FeatureSettings(reference_date=set_date), bundle
    )


def test_an_export_ending_before_the_training_without_a_date_is_a_named_error(bundle):
    # An export of the customers who stopped buying: its last line is theirs,
    # and recency measured from it would make them look recent.
    with pytest.raises(InputValidationError) as error:
        check_history_end(pd.Timestamp("2025-03-02 12:00"), FeatureSettings(), bundle)

    message = str(error.value)
    assert "has its last clean line on 2025-03-01, before the training's last " in (
        message
    )
    assert "purchase on 2025-11-30" in message
    assert "set inference.feature_settings.reference_date" in message


def test_attribute_data_has_no_end_to_compare(bundle):
    check_history_end(pd.NaT, FeatureSettings(), bundle)
