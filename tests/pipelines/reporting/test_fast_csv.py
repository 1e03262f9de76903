"""FastCSVDataset writes the text pandas.CSVDataset writes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from kedro_datasets.pandas import CSVDataset

from customer_segmentation.pipelines.reporting.datasets import FastCSVDataset

AUDIENCE_LIKE = pd.DataFrame(
    {
        "customer_id": np.array([12000, 12001, 12002, 12003, 12004, 12005]),
        "segment_name": [
            "Champions: high spend, frequent",
            "",
            None,
            'say "hi"',
            "é",
            " x ",
        ],
        "segment_rule": ["frequency >= 13 AND monetary > 2,936", "a\nb"] + ["r"] * 4,
        "monetary": [15764.209999999997, 1e-05, 1e16, -0.0, np.nan, np.inf],
        "age": [40.0, np.nan, 18.0, 90.0, 33.5, 0.1 + 0.2],
        "count": pd.array([1, None, 3, 4, 5, 6], dtype="Int64"),
    }
)


@pytest.mark.parametrize(
    "frame",
    [
        AUDIENCE_LIKE,
        AUDIENCE_LIKE.assign(segment_name=AUDIENCE_LIKE["segment_name"].astype(object)),
        # Written by pandas: DuckDB writes booleans and dates its own way.
        AUDIENCE_LIKE.assign(
            active=[True, False] * 3,
            first_purchase=pd.to_datetime(["2025-01-01"] * 6),
        ),
    ],
    ids=["numbers_and_text", "object_text", "booleans_and_dates"],
)
def test_text_is_the_one_pandas_writes(tmp_path, frame):
    FastCSVDataset(filepath=str(tmp_path / "fast" / "a.csv")).save(frame)
    CSVDataset(filepath=str(tmp_path / "a.csv")).save(frame)

    written = (tmp_path / "fast" / "a.csv").read_bytes()
    assert written == (tmp_path / "a.csv").read_bytes()
    assert b'say ""hi""' in written


def test_saved_file_loads_back(tmp_path):
    dataset = FastCSVDataset(filepath=str(tmp_path / "a.csv"))
    dataset.save(AUDIENCE_LIKE)

    loaded = dataset.load()

    assert loaded["customer_id"].tolist() == AUDIENCE_LIKE["customer_id"].tolist()
    assert loaded["segment_rule"].iloc[1] == "a\nb"


def test_numbers_and_text_are_written_by_duckdb(tmp_path, monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("written by pandas")

    monkeypatch.setattr(pd.DataFrame, "to_csv", refuse)

    FastCSVDataset(filepath=str(tmp_path / "a.csv")).save(AUDIENCE_LIKE)

    assert (tmp_path / "a.csv").read_text().startswith("customer_id,segment_name,")
