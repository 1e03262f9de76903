"""kedro-viz: the training run's namespaces and layers, and ``kedro viz build`` in headless Chromium.

The build is served on 127.0.0.1 and rendered in a real browser.
"""

from __future__ import annotations

import functools
import http.server
import json
import threading
import time
from graphlib import CycleError, TopologicalSorter

import pytest
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project
from kedro.pipeline import Pipeline

from customer_segmentation.pipeline_registry import (
    STAGE_OF,
    TRAINING_PIPELINES,
    TRAINING_STAGES,
)
from tests.chromium import CHROMIUM, HeadlessChromium, needs_chromium
from tests.project import LAYER_ORDER, PROJECT_ROOT
from tests.viz_view import FULL_HD, read_first_view


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keeps the test output free of one line per request."""


@pytest.fixture(scope="module")
def viz_build(finished_project, kedro_runner):
    kedro_runner(finished_project, "viz", "build", "--include-previews")
    return finished_project / "build"


@pytest.fixture(scope="module")
def viz_url(viz_build):
    handler = functools.partial(_QuietHandler, directory=str(viz_build))
    # file:// shows a blank page: the app fetches its api/ files over HTTP.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def project_pipelines() -> dict[str, Pipeline]:
    bootstrap_project(PROJECT_ROOT)
    return dict(pipelines)


@pytest.fixture(scope="module")
def layer_of(project_pipelines):
    """The kedro-viz layer of every dataset of every pipeline, by name."""
    with KedroSession.create(project_path=PROJECT_ROOT) as session:
        catalog = session.load_context().catalog
    names = {
        name
        for pipeline in project_pipelines.values()
        for name in pipeline.datasets()
        if not name.startswith("params:") and name != "parameters"
    }
    layers = {}
    for name in names:
        metadata = getattr(catalog.get(name), "metadata", None) or {}
        layers[name] = metadata.get("kedro-viz", {}).get("layer")
    return layers


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = HeadlessChromium(CHROMIUM, tmp_path_factory.mktemp("viz-profile"))
    yield chromium
    chromium.close()


def _pipeline_ids(viz_build) -> list[str]:
    main = json.loads((viz_build / "api" / "main").read_text())
    return [pipeline["id"] for pipeline in main["pipelines"]]


def test_build_lists_every_registered_pipeline(viz_build):
    assert set(_pipeline_ids(viz_build)) >= {
        "__default__",
        "data_processing",
        "feature_engineering",
        "modeling",
        "reporting",
    }


@needs_chromium
def test_every_pipeline_renders_its_nodes_and_datasets(viz_build, viz_url, browser):
    for pipeline in _pipeline_ids(viz_build):
        graph = json.loads((viz_build / "api" / "pipelines" / pipeline).read_text())
        # The flowchart opens on the top level: namespaces are collapsed into one
        # node each, and parameters are hidden.
        nodes = {node["id"]: node for node in graph["nodes"]}
        top_level = graph["modular_pipelines"]["__root__"]["children"]
        expected = {
            nodes[child["id"]]["name"]
            for child in top_level
            if nodes[child["id"]]["type"] != "parameters"
        }
        exact = (
            "(() => { const shown = new Set(Array.from("
            "document.querySelectorAll('.pipeline-node')).map(node => node.textContent));"
            f" const expected = {json.dumps(sorted(expected))};"
            " return shown.size === expected.length"
            " && expected.every(name => shown.has(name)); })()"
        )
        # Right after navigating, the flowchart can still show the previous
        # pipeline's nodes, and now and then kedro-viz keeps them, or draws them
        # again a moment after this pipeline's: the nodes must stay right for a
        # second, else the page is loaded again.
        for _ in range(3):
            browser.open(f"{viz_url}/?pid={pipeline}")
            count = browser.wait_for(exact, timeout=45)
            if count:
                time.sleep(1)
                count = browser.evaluate(exact)
            if count:
                break
        shown = set(
            browser.evaluate(
                "Array.from(document.querySelectorAll('.pipeline-node'))"
                ".map(node => node.textContent)"
            )
        )

        assert count, (
            f"pipeline {pipeline!r} rendered {len(shown)} of {len(expected)} nodes; "
            f"missing: {sorted(expected - shown)}"
        )
        assert shown == expected, pipeline


def test_every_pipeline_is_built_with_its_layers(viz_build):
    # kedro-viz drops a pipeline's layers (and warns) when they form a cycle. It
    # orders them by the pipeline's edges, so only the training run, which
    # connects them all, gives the whole order.
    layers = {
        pipeline: json.loads((viz_build / "api" / "pipelines" / pipeline).read_text())[
            "layers"
        ]
        for pipeline in _pipeline_ids(viz_build)
    }

    assert [pipeline for pipeline, names in layers.items() if not names] == []
    assert layers["__default__"] == list(LAYER_ORDER)


def test_plot_and_table_previews_are_built(viz_build):
    main = json.loads((viz_build / "api" / "main").read_text())
    by_name = {node["name"]: node["id"] for node in main["nodes"]}

    plot = json.loads(
        (viz_build / "api" / "nodes" / by_name["segment_sizes_plot"]).read_text()
    )
    table = json.loads(
        (viz_build / "api" / "nodes" / by_name["segment_names"]).read_text()
    )

    assert plot["preview_type"] == "ImagePreview"
    assert table["preview_type"] == "TablePreview"


def _stage(node) -> str | None:
    return node.namespace.split(".")[0] if node.namespace else None


def _step(node) -> str | None:
    """The training pipeline a node of ``__default__`` runs under (its second namespace)."""
    parts = node.namespace.split(".") if node.namespace else []
    return parts[1] if len(parts) > 1 else None


def _edges(default: Pipeline, group) -> set[tuple[str, str]]:
    """(upstream, downstream) namespace pairs joined by a dataset, at one level."""
    producer = {
        output: group(node) for node in default.nodes for output in node.outputs
    }
    return {
        (producer[name], group(node))
        for node in default.nodes
        for name in node.inputs
        if name in producer and producer[name] != group(node)
    }


def test_every_default_node_is_a_training_node_in_its_stage_and_pipeline(
    project_pipelines,
):
    default = project_pipelines["__default__"]
    training = sum(
        (project_pipelines[name] for name in TRAINING_PIPELINES), start=Pipeline([])
    )

    misplaced = [
        node.name
        for node in default.nodes
        if _step(node) not in TRAINING_PIPELINES
        or _stage(node) != STAGE_OF[_step(node)]
    ]
    unprefixed = sorted(node.name.split(".", 2)[2] for node in default.nodes)
    assert misplaced == []
    assert unprefixed == sorted(node.name for node in training.nodes)
    assert default.datasets() == training.datasets()


@pytest.mark.parametrize(
    ("group", "order"),
    [(_step, TRAINING_PIPELINES), (_stage, tuple(TRAINING_STAGES))],
    ids=["pipelines", "stages"],
)
def test_default_namespaces_pass_data_forward_only(project_pipelines, group, order):
    # No namespace is both upstream and downstream of another, and each reads
    # only the ones listed before it, so their kedro-viz boxes form a chain.
    edges = _edges(project_pipelines["__default__"], group)
    graph = {name: set() for name in order}
    for upstream, downstream in edges:
        graph[downstream].add(upstream)

    try:
        sorted_names = list(TopologicalSorter(graph).static_order())
    except CycleError as error:
        pytest.fail(f"namespaces of __default__ form a cycle: {error.args[1]}")
    backwards = sorted(
        (upstream, downstream)
        for upstream, downstream in edges
        if order.index(upstream) > order.index(downstream)
    )
    assert backwards == []
    assert set(sorted_names) == set(order)


def _rank(layer_of, names) -> list[int]:
    return [LAYER_ORDER.index(layer_of[name]) for name in names if name in layer_of]


@pytest.mark.parametrize("pipeline", ["__default__", *TRAINING_PIPELINES, "inference"])
def test_no_node_writes_a_layer_earlier_than_it_reads(
    pipeline, project_pipelines, layer_of
):
    backwards = [
        f"{node.name}: {source} ({layer_of[source]}) -> {target} ({layer_of[target]})"
        for node in project_pipelines[pipeline].nodes
        for source in node.inputs
        for target in node.outputs
        if source in layer_of
        and LAYER_ORDER.index(layer_of[source]) > LAYER_ORDER.index(layer_of[target])
    ]
    assert backwards == []


def test_no_namespace_box_writes_a_layer_earlier_than_it_reads(
    project_pipelines, layer_of
):
    # kedro-viz draws each namespace as one box from all its inputs to all its
    # outputs: a box reading a later layer than it writes puts the layers in a cycle.
    default = project_pipelines["__default__"]
    namespaces = [*TRAINING_STAGES, *(f"{STAGE_OF[n]}.{n}" for n in TRAINING_PIPELINES)]
    for step in namespaces:
        box = default.only_nodes_with_namespaces([step])
        outputs = box.outputs() | ((default - box).inputs() & box.all_outputs())
        latest_input = max(_rank(layer_of, box.inputs()))
        earliest_output = min(_rank(layer_of, outputs))
        assert latest_input <= earliest_output, (
            f"namespace {step!r} reads layer {LAYER_ORDER[latest_input]} and "
            f"writes layer {LAYER_ORDER[earliest_output]}"
        )


@pytest.fixture(scope="module")
def full_hd_browser(tmp_path_factory):
    width, height = FULL_HD
    chromium = HeadlessChromium(
        CHROMIUM, tmp_path_factory.mktemp("viz-full-hd"), width=width, height=height
    )
    yield chromium
    chromium.close()


# What a person needs to read the first view without zooming, on a Full HD
# screen: the smallest node label on screen, in pixels, and the zoom it implies.
# The three stage boxes open at 0.453 (labels 7 px), one box per training
# pipeline at 0.33 (labels 5 px). More is out of reach while the first view
# shows seven layer bands: see "kedro-viz" in docs/reporting.md.
MIN_LABEL_PIXELS = 6.5
MIN_FIRST_VIEW_SCALE = 0.45


@needs_chromium
def test_first_view_is_the_stage_boxes_between_the_layers_at_a_readable_size(
    viz_build, viz_url, full_hd_browser
):
    # What `kedro viz` opens on: __default__, its stages collapsed, fitted to the window.
    view = read_first_view(
        full_hd_browser,
        f"{viz_url}/",
        "document.querySelectorAll('.pipeline-node--modularPipeline').length"
        f" === {len(TRAINING_STAGES)}",
    )
    full_hd_browser.screenshot(viz_build.parent / "viz_first_view.png", full_page=False)
    smallest = min(view["labels"], key=lambda label: label[1])

    assert len(view["labels"]) > len(TRAINING_STAGES)
    assert smallest[1] >= MIN_LABEL_PIXELS, smallest
    assert view["scale"] >= MIN_FIRST_VIEW_SCALE
    assert view["boxes"] == list(TRAINING_STAGES)
    assert view["tasks"] == 0
    # The bands of the layers shown, in data order from the raw files to the report.
    assert view["layers"] == [name for name in LAYER_ORDER if name in view["layers"]]
    assert (view["layers"][0], view["layers"][-1]) == ("raw", "reporting")
