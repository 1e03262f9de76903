"""The published model bundle: one versioned, checked artefact for scoring and naming."""

from .contents import (
    FeatureDescription,
    FeatureSpec,
    ModelBundle,
    ObservedValues,
    SegmentDescription,
    SegmentRule,
    SegmentRules,
    SegmentTable,
    TrainingFingerprint,
    check_bundle,
)
from .dataset import ModelBundleDataset
from .errors import (
    BundleEnvironmentError,
    BundleError,
    BundleIntegrityError,
    BundleMismatchError,
    BundleNotFoundError,
    BundleUntrustedError,
)
from .value_models import CustomerValueModels, FittedValueModel

__all__ = [
    "BundleEnvironmentError",
    "BundleError",
    "BundleIntegrityError",
    "BundleMismatchError",
    "BundleNotFoundError",
    "BundleUntrustedError",
    "CustomerValueModels",
    "FeatureDescription",
    "FeatureSpec",
    "FittedValueModel",
    "ModelBundle",
    "ModelBundleDataset",
    "ObservedValues",
    "SegmentDescription",
    "SegmentRule",
    "SegmentRules",
    "SegmentTable",
    "TrainingFingerprint",
    "check_bundle",
]
