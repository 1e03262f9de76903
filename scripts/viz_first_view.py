"""Measures kedro-viz's first view in a Full HD window: the zoom it opens at and its smallest label.

Prints numbers; it asserts nothing. The kedro-viz files are made in this process
(what ``kedro viz build`` writes, without previews), served on 127.0.0.1 with the
installed kedro-viz app and read in headless Chromium (1920 x 1080, a fresh
profile each time, as on a first visit), for:

- ``__default__``, the training run, as kedro-viz opens it; then with the data
  layers turned off and with the flowchart turned left to right (the toolbar
  buttons), which a visitor can choose;
- idealised first views: three chained boxes passing one dataset per layer band,
  with 7, 6, 5 and 4 bands. They show the most zoom any grouping of the training
  run into three boxes could open at with that many bands.

Screenshots go to build/viz_first_view/. Usage (from the project root)::

    .venv/bin/python scripts/viz_first_view.py
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


def _ideal_first_view(catalog: DataCatalog, bands: int) -> Pipeline:
    """Three chained boxes passing one dataset per band, from a raw file to a report."""

    def dataset(layer: str) -> str:
        name = f"{layer}_of_{bands}_bands"
        catalog[name] = MemoryDataset(metadata={"kedro-viz": {"layer": layer}})
        return name

    def box(name: str, inputs: list[str], outputs: list[str]) -> Node:
        return Node(_drawn_only, inputs, outputs, name=f"{name}_node", namespace=name)

    after_preparation, after_segmentation = IDEAL_BANDS[bands]
    prepared = [dataset(layer) for layer in after_preparation]
    segmented = [dataset(layer) for layer in after_segmentation]
    return Pipeline(
        [
            box("preparation", [dataset("raw")], prepared),
            box("segmentation", prepared, segmented),
            box("delivery", prepared + segmented, [dataset("reporting")]),
        ]
    )


def main() -> None:
    """Measures the training run's first view, then the idealised ones."""
    if CHROMIUM is None:
        sys.exit("headless Chromium is not installed (apt-get install -y chromium)")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    catalog, pipelines, node_extras = data_loader.load_data(PROJECT_ROOT)
    cases = [
        ("__default__", pipelines["__default__"], (None, *TOOLBAR)),
        *(
            (f"ideal, {bands} bands", _ideal_first_view(catalog, bands), (None,))
            for bands in IDEAL_BANDS
        ),
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
