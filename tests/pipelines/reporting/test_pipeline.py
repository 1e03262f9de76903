"""Slice test: the reporting pipeline end to end on tiny in-memory data."""

import base64
import re

import pandas as pd
import pytest
from kedro.io import DataCatalog
from kedro.runner import SequentialRunner

from customer_segmentation.pipelines.feature_engineering.settings import FeatureSettings
from customer_segmentation.pipelines.modeling.settings import ModelFeatures
from customer_segmentation.pipelines.reporting import create_pipeline
from customer_segmentation.pipelines.reporting.datasets import PlotFileDataset
from customer_segmentation.pipelines.reporting.report import REPORT_PLOTS
from customer_segmentation.pipelines.reporting.settings import (
    CustomerSampleSettings,
    NamingSettings,
    ProjectionSettings,
    ReportSettings,
    RfmRule,
    RfmSettings,
    RulesSettings,
)

from .report_inputs import model_selection, orders, plot_png, report_inputs

FEATURES = pd.DataFrame(
    {
        "customer_id": list("abcdef"),
        "recency_days": [5, 8, 200, 250, 30, 40],
        "frequency": [20, 25, 1, 2, 5, 6],
        "monetary": [900.0, 1200.0, 20.0, 35.0, 150.0, 180.0],
    }
)
SEGMENTS = pd.DataFrame(
    {"customer_id": list("abcdef"), "segment_id": [0, 0, 2, 2, 1, 1]}
)
MODEL_FEATURES = ["recency_days", "frequency", "monetary"]


# Drawn by the modeling pipeline; here files already on disk.
MODELING_PLOTS = (
    "model_selection_metrics_plot",
    "stability_plot",
    "silhouette_plot",
    "dendrogram_plot",
)


@pytest.fixture
def catalog(tmp_path) -> DataCatalog:
    catalog = DataCatalog()
    # Every plot is a file the plot node saves and the report loads back.
    for name in REPORT_PLOTS:
        path = tmp_path / f"{name}.png"
        if name in MODELING_PLOTS:
            path.write_bytes(plot_png(name))
        catalog[name] = PlotFileDataset(filepath=str(path))
    names = pd.DataFrame({"segment_id": [0, 1, 2], "segment_name": list("abc")})
    inputs_for_report = report_inputs(FEATURES, SEGMENTS, names, MODEL_FEATURES)
    inputs = {
        "customer_features@pandas": FEATURES,
        "customer_segments": SEGMENTS,
        "previous_segment_assignments": SEGMENTS.assign(segment_name="old"),
        "data_quality_report": {
            "dataset": "transactions",
            "rows_in": 6,
            "rows_dropped": {},
            "rows_out": 6,
            "customers_out": 6,
            "invoices_out": 6,
        },
        "model_selection": model_selection([2, 3], 3),
        "customer_orders": orders(FEATURES),
        "model_bundle": inputs_for_report["model_bundle"],
        "params:model_features": ModelFeatures(numeric=MODEL_FEATURES),
        "params:feature_settings": FeatureSettings(),
        "params:input_kind": "transactions",
        "params:rfm": RfmSettings(
            segments=[
                RfmRule(name="Champions", recency=(4, 5), frequency_monetary=(4, 5))
            ]
        ),
        "params:segment_naming": NamingSettings(),
        "params:segment_rules": RulesSettings(min_leaf_share=0.1),
        "params:segment_projection": ProjectionSettings(),
        "params:customer_sample": CustomerSampleSettings(),
        "params:segmentation_report": ReportSettings(),
        "params:segmentation_report.currency": "GBP",
        # The customer_value pipeline's section; empty leaves it out.
        "customer_value_section": "",
    }
    for name, value in inputs.items():
        catalog[name] = value
    return catalog


def test_reporting_pipeline_names_every_segment_and_renders_the_report(
    catalog, tmp_path
):
    outputs = SequentialRunner().run(create_pipeline(), catalog)

    history = outputs["segment_assignment_history"].load()
    names = history.drop_duplicates("segment_id").set_index("segment_id")[
        "segment_name"
    ]
    assert sorted(names.index) == [0, 1, 2]
    assert names.is_unique
    assert names[0].startswith("Champions")
    report = outputs["segmentation_report"].load()
    assert report.startswith("<!DOCTYPE html>")
    assert "6 of 6 customers" in report
    # The report embeds the files the run saved, in page order: all but the
    # breakdown (no country or channel column here).
    embedded = [
        base64.b64decode(data)
        for data in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", report)
    ]
    assert embedded == [
        (tmp_path / f"{name}.png").read_bytes()
        for name in REPORT_PLOTS
        if name != "segment_breakdown_plot"
    ]
    files = outputs["segment_audience_files"].load()
    assert sorted(files)[0] == "segment_0_champions"
    assert sum(len(rows) for rows in files.values()) == len(SEGMENTS)
