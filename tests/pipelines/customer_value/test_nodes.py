"""Unit tests of the customer_value nodes: skips, warnings, holdout check, segments, report."""

from __future__ import annotations

import base64
import logging
import re

import ibis
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from customer_segmentation.pipelines.customer_value.models import (
    STATUS_INSUFFICIENT_REPEAT_DATA,
    STATUS_SKIPPED,
    InsufficientRepeatDataWarning,
)
from customer_segmentation.pipelines.customer_value.nodes import (
    aggregate_customer_purchases,
    check_purchase_model_calibration,
    fit_customer_value_models,
    resolve_calibration_end,
    summarise_calibration_purchases,
    summarise_customer_purchases,
    summarise_purchase_history,
)
from customer_segmentation.pipelines.customer_value.plots import (
    plot_segment_value,
    plot_value_calibration,
)
from customer_segmentation.pipelines.customer_value.report import (
    render_customer_value_section,
)
from customer_segmentation.pipelines.customer_value.segment_value import (
    summarise_segment_value,
)
from customer_segmentation.pipelines.customer_value.settings import (
    CalibrationSettings,
    CustomerValueSettings,
)
from customer_segmentation.pipelines.reporting.settings import ReportSettings
from tests.pipelines.reporting.report_inputs import plot_png

REFERENCE = pd.Timestamp("2025-07-01")


def _summary(frequencies: list[int]) -> pd.DataFrame:
    n_customers = len(frequencies)
    frequency = np.asarray(frequencies)
    return pd.DataFrame(
        {
            "customer_id": [f"c{index}" for index in range(n_customers)],
            "frequency": frequency,
            "recency": np.where(frequency > 0, 10.0 + frequency, 0.0),
            "T": np.full(n_customers, 30.0),
            "monetary_value": np.where(frequency > 0, 20.0 + frequency, 0.0),
        }
    )


def test_attribute_only_data_skips_the_pipeline_with_one_log_line(caplog):
    empty = ibis.memtable(pd.DataFrame({"customer_id": pd.Series([], dtype=str)}))

    with caplog.at_level(logging.INFO):
        summary = summarise_customer_purchases(
            empty, empty, pd.NaT, CustomerValueSettings(), "attributes"
        ).to_pandas()
        record = fit_customer_value_models(summary, pd.NaT, CustomerValueSettings())

    assert summary.empty
    assert record.status == STATUS_SKIPPED
    assert [message for message in caplog.messages if "customer_value" in message] == [
        "input_kind=attributes: no purchases, so the customer_value pipeline is "
        "skipped (no lifetime value)"
    ]


def test_attribute_only_data_gives_empty_training_summaries_with_one_log_line(caplog):
    empty = ibis.memtable(pd.DataFrame({"customer_id": pd.Series([], dtype=str)}))
    settings = CustomerValueSettings()

    with caplog.at_level(logging.INFO):
        end = resolve_calibration_end(pd.NaT, CalibrationSettings(), "attributes")
        history = aggregate_customer_purchases(empty, empty, pd.NaT, end, "attributes")
        summary = summarise_purchase_history(history, pd.NaT, settings).to_pandas()
        calibration = summarise_calibration_purchases(
            history, pd.NaT, end, settings
        ).to_pandas()

    assert history.to_pandas().empty
    assert list(summary.columns) == [
        "customer_id",
        "frequency",
        "recency",
        "T",
        "monetary_value",
    ]
    assert summary.empty
    assert calibration.empty
    assert "holdout_purchases" in calibration.columns
    assert len([message for message in caplog.messages if "skipped" in message]) == 1


def test_too_little_repeat_data_warns_by_name_and_fits_nothing():
    summary = _summary([0, 0, 0, 1, 2])

    with pytest.warns(InsufficientRepeatDataWarning, match="n_repeat_customers=2"):
        record = fit_customer_value_models(
            summary, REFERENCE, CustomerValueSettings(min_repeat_customers=5)
        )

    assert record.status == STATUS_INSUFFICIENT_REPEAT_DATA
    assert record.bg_nbd is None
    assert record.gamma_gamma is None


