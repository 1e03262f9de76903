"""The published model bundle as an MLflow pyfunc model: same files, same scoring code."""

from __future__ import annotations

import json
import tempfile
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import mlflow
import pandas as pd
from mlflow.models import ModelSignature, infer_signature
from mlflow.types import ColSpec, Schema

from customer_segmentation.bundle import ModelBundle
from customer_segmentation.bundle.storage import MANIFEST, read_bundle, stage_bundle
from customer_segmentation.pipelines.inference.nodes import score_model_input

# The file MLflow runs to build the model; it sets SegmentationBundleModel.
MODEL_CODE = Path(__file__).with_name("mlflow_model.py")
# Name of the bundle folder among the MLflow model's artifacts.
BUNDLE_ARTIFACT = "model_bundle"
# What predict returns (score_model_input's columns); written out rather than
# inferred so that the nullable columns are declared as such.
SCORED_SCHEMA = Schema(
    [
        ColSpec("string", "customer_id"),
        ColSpec("long", "segment_id"),
        ColSpec("string", "segment_name", required=False),
        ColSpec("string", "recommended_action", required=False),
        ColSpec("double", "distance_to_centre", required=False),
        ColSpec("double", "probability", required=False),
        ColSpec("string", "model_version"),
        ColSpec("string", "status"),
    ]
)
# What loading the MLflow model needs besides this package, which must be installed.
REQUIREMENTS = ("mlflow", "pandas", "scikit-learn", "skops", "pydantic")


def load_bundle_folder(folder: str | Path) -> ModelBundle:
    """Loads a bundle version folder, checked as the catalog checks it.

    Args:
        folder: A folder with ``manifest.json`` and the parts.

    Returns:
        The bundle, with the version and environment its manifest names.

    Raises:
        BundleError: If a part is missing, changed, untrusted or inconsistent.
    """
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text())
    return read_bundle(folder, manifest["version"], manifest["environment"])


class SegmentationBundleModel(mlflow.pyfunc.PythonModel):
    """Scores customers with a model bundle, as batch inference and the API do.

    ``predict`` takes ``customer_id`` and the bundle's feature columns, in the
    order of its feature spec, and returns one scored row per customer
    (``segment_id``, ``segment_name``, ``recommended_action``,
    ``distance_to_centre``, ``probability``, ``model_version``, ``status``).
    """

    def load_context(self, context: mlflow.pyfunc.PythonModelContext) -> None:
        """Loads and checks the bundle stored with the MLflow model.

        Args:
            context: MLflow's context; its artifacts hold the bundle folder.
        """
        self._bundle = load_bundle_folder(context.artifacts[BUNDLE_ARTIFACT])

    def predict(
        self,
        context: mlflow.pyfunc.PythonModelContext,
        model_input: pd.DataFrame,
        params: dict[str, Any] | None = None,
    ) -> pd.DataFrame:
        """Assigns every customer its segment, name and action.

        Args:
            context: MLflow's context (unused: the bundle is loaded once).
            model_input: ``customer_id`` and the feature columns.
            params: Unused.

        Returns:
            One scored row per customer.

        Raises:
            ValueError: If the feature columns differ from the bundle's.
        """
        return _score(self._bundle, model_input)


def _score(bundle: ModelBundle, model_input: pd.DataFrame) -> pd.DataFrame:
    return score_model_input(
        bundle.segmentation_model,
        model_input,
        bundle.segments.by_id(),
        str(bundle.version),
    )


def log_bundle_model(
    bundle: ModelBundle, model_input: pd.DataFrame, name: str = "segmentation_model"
) -> str:
    """Logs a published bundle to the active MLflow run as a pyfunc model.

    The bundle's own files (manifest and parts) are the model's artifact, so the
    MLflow model and the published version are the same bytes checked the same way.

    Args:
        bundle: A published bundle (``version`` set).
        model_input: Rows of the model input the bundle was trained on; a few
            of them give the signature its input and output columns.
        name: Name of the model in the run.

    Returns:
        The URI of the logged model (``models:/<id>``).
    """
    # model_input's own columns and dtypes: what batch scoring and the API pass.
    sample = model_input[["customer_id", *bundle.feature_spec.names]].head(5)
    signature = ModelSignature(
        inputs=infer_signature(sample).inputs, outputs=SCORED_SCHEMA
    )
    with tempfile.TemporaryDirectory() as staging_root:
        folder = stage_bundle(
            bundle, Path(staging_root), str(bundle.version), bundle.environment
        )
        info = mlflow.pyfunc.log_model(
            name=name,
            # Models from code: MLflow stores this file, not a pickled object.
            python_model=str(MODEL_CODE),
            artifacts={BUNDLE_ARTIFACT: str(folder)},
            signature=signature,
            input_example=sample,
            # Listed, not inferred: inference would load the model in a subprocess.
            pip_requirements=[f"{p}=={installed_version(p)}" for p in REQUIREMENTS],
        )
    return info.model_uri
