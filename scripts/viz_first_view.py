"""Measures kedro-viz's first view in a Full HD window: the zoom it opens at and its smallest label.

Prints numbers; it asserts nothing. The kedro-viz files are made in this process
(what ``kedro viz build`` writes, without previews), served on 127.0.0.1 with the
installed kedro-viz app and read in headless Chromium (1920 x 1080, a fresh
profile each time, as on a first visit), for:

- ``__default__``, the training run, as kedro-viz opens it; then with the data
  layers turned off and with the flowchart turned left to right (the toolbar
  buttons), which a visitor can choose;
- idealised first views: three chained boxes passing one dataset per layer band,
  with 7, 6, 5 and 4 bands, which bounds the zoom by the bands alone; then the
  same chains with the training run's final outputs (the report, audience files
  and history), half made by the second box and half by the third, which bounds
  it by the width of those outputs too;
- with ``--alternatives``, other groupings of the training run into stages
  (``ALTERNATIVES``).

Screenshots go to build/viz_first_view/. Usage (from the project root)::

    .venv/bin/python scripts/viz_first_view.py [--alternatives]
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import fsspec
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Node, Pipeline

from customer_segmentation.output_filters import quiet_output
from customer_segmentation.pipeline_registry import STAGE_OF, training_steps

PROJECT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_ROOT))
quiet_output()  # before kedro-viz's imports, which warn

import kedro_viz  # noqa: E402
from kedro_viz.api.rest.responses.save_responses import (  # noqa: E402
    save_api_responses_to_fs,
)
from kedro_viz.data_access import data_access_manager  # noqa: E402
from kedro_viz.integrations.kedro import data_loader  # noqa: E402
from kedro_viz.server import populate_data  # noqa: E402

from tests.chromium import CHROMIUM, HeadlessChromium  # noqa: E402
from tests.viz_view import FULL_HD, read_first_view  # noqa: E402

SCREENSHOTS = PROJECT_ROOT / "build" / "viz_first_view"
TOOLBAR = {
    "layers off": "pipeline-menu-button--layers",
    "left to right": "pipeline-menu-button--orientation",
}
# Idealised first views: the bands between the raw inputs and the report that
# the boxes pass data through, after preparation and after segmentation.
IDEAL_BANDS = {
    7: (("primary", "feature", "model_input"), ("models", "model_output")),
    6: (("primary", "feature", "model_input"), ("model_output",)),
    5: (("feature", "model_input"), ("model_output",)),
    4: (("model_input",), ("model_output",)),
}
# Other groupings of the training run, measured with --alternatives. Each moves
# steps (``training_steps``), single nodes, or REPORT_INPUTS (the reporting
# nodes whose outputs the HTML report reads) from their stage in
# TRAINING_STAGES to another, in this order; node names are as in their pipeline.
REPORT_INPUTS = "report inputs"
_TO_SEGMENTATION = {"publication": "segmentation"}
_REPORT_IN_SEGMENTATION = {
    **_TO_SEGMENTATION,
    REPORT_INPUTS: "segmentation",
    "select_model_input_node": "segmentation",
}
ALTERNATIVES = {
    "publication in segmentation": _TO_SEGMENTATION,
    "segment plots in segmentation": {
        **_TO_SEGMENTATION,
        "plot_segment_sizes_node": "segmentation",
        "plot_segment_profiles_node": "segmentation",
        "plot_recency_monetary_node": "segmentation",
    },
    "two stages": {
        name: "segmentation"
        for name in ("modeling", "customer_value", "publication", "reporting")
    },
    "report in segmentation": _REPORT_IN_SEGMENTATION,
    "report in segmentation, balanced": {
        **_REPORT_IN_SEGMENTATION,
        **dict.fromkeys(
            (
                "plot_rfm_grid_node",
                "plot_monthly_revenue_node",
                "plot_segment_migration_node",
                "snapshot_segment_assignments_node",
                "plot_segment_value_node",
            ),
            "segmentation",
        ),
        **dict.fromkeys(
            (
                "plot_model_selection_metrics_node",
                "plot_stability_node",
                "plot_value_calibration_node",
            ),
            "delivery",
        ),
    },
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Keeps the output to the measurements."""


def _write_viz_files(
    folder: Path, catalog: DataCatalog, pipeline: Pipeline, node_extras: dict
) -> None:
    """Writes the kedro-viz app and its API files for ``pipeline`` as ``__default__``."""
    shutil.copytree(Path(kedro_viz.__file__).parent / "html", folder)
    data_access_manager.reset_fields()
    populate_data(data_access_manager, catalog, {"__default__": pipeline}, node_extras)
    save_api_responses_to_fs(str(folder), fsspec.filesystem("file"), False)


