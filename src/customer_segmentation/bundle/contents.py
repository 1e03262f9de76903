"""What a model bundle holds, and the checks that its parts agree with each other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from customer_segmentation.pipelines.feature_engineering.domains import FeatureDomain
from customer_segmentation.pipelines.modeling.estimator import SegmentationModel
from customer_segmentation.pipelines.modeling.settings import ModelFeatures

from .errors import BundleMismatchError
from .value_models import CustomerValueModels


class ObservedValues(BaseModel):
    """Where the training's customers lie on one numeric column.

    Attributes:
        low: Its 1st percentile.
        median: Its median.
        high: Its 99th percentile (missing values left out of all three).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    low: float
    median: float
    high: float


class FeatureDescription(BaseModel):
    """One column of the model input.

    Attributes:
        name: Column name, as in ``model_input``.
        kind: ``numeric`` or ``categorical`` feature, or ``ordering`` for the
            column that only orders the segment ids.
        transforms: Steps the model applies to it, in order (e.g.
            ``impute_median``, ``log1p``, ``standardise``, ``one_hot``).
        domain: Values a numeric or ordering column can take (scoring refuses
            any other); ``None`` for a categorical one, and in bundles published
            before domains were declared (then a value only has to be finite).
        observed: The training customers' percentiles of a numeric or ordering
            column, against which scoring checks a batch's median; ``None`` for
            a categorical one, a column without values, and older bundles.
    """

    model_config = ConfigDict(extra="forbid")

    name: str
    kind: Literal["numeric", "categorical", "ordering"]
    transforms: list[str]
    domain: FeatureDomain | None = None
    observed: ObservedValues | None = None


class FeatureSpec(BaseModel):
    """The columns the model was trained on, in order, and what it does to them.

    Attributes:
        features: One entry per model input column, in the model's order.
        order_segments_by: Column whose segment means order the segment ids.
        pca_components: Principal components the preprocessed matrix is
            projected on, or ``None``.
    """

    model_config = ConfigDict(extra="forbid")

    features: list[FeatureDescription]
    order_segments_by: str
    pca_components: int | None = None

    @property
    def names(self) -> list[str]:
        """Column names in the model's order."""
        return [feature.name for feature in self.features]

    @property
    def model_features(self) -> ModelFeatures:
        """The feature choice, as the feature engineering nodes take it."""
        return ModelFeatures(
            numeric=[f.name for f in self.features if f.kind == "numeric"],
            categorical=[f.name for f in self.features if f.kind == "categorical"],
            order_segments_by=self.order_segments_by,
        )

    @property
    def domains(self) -> dict[str, FeatureDomain]:
        """Every column but the categorical ones -> its domain, in the model's order.

        A column without a declared domain (an older bundle) gets an open one.
        """
        return {
            f.name: f.domain or FeatureDomain()
            for f in self.features
            if f.kind != "categorical"
        }


class SegmentDescription(BaseModel):
    """A segment's business name and recommended action."""

    model_config = ConfigDict(extra="forbid")

    segment_id: int
    segment_name: str
    recommended_action: str | None = None


class SegmentTable(BaseModel):
    """Every segment of the model, ids ``0..k-1``."""

    model_config = ConfigDict(extra="forbid")

    segments: list[SegmentDescription]

    def by_id(self) -> dict[int, dict[str, str | None]]:
        """Segment id -> ``{"segment_name": ..., "recommended_action": ...}``."""
        return {
            segment.segment_id: {
                "segment_name": segment.segment_name,
                "recommended_action": segment.recommended_action,
            }
            for segment in self.segments
        }


class SegmentRule(BaseModel):
    """One if-then rule of a segment, with its precision and recall (``derive_segment_rules``)."""

    model_config = ConfigDict(extra="forbid")

    segment_id: int
    segment_name: str
    rule: str
    n_customers: int
    precision: float
    recall: float


class SegmentRules(BaseModel):
    """The rules a CRM can apply, and how faithfully they reproduce the model.

    Attributes:
        rules: One entry per rule.
        summary: ``fidelity``, ``n_rules``, ``max_depth``, ``n_customers`` and
            ``features`` of the rule tree.
    """

    model_config = ConfigDict(extra="forbid")

    rules: list[SegmentRule]
    summary: dict[str, Any]


class TrainingFingerprint(BaseModel):
    """What the model was trained on, enough to tell two trainings apart.

    Attributes:
        environment: Kedro environment of the training run.
        rows_in: Raw rows read (transaction lines, or attribute rows).
        customers_in: Customers in the model input.
        first_purchase: Earliest clean transaction (ISO 8601 text, in the
            data's own time, which has no time zone); ``None`` without
            transactions.
        last_purchase: Latest clean transaction, same form.
        reference_date: Date recency and tenure were measured at, same form.
        parameters_sha256: SHA-256 of every parameter of the run (sorted JSON).
        algorithm: Chosen algorithm.
        n_segments: Chosen number of segments.
        metrics: The chosen candidate's metrics from ``model_selection``.
    """

    model_config = ConfigDict(extra="forbid")

    environment: str
    rows_in: int
    customers_in: int
    first_purchase: str | None
    last_purchase: str | None
    reference_date: str | None
    parameters_sha256: str
    algorithm: str
    n_segments: int
    metrics: dict[str, float | None]


