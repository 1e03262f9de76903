"""The code MLflow runs to build the logged model (MLflow's "models from code")."""

import mlflow

from customer_segmentation.tracking.model import SegmentationBundleModel

mlflow.models.set_model(SegmentationBundleModel())