@contextlib.contextmanager
def _served(folder: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        thread.join()


def _measure(url: str, profile: Path, name: str, toolbar_button: str | None) -> None:
    """Prints the zoom, the smallest label and the bands of one first view."""
    width, height = FULL_HD
    browser = HeadlessChromium(CHROMIUM, profile, width=width, height=height)
    drawn = "document.querySelectorAll('.pipeline-node').length > 0"
    try:
        view = read_first_view(browser, url, drawn)
        if toolbar_button is not None:
            browser.evaluate(f"document.querySelector('.{toolbar_button}').click()")
            browser.evaluate(
                "document.querySelector('.pipeline-minimap-button--reset').click()"
            )
            view = read_first_view(browser, url, drawn)
        slug = name.replace(" ", "_").replace(",", "")
        browser.screenshot(SCREENSHOTS / f"{slug}.png", full_page=False)
    finally:
        browser.close()
    text, pixels = min(view["labels"], key=lambda label: label[1])
    print(  # noqa: T201
        f"{name:<34} zoom {view['scale']:.3f}   smallest label {pixels:4.1f} px "
        f"({text})   {len(view['layers'])} layer bands"
    )


def _drawn_only(*datasets: object) -> None:
    """The function of the idealised boxes, which are drawn and never run."""


def _ideal_first_view(
    catalog: DataCatalog, bands: int, final_outputs: tuple[str, ...] = ()
) -> Pipeline:
    """Three chained boxes passing one dataset per band, from a raw file to the reports.

    Without ``final_outputs`` the last box makes one report; with them, the
    second box makes their first half and the last box the rest.
    """

    def dataset(layer: str) -> str:
        name = f"{layer}_of_{bands}_bands"
        catalog[name] = MemoryDataset(metadata={"kedro-viz": {"layer": layer}})
        return name

    def box(name: str, inputs: list[str], outputs: list[str]) -> Node:
        return Node(_drawn_only, inputs, outputs, name=f"{name}_node", namespace=name)

    after_preparation, after_segmentation = IDEAL_BANDS[bands]
    prepared = [dataset(layer) for layer in after_preparation]
    segmented = [dataset(layer) for layer in after_segmentation]
    reports = list(final_outputs) or [dataset("reporting")]
    half = len(reports) // 2
    return Pipeline(
        [
            box("preparation", [dataset("raw")], prepared),
            box("segmentation", prepared, segmented + reports[:half]),
            box("delivery", prepared + segmented, reports[half:]),
        ]
    )


def _regrouped(pipelines: dict[str, Pipeline], moves: dict[str, str]) -> Pipeline:
    """The training run as ``__default__`` builds it, with nodes moved between stages."""
    steps = training_steps(
        {
            name: pipeline
            for name, pipeline in pipelines.items()
            if name != "__default__"
        }
    )
    report_inputs = {
        node.name for node in steps["reporting"].to_outputs("segmentation_report").nodes
    }
    groups: dict[tuple[str, str], list[Node]] = {}
    for step, pipeline in steps.items():
        for node in pipeline.nodes:
            stage = STAGE_OF[step]
            for moved, to in moves.items():
                if moved in (step, node.name) or (
                    moved == REPORT_INPUTS and node.name in report_inputs
                ):
                    stage = to
            groups.setdefault((stage, step), []).append(node)
    return sum(
        (
            Pipeline(
                nodes,
                namespace=f"{stage}.{step}",
                prefix_datasets_with_namespace=False,
            )
            for (stage, step), nodes in groups.items()
        ),
        start=Pipeline([]),
    )


def main() -> None:
    """Measures the training run's first view, then the idealised ones."""
    if CHROMIUM is None:
        sys.exit("headless Chromium is not installed (apt-get install -y chromium)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    catalog, pipelines, node_extras = data_loader.load_data(PROJECT_ROOT)
    final_outputs = tuple(sorted(pipelines["__default__"].outputs()))
    cases = [
        ("__default__", pipelines["__default__"], (None, *TOOLBAR)),
        *(
            (f"ideal, {bands} bands", _ideal_first_view(catalog, bands), (None,))
            for bands in IDEAL_BANDS
        ),
        *(
            (
                f"ideal, {bands} bands, {len(final_outputs)} outputs",
                _ideal_first_view(catalog, bands, final_outputs),
                (None,),
            )
            for bands in IDEAL_BANDS
        ),
    ]
    if "--alternatives" in sys.argv[1:]:
        cases += [
            (name, _regrouped(pipelines, moves), (None,))
            for name, moves in ALTERNATIVES.items()
        ]
    with tempfile.TemporaryDirectory() as temporary:
        for number, (name, pipeline, views) in enumerate(cases):
            folder = Path(temporary) / f"case{number}"
            _write_viz_files(folder / "site", catalog, pipeline, node_extras)
            with _served(folder / "site") as url:
                for view in views:
                    profile = Path(tempfile.mkdtemp(dir=folder))
                    label = name if view is None else f"{name}, {view}"
                    _measure(url, profile, label, TOOLBAR.get(view))


if __name__ == "__main__":
    main()
