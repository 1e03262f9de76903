"""Project settings: hooks and configuration loading (Kedro defaults otherwise)."""

from customer_segmentation.pipelines.inference.hooks import ModelVersionHooks

# Tells the inference pipeline which model version the catalog loaded.
HOOKS = (ModelVersionHooks(),)

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
}