def test_calibration_end_defaults_to_the_holdout_before_the_reference_date():
    end = resolve_calibration_end(
        pd.Timestamp("2025-07-01 18:30"), CalibrationSettings(), "both"
    )

    assert end == pd.Timestamp("2025-01-01")


def test_calibration_end_after_the_reference_date_is_refused():
    settings = CalibrationSettings(calibration_end="2025-08-01")

    with pytest.raises(ValueError, match="calibration_end=2025-08-01 should be before"):
        resolve_calibration_end(REFERENCE, settings, "transactions")


def test_holdout_check_groups_customers_by_calibration_frequency():
    frequencies = [0] * 10 + [1] * 8 + [2] * 6 + [3] * 4 + [9] * 3
    calibration = _summary(frequencies).assign(
        holdout_purchases=np.asarray(frequencies) // 2, holdout_length=26.0
    )

    table, check = check_purchase_model_calibration(
        calibration,
        CustomerValueSettings(min_repeat_customers=5),
        CalibrationSettings(max_frequency_bucket=3),
    )

    assert list(table["bucket"]) == ["0", "1", "2", "3+"]
    assert list(table["n_customers"]) == [10, 8, 6, 7]
    assert list(table["actual_purchases"]) == pytest.approx([0, 0, 1, 16 / 7])
    assert (table["predicted_purchases"] > 0).all()
    assert check["actual_holdout_purchases"] == pytest.approx(6 + 4 + 12)
    assert set(check["bg_nbd"]["parameters"]) == {"r", "alpha", "a", "b"}


def _segment_inputs() -> tuple[pd.DataFrame, ...]:
    customer_value = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c"],
            "frequency": [4.0, 1.0, 2.0],
            "clv": [300.0, 100.0, 0.0],
            "probability_alive": [0.9, 0.5, 0.1],
            "expected_purchases": [3.0, 1.0, 0.0],
        }
    )
    segments = pd.DataFrame({"customer_id": ["a", "b", "c"], "segment_id": [0, 0, 1]})
    features = pd.DataFrame(
        {"customer_id": ["a", "b", "c"], "monetary": [50.0, 50.0, 100.0]}
    )
    names = pd.DataFrame({"segment_id": [0, 1], "segment_name": ["Best", "Gone"]})
    return customer_value, segments, features, names, CustomerValueSettings()


def test_segment_value_sets_future_value_against_past_revenue():
    table = summarise_segment_value(*_segment_inputs()).set_index("segment_id")

    assert table.loc[0, "total_clv"] == pytest.approx(400.0)
    assert table.loc[0, "mean_clv"] == pytest.approx(200.0)
    assert table.loc[0, "future_value_share"] == pytest.approx(1.0)
    assert table.loc[0, "past_revenue_share"] == pytest.approx(0.5)
    assert table.loc[1, "mean_probability_alive"] == pytest.approx(0.1)
    assert table.loc[1, "segment_name"] == "Gone"
    assert table.loc[0, "value_verdict"] == "high value, still alive: win back"
    assert table.loc[1, "value_verdict"] == "low value, likely lapsed: spend little"


def test_high_value_segment_still_alive_but_not_active_is_a_win_back():
    customer_value, segments, features, names, settings = _segment_inputs()
    value = customer_value.assign(probability_alive=[0.8, 0.6, 0.95])

    table = summarise_segment_value(value, segments, features, names, settings)

    verdicts = table.set_index("segment_id")["value_verdict"]
    assert verdicts[0] == "high value, still alive: win back"
    assert verdicts[1] == "low value, still alive: grow at low cost"


