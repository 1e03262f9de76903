"""Project settings: hooks and configuration loading (Kedro defaults otherwise)."""

from customer_segmentation.hooks import EnvironmentRunHooks
from customer_segmentation.node_timing import NodeTimingHooks
from customer_segmentation.spark import SparkHooks

# One run at a time per environment; the model bundle is published when a run
# succeeds. Every node logs its time and the process memory (one INFO line).
# An environment whose engine is Spark starts its session from spark.yml.
HOOKS = (EnvironmentRunHooks(), NodeTimingHooks(), SparkHooks())

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
    "config_patterns": {"spark": ["spark*", "spark*/**"]},
}