@dataclass(frozen=True)
class ModelBundle:
    """Everything scoring and naming need, published together as one version.

    Each field but ``version`` is one part of the bundle, stored as one file
    (see ``parts.BUNDLE_PARTS``). To add a part: add a field here, a line to
    ``BUNDLE_PARTS`` and, when it relates to another part, a check below.

    Attributes:
        segmentation_model: Fitted preprocessing plus clusterer.
        feature_spec: Model input columns, kinds and transforms.
        segments: Segment ids with names and actions.
        segment_rules: If-then rules of segment membership.
        fingerprint: What the model was trained on.
        customer_value_models: Fitted BG/NBD and Gamma-Gamma parameters, or why
            there are none (``status``).
        version: Version folder it was loaded from; ``None`` before publication.
    """

    segmentation_model: SegmentationModel
    feature_spec: FeatureSpec
    segments: SegmentTable
    segment_rules: SegmentRules
    fingerprint: TrainingFingerprint
    customer_value_models: CustomerValueModels
    version: str | None = None

    @property
    def environment(self) -> str:
        """Kedro environment the bundle was trained in."""
        return self.fingerprint.environment

    @property
    def n_segments(self) -> int:
        """Number of segments of the model."""
        return int(self.segmentation_model.n_segments_)

    @classmethod
    def part_names(cls) -> list[str]:
        """Names of the parts (every field but ``version``)."""
        return [field.name for field in fields(cls) if field.name != "version"]


def _segments_match_model(bundle: ModelBundle) -> list[str]:
    ids = [segment.segment_id for segment in bundle.segments.segments]
    expected = list(range(bundle.n_segments))
    if sorted(ids) != expected:
        return [
            f"segments: ids {sorted(ids)} but the model has {bundle.n_segments} "
            f"segments {expected}"
        ]
    return []


def _features_match_model(bundle: ModelBundle) -> list[str]:
    trained = [str(name) for name in bundle.segmentation_model.feature_names_in_]
    if bundle.feature_spec.names != trained:
        return [
            f"feature_spec: columns {bundle.feature_spec.names} but the model was "
            f"trained on {trained}"
        ]
    return []


def _fingerprint_matches_model(bundle: ModelBundle) -> list[str]:
    fingerprint = bundle.fingerprint
    model = bundle.segmentation_model
    problems = []
    if fingerprint.n_segments != bundle.n_segments:
        problems.append(
            f"fingerprint: n_segments={fingerprint.n_segments} but the model has "
            f"{bundle.n_segments}"
        )
    if fingerprint.algorithm != getattr(model, "algorithm_", None):
        problems.append(
            f"fingerprint: algorithm={fingerprint.algorithm!r} but the model is "
            f"{getattr(model, 'algorithm_', None)!r}"
        )
    return problems


def _rules_match_segments(bundle: ModelBundle) -> list[str]:
    names = {s.segment_id: s.segment_name for s in bundle.segments.segments}
    wrong = sorted(
        {
            rule.segment_id
            for rule in bundle.segment_rules.rules
            if names.get(rule.segment_id) != rule.segment_name
        }
    )
    if wrong:
        return [
            f"segment_rules: segment id(s) {wrong} are unknown or named differently "
            "from the segments part"
        ]
    return []


def _value_models_match_fingerprint(bundle: ModelBundle) -> list[str]:
    value_models = bundle.customer_value_models
    reference_date = bundle.fingerprint.reference_date
    if value_models.fitted and value_models.reference_date != reference_date:
        return [
            f"customer_value_models: fitted at reference_date="
            f"{value_models.reference_date!r} but the fingerprint says "
            f"{reference_date!r}"
        ]
    return []


BUNDLE_CHECKS: tuple[Callable[[ModelBundle], list[str]], ...] = (
    _segments_match_model,
    _features_match_model,
    _fingerprint_matches_model,
    _rules_match_segments,
    _value_models_match_fingerprint,
)


def check_bundle(bundle: ModelBundle, where: str = "model bundle") -> ModelBundle:
    """Refuses a bundle whose parts disagree.

    Args:
        bundle: The bundle to check.
        where: What to call it in the error (e.g. its folder).

    Returns:
        The same bundle.

    Raises:
        BundleMismatchError: Naming every disagreement found.
    """
    problems = [problem for check in BUNDLE_CHECKS for problem in check(bundle)]
    if problems:
        raise BundleMismatchError(
            f"{where}: its parts disagree, refusing it: " + "; ".join(problems)
        )
    return bundle
