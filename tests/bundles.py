"""Builds small, consistent model bundles around a fitted model, for unit tests."""

from __future__ import annotations

from customer_segmentation.bundle import (
    FeatureDescription,
    FeatureSpec,
    ModelBundle,
    SegmentDescription,
    SegmentRules,
    SegmentTable,
    TrainingFingerprint,
)
from customer_segmentation.pipelines.modeling.estimator import SegmentationModel


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
        version=version,
    )
