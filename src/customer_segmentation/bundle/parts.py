"""The parts of a model bundle on disk: one file each, and how each is (safely) read."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from typing import Any, Protocol

import skops.io
from pydantic import BaseModel, ValidationError

from .contents import FeatureSpec, SegmentRules, SegmentTable, TrainingFingerprint
from .errors import BundleIntegrityError, BundleUntrustedError
from .value_models import NOT_IN_BUNDLE, CustomerValueModels

# Types a model file may ask for beyond those skops trusts by default (numpy,
# scipy and scikit-learn classes). Loading builds these and nothing else; a file
# that names any other type or function is refused before anything is built.
TRUSTED_MODEL_TYPES = (
    "customer_segmentation.pipelines.modeling.clusterers.SampledAgglomerativeClustering",
    "customer_segmentation.pipelines.modeling.clusterers.SampledClusterer",
    "customer_segmentation.pipelines.modeling.estimator.SegmentationModel",
    "customer_segmentation.pipelines.modeling.estimator._log1p_non_negative",
    "numpy.dtype",
)


class PartCodec(Protocol):
    """Turns one part into bytes and back."""

    def encode(self, value: Any) -> bytes:
        """Serialises the part."""

    def decode(self, data: bytes, where: str) -> Any:
        """Rebuilds the part, or raises a ``BundleError`` naming ``where``."""


@dataclass(frozen=True)
class SkopsCodec:
    """A scikit-learn object in the ``skops.io`` format, loaded with a trusted list.

    Attributes:
        trusted: Types the file may ask for beyond skops' defaults.
    """

    trusted: tuple[str, ...]

    def encode(self, value: Any) -> bytes:
        """Serialises an estimator with ``skops.io.dumps``.

        Args:
            value: A fitted estimator.

        Returns:
            The skops file's bytes.
        """
        return skops.io.dumps(value)

    def decode(self, data: bytes, where: str) -> Any:
        """Loads an estimator after checking every type it asks for is trusted.

        Args:
            data: The skops file's bytes.
            where: The file, for messages.

        Returns:
            The estimator.

        Raises:
            BundleIntegrityError: If the data is not a skops file.
            BundleUntrustedError: If it asks for an untrusted type.
        """
        try:
            asked = skops.io.get_untrusted_types(data=data)
        except (zipfile.BadZipFile, KeyError, ValueError) as error:
            raise BundleIntegrityError(
                f"{where}: not a skops model file ({error}); refusing to load it"
            ) from error
        untrusted = sorted(set(asked) - set(self.trusted))
        if untrusted:
            raise BundleUntrustedError(
                f"{where}: the model file asks for untrusted type(s) {untrusted}; "
                "it was not loaded. Only bundles published by this project's "
                "training runs are served."
            )
        return skops.io.loads(data, trusted=list(self.trusted))


@dataclass(frozen=True)
class JsonCodec:
    """A pydantic model as JSON text.

    Attributes:
        model: The pydantic class of the part.
    """

    model: type[BaseModel]

    def encode(self, value: BaseModel) -> bytes:
        """Serialises the part as indented JSON.

        Args:
            value: The part.

        Returns:
            UTF-8 JSON bytes.
        """
        return value.model_dump_json(indent=2).encode()

    def decode(self, data: bytes, where: str) -> BaseModel:
        """Parses and validates the part.

        Args:
            data: JSON bytes.
            where: The file, for messages.

        Returns:
            The part.

        Raises:
            BundleIntegrityError: If the JSON does not fit the part's model.
        """
        try:
            return self.model.model_validate_json(data)
        except ValidationError as error:
            raise BundleIntegrityError(f"{where}: invalid content: {error}") from error


@dataclass(frozen=True)
class BundlePart:
    """One file of the bundle: the ``ModelBundle`` field it holds and its format.

    Attributes:
        name: The ``ModelBundle`` field.
        filename: Its file in the version folder.
        codec: How it is written and read.
        since_format: First bundle format version that has the part. An older
            bundle loads with ``absent`` in its place; a bundle of this format or
            newer without the file is refused as incomplete.
        absent: Value of the part in a bundle older than ``since_format``.
    """

    name: str
    filename: str
    codec: PartCodec
    since_format: int = 1
    absent: Any = None


BUNDLE_PARTS: tuple[BundlePart, ...] = (
    BundlePart(
        "segmentation_model",
        "segmentation_model.skops",
        SkopsCodec(TRUSTED_MODEL_TYPES),
    ),
    BundlePart("feature_spec", "feature_spec.json", JsonCodec(FeatureSpec)),
    BundlePart("segments", "segments.json", JsonCodec(SegmentTable)),
    BundlePart("segment_rules", "segment_rules.json", JsonCodec(SegmentRules)),
    BundlePart("fingerprint", "fingerprint.json", JsonCodec(TrainingFingerprint)),
    BundlePart(
        "customer_value_models",
        "customer_value_models.json",
        JsonCodec(CustomerValueModels),
        since_format=2,
        absent=NOT_IN_BUNDLE,
    ),
)
