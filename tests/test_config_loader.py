"""Runtime parameters (``--params``) change only the keys they name, in every environment."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from kedro.config import OmegaConfigLoader

from customer_segmentation.config_loader import ConfigLoader
from tests.project import PROJECT_ROOT

BASE = {"search": {"k_max": 10, "seed": 7}, "kind": "both", "only_base": {"x": 1}}
LOCAL = {"kind": "attributes", "only_env": {"y": 1}}
RUNTIME = {"search": {"k_max": 6}, "only_env": {"z": 2}}
ENVIRONMENTS = {"base_env": "base", "default_run_env": "local"}  # as settings.py


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    for env, parameters in (("base", BASE), ("local", LOCAL)):
        (tmp_path / env).mkdir()
        (tmp_path / env / "parameters.yml").write_text(yaml.safe_dump(parameters))
    return tmp_path


def test_runtime_parameters_keep_the_base_keys_they_do_not_name(conf: Path):
    parameters = ConfigLoader(
        str(conf), env="local", runtime_params=RUNTIME, **ENVIRONMENTS
    )["parameters"]

    assert parameters == {
        "search": {"k_max": 6, "seed": 7},
        "kind": "attributes",
        "only_base": {"x": 1},
        "only_env": {"y": 1, "z": 2},
    }


def test_kedros_own_loader_loses_them(conf: Path):
    # What ConfigLoader is for: the base's search.seed is gone.
    parameters = OmegaConfigLoader(
        str(conf), env="local", runtime_params=RUNTIME, **ENVIRONMENTS
    )["parameters"]

    assert parameters["search"] == {"k_max": 6}


def test_without_runtime_parameters_the_merge_is_kedros(conf: Path):
    ours = ConfigLoader(str(conf), env="local", **ENVIRONMENTS)["parameters"]
    kedros = OmegaConfigLoader(str(conf), env="local", **ENVIRONMENTS)["parameters"]

    assert ours == kedros == {**BASE, **LOCAL}


def test_the_base_environment_takes_runtime_parameters_too(conf: Path):
    parameters = ConfigLoader(
        str(conf), env="base", runtime_params=RUNTIME, **ENVIRONMENTS
    )["parameters"]

    assert parameters["search"] == {"k_max": 6, "seed": 7}
    assert parameters["only_env"] == {"z": 2}


def test_an_environment_of_the_project_keeps_the_base_scoring_settings():
    runtime = {"inference": {"feature_settings": {"reference_date": "2014-06-30"}}}
    loader = ConfigLoader(
        str(PROJECT_ROOT / "conf"),
        env="mall_customers",
        runtime_params=runtime,
        **ENVIRONMENTS,
    )

    inference = loader["parameters"]["inference"]

    assert inference["feature_settings"] == {"reference_date": "2014-06-30"}
    assert inference["scoring"]["min_invoices"] == 1
    assert loader["parameters"]["input_kind"] == "attributes"
