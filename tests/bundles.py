"""Builds small, consistent model bundles around a fitted model, for unit tests."""

from __future__ import annotations

import pandas as pd
from sklearn.cluster import KMeans

from customer_segmentation.bundle import (
    CustomerValueModels,
    FeatureDescription,
    FeatureSpec,
    ModelBundle,
    SegmentDescription,
    SegmentRules,
    SegmentTable,
    TrainingFingerprint,
)
from customer_segmentation.pipelines.modeling.estimator import (
    SegmentationModel,
    build_preprocessor,
)


def make_bundle(
    model: SegmentationModel,
    names: list[str],
    environment: str = "base",
    version: str | None = "v1",
) -> ModelBundle:
    """Wraps a fitted model whose features are all numeric into a bundle.

    Args:
        model: Fitted ``SegmentationModel``.
        names: One segment name per segment id, in id order.
        environment: Environment recorded in the fingerprint.
        version: Version the bundle claims.

    Returns:
        A bundle whose parts agree with each other.
    """
    return ModelBundle(
        segmentation_model=model,
        feature_spec=FeatureSpec(
            features=[
                FeatureDescription(name=str(name), kind="numeric", transforms=[])
                for name in model.feature_names_in_
            ],
            order_segments_by=model.order_by,
        ),
        segments=SegmentTable(
            segments=[
                SegmentDescription(
                    segment_id=segment,
                    segment_name=name,
                    recommended_action=f"action {segment}",
                )
                for segment, name in enumerate(names)
            ]
        ),
        segment_rules=SegmentRules(rules=[], summary={}),
        fingerprint=TrainingFingerprint(
            environment=environment,
            rows_in=len(names),
            customers_in=len(names),
            first_purchase=None,
            last_purchase=None,
            reference_date=None,
            parameters_sha256="0" * 64,
            algorithm=model.algorithm_,
            n_segments=model.n_segments_,
            metrics={},
        ),
        customer_value_models=CustomerValueModels(status="skipped"),
        version=version,
    )


def tiny_bundle(environment: str = "base", version: str | None = "v1") -> ModelBundle:
    """A two-segment K-means bundle fitted on six customers."""
    features = pd.DataFrame(
        {
            "recency_days": [2.0, 3.0, 4.0, 300.0, 310.0, 320.0],
            "monetary": [5000.0, 5200.0, 5400.0, 20.0, 25.0, 30.0],
        }
    )
    model = SegmentationModel(
        build_preprocessor(list(features.columns), [], []),
        KMeans(n_clusters=2, n_init=1, random_state=0),
    ).fit(features)
    return make_bundle(model, ["Champions", "Hibernating"], environment, version)
