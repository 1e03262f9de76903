"""The notebooks: stored without outputs, and executed headless on a finished run."""

from __future__ import annotations

import re

import nbformat
import pytest
from nbclient import NotebookClient

from tests.project import PROJECT_ROOT

NOTEBOOKS = sorted((PROJECT_ROOT / "notebooks").glob("*.ipynb"))


def test_the_two_notebooks_exist():
    assert {path.name for path in NOTEBOOKS} == {
        "exploration.ipynb",
        "segment_inspection.ipynb",
    }


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_is_stored_without_outputs(path):
    notebook = nbformat.read(path, as_version=4)

    code_cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code_cells
    assert all(cell.outputs == [] for cell in code_cells)
    assert all(cell.execution_count is None for cell in code_cells)
    assert "widgets" not in notebook.metadata


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs_from_the_project_root(path, finished_project):
    notebook = nbformat.read(finished_project / "notebooks" / path.name, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        # From the project root, so %load_ext kedro.ipython finds the project and
        # the catalog's relative paths resolve.
        resources={"metadata": {"path": str(finished_project)}},
    )

    client.execute()

    outputs = [output for cell in notebook.cells for output in cell.get("outputs", [])]
    assert not [output for output in outputs if output.output_type == "error"]
    assert any(output.output_type == "display_data" for output in outputs)
    assert not [text for text in map(_text, outputs) if LOG_NOISE.search(text)]


# A log record or a warning, as Kedro's handlers or Python print them.
LOG_NOISE = re.compile(r"\b(INFO|WARNING)\b|Warning:")


def _text(output: dict) -> str:
    if output.output_type == "stream":
        return output.text
    return "".join(output.get("data", {}).get("text/plain", ""))
