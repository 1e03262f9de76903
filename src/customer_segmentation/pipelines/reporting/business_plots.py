"""Plots of the business sections: R x F grid, monthly revenue, breakdowns, migration."""

from __future__ import annotations

import textwrap

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .business import rfm_grid, segment_breakdown
from .plot_style import (
    LABEL_WIDTH,
    colour_table,
    compact_number,
    message_figure,
    segment_labels,
)
from .profiles import SEGMENT_COLUMN
from .settings import ReportSettings, RfmSettings

MIN_MONTHS = 2


def plot_rfm_grid(
    customer_rfm_scores: pd.DataFrame,
    customer_features: pd.DataFrame,
    rfm: RfmSettings,
    report: ReportSettings,
) -> Figure:
    """Draws the recency x frequency score grid with customers and revenue per cell.

    Args:
        customer_rfm_scores: Output of ``score_rfm``.
        customer_features: One row per customer, with the monetary column.
        rfm: Score levels and the monetary column.
        report: Currency of the revenue.

    Returns:
        A heatmap (colour: customers) with recency score as rows (5 = most recent at
        the top) and frequency score as columns; a message figure without RFM
        scores.
    """
    grid = rfm_grid(customer_rfm_scores, customer_features, rfm)
    if grid.empty:
        return message_figure(
            "Recency x frequency grid", "No RFM scores: the data has no transactions."
        )
    counts = grid.pivot(
        index="recency_score", columns="frequency_score", values="n_customers"
    ).sort_index(ascending=False)
    revenue = grid.pivot(
        index="recency_score", columns="frequency_score", values="revenue"
    ).reindex(counts.index)
    figure = Figure(figsize=(9, 6), layout="constrained")
    axes = figure.subplots()
    image = axes.imshow(counts.to_numpy(), cmap="Blues", aspect="auto")
    threshold = counts.to_numpy().max() / 2
    for row in range(counts.shape[0]):
        for column in range(counts.shape[1]):
            count = int(counts.iloc[row, column])
            axes.text(
                column,
                row,
                f"{count:,} customers\n{compact_number(revenue.iloc[row, column])} "
                f"{report.currency}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if count > threshold else "black",
            )
    axes.set_xticks(range(counts.shape[1]), [str(level) for level in counts.columns])
    axes.set_yticks(range(counts.shape[0]), [str(level) for level in counts.index])
    axes.set_xlabel("frequency score (5 = most orders)")
    axes.set_ylabel("recency score (5 = bought most recently)")
    axes.set_title("Customers and revenue by recency and frequency score")
    figure.colorbar(image, ax=axes, label="customers")
    return figure


def plot_monthly_revenue(
    monthly_segment_revenue: pd.DataFrame,
    segment_names: pd.DataFrame,
    report: ReportSettings,
) -> Figure:
    """Draws each segment's revenue per calendar month, stacked.

    Args:
        monthly_segment_revenue: ``segment_id``, ``month`` and ``revenue``.
        segment_names: ``segment_id`` and ``segment_name``.
        report: Currency of the revenue.

    Returns:
        A stacked area chart; a message figure with fewer than two months.
    """
    if monthly_segment_revenue.empty or (
        monthly_segment_revenue["month"].nunique() < MIN_MONTHS
    ):
        return message_figure(
            "Revenue per segment over time",
            "Fewer than two months of transactions: no trend to draw.",
        )
    table = monthly_segment_revenue.assign(
        month=pd.to_datetime(monthly_segment_revenue["month"])
    ).pivot_table(
        index="month",
        columns=SEGMENT_COLUMN,
        values="revenue",
        aggfunc="sum",
        fill_value=0,
    )
    segments = [int(segment) for segment in table.columns]
    colours = colour_table(segments)
    labels = segment_labels(segment_names, width=60)
    figure = Figure(figsize=(11, 5.5), layout="constrained")
    axes = figure.subplots()
    axes.stackplot(
        table.index,
        table.to_numpy().T,
        colors=[colours[segment] for segment in segments],
        labels=[labels.get(segment, str(segment)) for segment in segments],
        alpha=0.85,
    )
    axes.set_ylabel(f"revenue per month ({report.currency})")
    axes.yaxis.set_major_formatter(lambda value, _: compact_number(value))
    axes.set_title("Revenue per segment and month (stacked)", loc="left")
    axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    axes.grid(axis="y", alpha=0.3)
    return figure


