"""Experiment tracking: every ``kedro run`` is an MLflow run (kedro-mlflow)."""

from .hooks import SWITCH, ExperimentTrackingHooks, tracking_enabled

__all__ = ["SWITCH", "ExperimentTrackingHooks", "tracking_enabled"]
