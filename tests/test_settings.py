"""Project settings: the hooks Kedro registers, and the garbage collector left as it was."""

from __future__ import annotations

import gc
import runpy
from pathlib import Path

import pytest

import customer_segmentation

SETTINGS = Path(customer_segmentation.__file__).with_name("settings.py")


@pytest.fixture
def collector_state():
    """Restores the garbage collector's state after the test."""
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:
        gc.disable()


@pytest.mark.parametrize("enabled", [True, False])
def test_settings_leave_the_garbage_collector_as_they_found_it(
    enabled, collector_state
):
    # The collector is paused while the settings import the hooks' libraries.
    if enabled:
        gc.enable()
    else:
        gc.disable()

    # Run afresh (the module may be imported already), in a namespace of its own.
    settings = runpy.run_path(str(SETTINGS))

    assert gc.isenabled() is enabled
    assert [type(hook).__name__ for hook in settings["HOOKS"]] == [
        "ExperimentTrackingHooks",
        "EnvironmentRunHooks",
        "NodeTimingHooks",
        "SparkHooks",
    ]
