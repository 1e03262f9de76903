"""Shared look of the reporting plots: one colour and one label per segment, message figures."""

from __future__ import annotations

import textwrap

import matplotlib as mpl
import pandas as pd
from matplotlib.figure import Figure

TAB10_SIZE = 10
LABEL_WIDTH = 34


def compact_number(value: float) -> str:
    magnitude = abs(value)
    if magnitude >= 1e6:  # noqa: PLR2004
        return f"{value / 1e6:.1f}M"
    if magnitude >= 1e4:  # noqa: PLR2004
        return f"{value / 1e3:.0f}k"
    if magnitude >= 1e3:  # noqa: PLR2004
        return f"{value / 1e3:.1f}k"
    return f"{value:,.3g}"


def segment_colours(n_segments: int) -> list[tuple[float, float, float, float]]:
    """Gives each segment id the same colour in every plot.

    Args:
        n_segments: Number of segments.

    Returns:
        One RGBA colour per segment id, from the ``tab10`` palette (``tab20`` above 10).
    """
    palette = mpl.colormaps["tab10" if n_segments <= TAB10_SIZE else "tab20"]
    return [palette(index % palette.N) for index in range(n_segments)]


def segment_labels(
    segment_names: pd.DataFrame, width: int = LABEL_WIDTH
) -> dict[int, str]:
    """Builds the label of each segment used in axes and legends.

    Args:
        segment_names: ``segment_id`` and ``segment_name``.
        width: Characters per line before the label wraps.

    Returns:
        ``{segment_id: "<id> · <name>"}``, wrapped to ``width`` characters.
    """
    return {
        int(row.segment_id): textwrap.fill(
            f"{row.segment_id} · {row.segment_name}", width
        )
        for row in segment_names.itertuples()
    }


def colour_table(
    segment_ids: list[int],
) -> dict[int, tuple[float, float, float, float]]:
    colours = segment_colours(max(segment_ids, default=0) + 1)
    return {segment: colours[segment] for segment in segment_ids}


def message_figure(title: str, message: str) -> Figure:
    figure = Figure(figsize=(8, 2.5), layout="constrained")
    axes = figure.subplots()
    axes.set_axis_off()
    axes.set_title(title)
    axes.text(0.5, 0.5, message, ha="center", va="center", wrap=True, fontsize=11)
    return figure
