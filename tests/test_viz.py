"""``kedro viz build`` output, served on 127.0.0.1 and rendered in headless Chromium."""

from __future__ import annotations

import functools
import http.server
import json
import threading

import pytest

from tests.chromium import HeadlessChromium, find_chromium

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (apt-get install -y chromium)",
)


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
        browser.open(f"{viz_url}/?pid={pipeline}")

        # Wait for this pipeline's nodes: right after navigating, the flowchart
        # can still show the previous pipeline's nodes.
        count = browser.wait_for(
            "(() => { const shown = new Set(Array.from("
            "document.querySelectorAll('.pipeline-node')).map(node => node.textContent));"
            f" const expected = {json.dumps(sorted(expected))};"
            " return shown.size === expected.length"
            " && expected.every(name => shown.has(name)); })()"
        )
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


def test_reporting_datasets_have_the_reporting_layer(viz_build):
    graph = json.loads((viz_build / "api" / "pipelines" / "reporting").read_text())
    reporting_outputs = [
        node
        for node in graph["nodes"]
        if node["type"] == "data"
        and node["name"].startswith(("segment_", "customer_rfm", "previous_segment"))
    ]

    assert reporting_outputs
    assert {node["layer"] for node in reporting_outputs} == {"reporting"}


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
