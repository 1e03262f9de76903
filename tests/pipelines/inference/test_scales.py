"""The scale rule of scoring: a batch's median of each feature within the training's range."""

import pandas as pd
import pytest

from customer_segmentation.bundle import FeatureDescription, FeatureSpec, ObservedValues
from customer_segmentation.pipelines.data_processing.errors import (
    InputValidationError,
)
from customer_segmentation.pipelines.inference.scales import check_feature_scales

SPEC = FeatureSpec(
    features=[
        FeatureDescription(
            name="monetary",
            kind="numeric",
            transforms=[],
            observed=ObservedValues(low=10.0, median=500.0, high=20_000.0),
        ),
        FeatureDescription(name="country", kind="categorical", transforms=[]),
        FeatureDescription(name="frequency", kind="ordering", transforms=[]),
    ],
    order_segments_by="frequency",
)


def batch(*monetary: float) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": [str(i) for i in range(len(monetary))],
            "monetary": monetary,
            "country": ["UK"] * len(monetary),
            "frequency": [1.0] * len(monetary),
        }
    )


# 200 customers around the training's median, their spend in units; the
# training's customers, and any ordinary batch of them, lie mostly in 10..20,000.
UNITS = batch(*[300.0 + i for i in range(200)])


def test_a_batch_on_the_training_scale_passes():
    check_feature_scales(UNITS, SPEC, 100)


@pytest.mark.parametrize(
    ("factor", "message"),
    [
        (
            100,
            r"inference.model_input: column 'monetary' has a median of 39,950 over "
            r"200 customers, above the training's 99th percentile 20,000; 79.9 times "
            r"the training's median 500 \(rule: a batch's median lies within the "
            r"training's 1st to 99th percentiles, "
            r"inference.scoring.scale_check_min_customers\); values in another unit",
        ),
        (
            0.01,
            r"column 'monetary' has a median of 3.995 over 200 customers, below the "
            r"training's 1st percentile 10; 0.00799 times the training's median 500",
        ),
    ],
    ids=["cents for units", "units for cents"],
)
def test_a_batch_in_another_unit_is_a_named_error(factor, message):
    scaled = UNITS.assign(monetary=UNITS["monetary"] * factor)

    with pytest.raises(InputValidationError, match=message):
        check_feature_scales(scaled, SPEC, 100)


@pytest.mark.parametrize(
    ("frame", "min_customers"),
    [(UNITS.assign(monetary=UNITS["monetary"] * 100), None), (batch(40_000.0), 100)],
    ids=["rule off", "fewer customers than the rule needs"],
)
def test_the_rule_applies_only_when_on_and_to_enough_customers(frame, min_customers):
    check_feature_scales(frame, SPEC, min_customers)


def test_a_bundle_without_observed_values_is_not_checked():
    older = FeatureSpec(
        features=[
            feature.model_copy(update={"observed": None}) for feature in SPEC.features
        ],
        order_segments_by="frequency",
    )

    check_feature_scales(UNITS.assign(monetary=UNITS["monetary"] * 100), older, 100)