def plot_segment_breakdowns(
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    segment_names: pd.DataFrame,
    report: ReportSettings,
) -> Figure:
    """Draws how each segment's customers split by country, channel or the like.

    The pipeline and the report give it the customer sample (every customer
    when there are fewer than ``customer_sample.size``).

    Args:
        customer_features: One row per customer (all customers or a sample).
        customer_segments: ``customer_id`` and ``segment_id`` of the same customers.
        segment_names: ``segment_id`` and ``segment_name``.
        report: ``breakdown_columns`` (those present are drawn) and
            ``max_breakdown_levels``.

    Returns:
        One panel of stacked horizontal bars per column; a message figure when no
        breakdown column is present.
    """
    columns = [
        column for column in report.breakdown_columns if column in customer_features
    ]
    if not columns:
        return message_figure(
            "Segments by country or channel",
            "No country or channel column in the data.",
        )
    labels = segment_labels(segment_names)
    figure = Figure(
        figsize=(4.5 * len(columns) + 3, 0.55 * len(segment_names) + 2.5),
        layout="constrained",
    )
    axes_row = np.atleast_1d(figure.subplots(1, len(columns), sharey=True))
    for axes, column in zip(axes_row, columns, strict=True):
        shares = segment_breakdown(
            customer_features, customer_segments, column, report.max_breakdown_levels
        )
        left = np.zeros(len(shares))
        positions = np.arange(len(shares))
        palette = [
            "#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2",
            "#eeca3b", "#b279a2", "#ff9da6", "#9d755d", "#bab0ac",
        ]  # fmt: skip
        for index, level in enumerate(shares.columns):
            values = 100 * shares[level].to_numpy()
            axes.barh(
                positions, values, left=left, color=palette[index % len(palette)],
                label=str(level),
            )  # fmt: skip
            for position, start, value in zip(positions, left, values, strict=True):
                if value >= 8:  # noqa: PLR2004 - room for the text
                    axes.text(start + value / 2, position, f"{value:.0f}%", ha="center",
                              va="center", fontsize=8, color="white")  # fmt: skip
            left += values
        axes.set_xlim(0, 100)
        axes.set_xlabel(f"share of the segment's customers by {column} (%)")
        axes.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=3)
        axes.set_title(f"by {column}", loc="left")
    axes_row[0].set_yticks(
        np.arange(len(shares)),
        [textwrap.fill(labels.get(int(s), str(s)), LABEL_WIDTH) for s in shares.index],
    )
    axes_row[0].invert_yaxis()
    return figure


def _migration_label(segment: object, name: object, width: int) -> str:
    label = str(name) if pd.isna(segment) else f"{int(segment)} · {name}"
    return textwrap.fill(label, width)


def plot_segment_migration(segment_migration: pd.DataFrame) -> Figure:
    """Draws the from/to matrix of customers between the previous and this run.

    Args:
        segment_migration: Output of ``compare_segment_assignments``.

    Returns:
        A matrix with previous segments as rows and current ones as columns, cells
        annotated with customer counts; a message figure without a previous run.
    """
    if segment_migration.empty:
        return message_figure(
            "Segment migration since the previous run",
            "No previous run: the next run will show how customers moved.",
        )
    moves = segment_migration.assign(
        previous_label=[
            _migration_label(segment, name, LABEL_WIDTH)
            for segment, name in zip(
                segment_migration["previous_segment_id"],
                segment_migration["previous_segment_name"],
                strict=True,
            )
        ],
        current_label=[
            _migration_label(segment, name, 22)
            for segment, name in zip(
                segment_migration[SEGMENT_COLUMN],
                segment_migration["segment_name"],
                strict=True,
            )
        ],
        previous_order=segment_migration["previous_segment_id"]
        .astype("Float64")
        .fillna(np.inf),
        current_order=segment_migration[SEGMENT_COLUMN]
        .astype("Float64")
        .fillna(np.inf),
    )
    rows = moves.drop_duplicates("previous_label").sort_values("previous_order")[
        "previous_label"
    ]
    columns = moves.drop_duplicates("current_label").sort_values("current_order")[
        "current_label"
    ]
    matrix = (
        moves.pivot_table(
            index="previous_label",
            columns="current_label",
            values="n_customers",
            aggfunc="sum",
            fill_value=0,
        )
        .reindex(index=rows, columns=columns, fill_value=0)
        .to_numpy()
    )
    figure = Figure(
        figsize=(1.6 * len(columns) + 5, 0.75 * len(rows) + 3), layout="constrained"
    )
    axes = figure.subplots()
    image = axes.imshow(matrix, cmap="Blues", aspect="auto")
    threshold = matrix.max() / 2
    for row in range(matrix.shape[0]):
        for column in range(matrix.shape[1]):
            axes.text(
                column,
                row,
                f"{matrix[row, column]:,}",
                ha="center",
                va="center",
                fontsize=8,
                color="white" if matrix[row, column] > threshold else "black",
            )
    axes.set_xticks(range(len(columns)), columns, rotation=30, ha="right", fontsize=8)
    axes.set_yticks(range(len(rows)), rows, fontsize=8)
    axes.set_xlabel("segment in this run")
    axes.set_ylabel("segment in the previous run")
    axes.set_title("Customers moving between segments since the previous run")
    figure.colorbar(image, ax=axes, label="customers")
    return figure
