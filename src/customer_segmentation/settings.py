"""Project settings: hooks and configuration loading (Kedro defaults otherwise)."""

from customer_segmentation.collector import paused
from customer_segmentation.config_loader import ConfigLoader
from customer_segmentation.output_filters import quiet_output

# First, so that the warnings of libraries imported below are filtered too
# (see output_filters.py: the one place where the project quiets output).
quiet_output()

# The hooks import most of the libraries a run uses (about 250,000 objects that
# live until the process ends, and almost no garbage): with the cyclic garbage
# collector on, its full passes over the growing heap cost about 0.4 s of
# processor time here (docs/performance.md). Paused for these imports only.
with paused():
    from customer_segmentation.hooks import EnvironmentRunHooks
    from customer_segmentation.node_timing import NodeTimingHooks
    from customer_segmentation.spark import SparkHooks
    from customer_segmentation.tracking import ExperimentTrackingHooks

# One run at a time per environment; the model bundle is published when a run
# succeeds. Every node logs its time and the process memory (one INFO line).
# An environment whose engine is Spark starts its session from spark.yml.
# Every run is an MLflow run: tracking comes first here so that its
# after_pipeline_run runs after the bundle is published (Kedro calls the hooks
# of one event in the reverse order of this tuple).
HOOKS = (
    ExperimentTrackingHooks(),
    EnvironmentRunHooks(),
    NodeTimingHooks(),
    SparkHooks(),
)

# kedro-mlflow's hook is registered above, through ExperimentTrackingHooks and
# its switch, instead of through its entry point.
DISABLE_HOOKS_FOR_PLUGINS = ("kedro_mlflow",)

# Kedro's OmegaConfigLoader, but `--params a.b=1` changes a.b only, whatever the
# environment (config_loader.py).
CONFIG_LOADER_CLASS = ConfigLoader
CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    # mlflow.yml: kedro-mlflow's own patterns, declared here so that the tracking
    # hook reads the file through the loader without changing its patterns.
    "config_patterns": {
        "spark": ["spark*", "spark*/**"],
        "mlflow": ["mlflow*", "mlflow*/**", "**/mlflow*"],
    },
}
