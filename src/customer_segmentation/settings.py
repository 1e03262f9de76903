"""Project settings: hooks and configuration loading (Kedro defaults otherwise)."""

from customer_segmentation.hooks import EnvironmentRunHooks

# One run at a time per environment; the model bundle is published when a run
# succeeds.
HOOKS = (EnvironmentRunHooks(),)

CONFIG_LOADER_ARGS = {
    "base_env": "base",
    "default_run_env": "local",
}
