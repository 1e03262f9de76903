"""Nodes that draw the customer value plots (matplotlib figures, saved by the catalog)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from customer_segmentation.pipelines.reporting.plot_style import (
    message_figure,
    segment_colours,
    segment_labels,
)
from customer_segmentation.pipelines.reporting.profiles import SEGMENT_COLUMN


def plot_segment_value(
    segment_value: pd.DataFrame, currency: str = "currency units"
) -> Figure:
    """Draws each segment's share of future value against its share of past revenue.

    Args:
        segment_value: Output of ``summarise_segment_value``.
        currency: Currency of the lifetime value (``segmentation_report.currency``).

    Returns:
        Two panels: paired bars of the shares (left) and the mean lifetime value
        per customer with its repeat buyers' mean probability alive and the
        share of one-time buyers (right); a message figure
        when no value was predicted.
    """
    title = "Customer lifetime value by segment"
    if segment_value.empty or segment_value["total_clv"].isna().all():
        return message_figure(
            title, "No lifetime value was predicted for this data (see the log)."
        )
    table = segment_value.sort_values(SEGMENT_COLUMN)
    segments = table[SEGMENT_COLUMN].astype(int).tolist()
    labels = segment_labels(table[[SEGMENT_COLUMN, "segment_name"]].fillna(""))
    colours = segment_colours(max(segments) + 1)
    figure = Figure(figsize=(13, 0.8 * len(segments) + 2), layout="constrained")
    shares, means = figure.subplots(1, 2, sharey=True, width_ratios=[3, 2.4])
    positions = np.arange(len(segments))
    height = 0.38
    bar_colours = [colours[segment] for segment in segments]
    future = 100 * table["future_value_share"].to_numpy(dtype="float64")
    past = 100 * table["past_revenue_share"].to_numpy(dtype="float64")
    shares.barh(
        positions - height / 2, future, height, color=bar_colours, label="future value"
    )
    shares.barh(
        positions + height / 2,
        past,
        height,
        color=bar_colours,
        hatch="//",
        edgecolor="white",
        label="past revenue (hatched)",
    )
    for position, share in zip(positions, future, strict=True):
        shares.annotate(f" {share:.1f}%", (share, position - height / 2), va="center")
    for position, share in zip(positions, past, strict=True):
        if np.isfinite(share):
            shares.annotate(
                f" {share:.1f}%", (share, position + height / 2), va="center"
            )
    shares.set_yticks(positions, [labels[segment] for segment in segments])
    shares.invert_yaxis()
    shares.set_xlim(0, np.nanmax([*future, *past, 1.0]) * 1.25)
    shares.set_xlabel("share of the total over all segments (%)")
    shares.set_title("Share of future value (plain) vs past revenue (hatched)")
    shares.legend(loc="lower right", fontsize=8)
    mean_clv = table["mean_clv"].to_numpy(dtype="float64")
    means.barh(positions, mean_clv, 0.6, color=bar_colours)
    for position, value, alive, once in zip(
        positions,
        mean_clv,
        table["mean_probability_alive"].astype("float64"),
        table["one_time_share"].astype("float64"),
        strict=True,
    ):
        alive_text = "n/a" if np.isnan(alive) else f"{alive:.0%}"
        means.annotate(
            f" {value:,.0f} (P alive {alive_text}; {once:.0%} bought once)",
            (value, position),
            va="center",
        )
    means.set_xlim(0, np.nanmax([*mean_clv, 1.0]) * 2.4)
    means.xaxis.set_major_locator(MaxNLocator(4))
    means.set_xlabel(f"mean lifetime value per customer ({currency})")
    means.set_title("Mean lifetime value; probability alive of repeat buyers")
    return figure


def plot_value_calibration(customer_value_calibration: pd.DataFrame) -> Figure:
    """Draws predicted against actual holdout purchases per calibration frequency.

    Args:
        customer_value_calibration: Table of ``check_purchase_model_calibration``.

    Returns:
        Lines of the mean actual and BG/NBD-predicted repeat purchases in the
        holdout period, per number of repeat purchases in the calibration
        period; a message figure when the check did not run.
    """
    title = "Holdout check of the purchase model (BG/NBD)"
    if customer_value_calibration.empty:
        return message_figure(
            title, "The holdout check did not run for this data (see the log)."
        )
    table = customer_value_calibration.sort_values("calibration_frequency")
    positions = np.arange(len(table))
    figure = Figure(figsize=(8, 4.5), layout="constrained")
    axes = figure.subplots()
    axes.plot(positions, table["actual_purchases"], "o-", label="actual")
    axes.plot(positions, table["predicted_purchases"], "s--", label="BG/NBD")
    axes.set_xticks(
        positions,
        [
            f"{bucket}\n(n={count:,})"
            for bucket, count in zip(table["bucket"], table["n_customers"], strict=True)
        ],
    )
    axes.set_xlabel("repeat purchases in the calibration period")
    axes.set_ylabel("mean repeat purchases in the holdout period")
    axes.set_ylim(bottom=0)
    axes.set_title(title)
    axes.legend()
    axes.grid(alpha=0.3)
    return figure