def test_one_time_buyers_do_not_make_a_lapsed_segment_look_alive():
    # BG/NBD gives every one-time buyer a probability alive of 1, however long
    # ago they bought; averaged in, a segment of lapsed one-time buyers read
    # "still alive" (the sample's Hibernating segment: 0.58 against 0.05 for
    # its repeat buyers).
    customer_value = pd.DataFrame(
        {
            "customer_id": ["a", "b", "c", "d", "e"],
            "frequency": [5.0, 0.0, 0.0, 1.0, 0.0],
            "clv": [500.0, 4.0, 3.0, 2.0, 900.0],
            "probability_alive": [0.95, 1.0, 1.0, 0.05, 1.0],
            "expected_purchases": [4.0, 0.1, 0.1, 0.0, 0.2],
        }
    )
    segments = pd.DataFrame(
        {"customer_id": ["a", "b", "c", "d", "e"], "segment_id": [0, 1, 1, 1, 2]}
    )
    names = pd.DataFrame(
        {"segment_id": [0, 1, 2], "segment_name": ["Best", "Hibernating", "New"]}
    )
    features = pd.DataFrame({"customer_id": list("abcde"), "monetary": [1.0] * 5})

    table = summarise_segment_value(
        customer_value, segments, features, names, CustomerValueSettings()
    ).set_index("segment_id")

    assert table.loc[1, "mean_probability_alive"] == pytest.approx(0.05)
    assert table.loc[1, "one_time_share"] == pytest.approx(2 / 3)
    assert table.loc[1, "value_verdict"] == "low value, likely lapsed: spend little"
    assert table.loc[0, "one_time_share"] == 0.0
    assert pd.isna(table.loc[2, "mean_probability_alive"])
    assert table.loc[2, "value_verdict"] == (
        "high value, bought once (alive unknown): invite a second purchase"
    )
    assert table.loc[2, "mean_clv"] == pytest.approx(900.0)


def test_active_threshold_must_be_above_the_alive_threshold():
    with pytest.raises(ValueError, match="active_threshold=0.4 should be > "):
        CustomerValueSettings(alive_threshold=0.5, active_threshold=0.4)


def test_segment_value_without_a_value_model_has_null_values_and_no_verdict():
    customer_value, segments, features, names, settings = _segment_inputs()

    table = summarise_segment_value(
        customer_value[["customer_id"]], segments, features, names, settings
    )

    assert table["total_clv"].isna().all()
    assert table["value_verdict"].isna().all()


def test_segment_value_without_predictions_is_empty():
    customer_value, segments, features, names, settings = _segment_inputs()

    table = summarise_segment_value(
        customer_value.head(0), segments, features, names, settings
    )

    assert table.empty


def test_value_plots_draw_the_table_or_say_why_not():
    segment_value = summarise_segment_value(*_segment_inputs())
    calibration = pd.DataFrame(
        {
            "calibration_frequency": [0, 1],
            "bucket": ["0", "1+"],
            "n_customers": [5, 3],
            "actual_purchases": [0.2, 1.5],
            "predicted_purchases": [0.3, 1.2],
        }
    )

    figure = plot_segment_value(segment_value, "GBP")
    assert len(figure.axes) == 2
    assert figure.axes[1].get_xlabel() == "mean lifetime value per customer (GBP)"
    assert len(plot_value_calibration(calibration).axes[0].lines) == 2
    empty = plot_value_calibration(calibration.head(0))
    assert isinstance(empty, Figure)
    assert "did not run" in empty.axes[0].texts[0].get_text()


def test_report_section_says_why_there_is_no_value():
    html = render_customer_value_section(
        summarise_segment_value(*_segment_inputs()).head(0),
        {"status": STATUS_INSUFFICIENT_REPEAT_DATA},
        pd.DataFrame(),
        CustomerValueSettings(),
        ReportSettings(),
        plot_png("segment_value_plot"),
        plot_png("customer_value_calibration_plot"),
    )

    # The report's page draws the section and its heading around the body.
    assert "<section" not in html
    assert "too few customers bought more than once" in html
    # The saved plot files, unchanged, in that order.
    embedded = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", html)
    assert [base64.b64decode(data) for data in embedded] == [
        plot_png("segment_value_plot"),
        plot_png("customer_value_calibration_plot"),
    ]


def test_report_section_is_left_out_for_data_without_purchases():
    html = render_customer_value_section(
        summarise_segment_value(*_segment_inputs()).head(0),
        {"status": STATUS_SKIPPED},
        pd.DataFrame(),
        CustomerValueSettings(),
        ReportSettings(),
        plot_png("segment_value_plot"),
        plot_png("customer_value_calibration_plot"),
    )

    assert html == ""
