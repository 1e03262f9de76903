"""PlotFileDataset: saves a figure as MatplotlibDataset does and loads the file's bytes."""

import base64

import pytest
from kedro.io import DatasetError
from matplotlib.figure import Figure

from customer_segmentation.pipelines.reporting.datasets import PlotFileDataset


def _figure() -> Figure:
    figure = Figure(figsize=(2, 1))
    figure.add_subplot().plot([0, 1], [1, 0])
    return figure


def test_loads_the_bytes_of_the_file_it_saved(tmp_path):
    path = tmp_path / "plots" / "sizes.png"
    dataset = PlotFileDataset(filepath=str(path), save_args={"dpi": 40})

    dataset.save(_figure())

    assert dataset.load() == path.read_bytes()
    assert path.read_bytes().startswith(b"\x89PNG")
    # 2 x 1 inches at 40 dpi: the save arguments apply as in MatplotlibDataset.
    assert int.from_bytes(path.read_bytes()[16:20], "big") == 80
    # kedro-viz shows the saved file as the preview, as for MatplotlibDataset.
    assert base64.b64decode(str(dataset.preview())) == path.read_bytes()


def test_a_missing_file_is_an_error_naming_it(tmp_path):
    path = tmp_path / "never_saved.png"

    with pytest.raises(DatasetError, match=r"never_saved\.png.*no such file"):
        PlotFileDataset(filepath=str(path)).load()


def test_a_file_that_is_not_a_png_is_an_error_naming_it(tmp_path):
    path = tmp_path / "sizes.png"
    path.write_bytes(b"<svg></svg>")

    with pytest.raises(DatasetError, match=r"sizes\.png.*not a PNG.*b'<svg></s'"):
        PlotFileDataset(filepath=str(path)).load()
