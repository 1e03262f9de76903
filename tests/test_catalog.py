"""Every dataset of every pipeline is in the catalog with its kedro-viz layer."""

import pytest
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

from tests.project import LAYER_ORDER, PROJECT_ROOT

LAYERS = set(LAYER_ORDER)


@pytest.mark.parametrize("env", [None, "online_retail", "mall_customers", "wholesale"])
def test_every_dataset_has_a_known_layer(env, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    bootstrap_project(PROJECT_ROOT)
    with KedroSession.create(project_path=PROJECT_ROOT, env=env) as session:
        catalog = session.load_context().catalog
    names = {
        name
        for pipeline in pipelines.values()
        for name in pipeline.datasets()
        if not name.startswith("params:") and name != "parameters"
    }

    layers = {}
    for name in sorted(names):
        dataset = catalog.get(name)
        metadata = getattr(dataset, "metadata", None) or {}
        layers[name] = metadata.get("kedro-viz", {}).get("layer")

    without_layer = sorted(
        name for name, layer in layers.items() if layer not in LAYERS
    )
    assert without_layer == []


def _written_paths(entry: dict) -> list[str]:
    paths = [entry[key] for key in ("filepath", "path") if key in entry]
    connection = entry.get("connection") or {}
    if "database" in connection:
        paths.append(connection["database"])
    return [str(path) for path in paths]


@pytest.mark.parametrize(
    "env",
    [
        None,
        "online_retail",
        "online_retail_ii",
        "mall_customers",
        "wholesale",
        "customer_personality",
        "headerless_totals",
    ],
)
def test_every_written_path_is_under_the_environment_root(env, monkeypatch):
    monkeypatch.chdir(PROJECT_ROOT)
    bootstrap_project(PROJECT_ROOT)
    with KedroSession.create(project_path=PROJECT_ROOT, env=env) as session:
        config = session.load_context().config_loader
        root = config["globals"]["output_root"]
        entries = config["catalog"]

    outside = {
        name: path
        for name, entry in entries.items()
        if isinstance(entry, dict)
        and entry.get("metadata", {}).get("kedro-viz", {}).get("layer") != "raw"
        for path in _written_paths(entry)
        if not path.startswith(f"{root}/")
    }
    assert outside == {}
