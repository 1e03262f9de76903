"""Node that renders the self-contained HTML segmentation report."""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

import jinja2
import markupsafe
import pandas as pd
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from .nodes import SEGMENT_COLUMN, categorical_feature_columns, numeric_feature_columns
from .plots import (
    plot_recency_monetary,
    plot_rfm_distributions,
    plot_segment_migration,
    plot_segment_profiles,
    plot_segment_projection,
    plot_segment_sizes,
    segment_colours,
)
from .report_template import REPORT_TEMPLATE
from .settings import ProjectionSettings, ReportSettings, RfmSettings

logger = logging.getLogger(__name__)

MODEL_COLUMNS = (
    "algorithm",
    "k",
    "silhouette",
    "stability",
    "smallest_segment_share",
    "chosen",
    "reason",
)


def _thousands(value: Any) -> str:
    return f"{int(value):,}"


def percent(value: float | None) -> str:
    """Formats a share as a percentage with one decimal, ``n/a`` when missing.

    Args:
        value: Share between 0 and 1, or ``None``/NaN.

    Returns:
        Text like ``"12.5%"``.
    """
    if value is None or pd.isna(value):
        return "n/a"
    return f"{100 * float(value):.1f}%"


def _number(value: Any) -> str:
    if value is None or pd.isna(value):
        return "n/a"
    value = float(value)
    if abs(value) >= 100:  # noqa: PLR2004
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def figure_to_base64(figure: Figure, dpi: int) -> str:
    """Encodes a figure as base64 PNG, to embed in a self-contained page.

    Args:
        figure: The matplotlib figure.
        dpi: Resolution of the PNG.

    Returns:
        The PNG bytes in base64 text.
    """
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _model_choice(model_selection: pd.DataFrame) -> dict[str, Any]:
    columns = [column for column in MODEL_COLUMNS if column in model_selection]
    chosen = model_selection[model_selection["chosen"].astype(bool)]
    if len(chosen) != 1:
        raise ValueError(
            f"model_selection: expected one chosen row, found {len(chosen)}"
        )
    best = chosen.iloc[0]
    if (
        "reason" in model_selection
        and isinstance(best["reason"], str)
        and best["reason"]
    ):
        summary = (
            f"Chosen: {best['algorithm']} with k={int(best['k'])}. {best['reason']}"
        )
    else:
        summary = (
            f"Chosen: {best['algorithm']} with k={int(best['k'])}, the highest "
            f"silhouette ({float(best['silhouette']):.3f}) of the "
            f"{len(model_selection)} fits tried (higher means better separated "
            "segments)."
        )
    rows = []
    for _, row in model_selection.iterrows():
        cells = {}
        for column in columns:
            value = row[column]
            if column == "chosen":
                cells[column] = "yes" if bool(value) else ""
            elif isinstance(value, float):
                cells[column] = f"{value:.3f}"
            else:
                cells[column] = "" if pd.isna(value) else str(value)
        rows.append({"chosen": bool(row["chosen"]), "cells": cells})
    return {"summary": summary, "columns": columns, "rows": rows}


def _segment_cards(
    segment_profiles: pd.DataFrame,
    segment_names: pd.DataFrame,
    segment_rules: pd.DataFrame,
    customer_features: pd.DataFrame,
    settings: ReportSettings,
) -> list[dict[str, Any]]:
    numeric = numeric_feature_columns(customer_features)
    categorical = categorical_feature_columns(customer_features)
    profiles = segment_profiles.set_index(SEGMENT_COLUMN)
    colours = segment_colours(int(segment_names[SEGMENT_COLUMN].max()) + 1)
    cards = []
    for row in segment_names.sort_values(SEGMENT_COLUMN).itertuples():
        segment = int(row.segment_id)
        profile = profiles.loc[segment]
        features = [
            {
                "name": feature,
                "mean": _number(profile[f"{feature}_mean"]),
                "median": _number(profile[f"{feature}_median"]),
                "z": f"{float(profile[f'{feature}_z']):+.2f} sd",
            }
            for feature in numeric
            if f"{feature}_mean" in profile
        ]
        categories = [
            f"{column}: {profile[f'{column}_mode']} "
            f"({percent(profile[f'{column}_mode_share'])})"
            for column in categorical
            if f"{column}_mode" in profile
        ]
        rules = segment_rules[segment_rules[SEGMENT_COLUMN] == segment].head(
            settings.max_rules_per_segment
        )
        cards.append(
            {
                "segment_id": segment,
                "segment_name": row.segment_name,
                "recommended_action": row.recommended_action,
                "n_customers": int(row.n_customers),
                "customer_share": float(row.customer_share),
                "revenue_share": (
                    float(profile["revenue_share"])
                    if "revenue_share" in profile
                    else None
                ),
                "dominant_rfm_segment": (
                    row.dominant_rfm_segment
                    if isinstance(row.dominant_rfm_segment, str)
                    else None
                ),
                "dominant_rfm_share": row.dominant_rfm_share,
                "colour": to_hex(colours[segment]),
                "features": features,
                "categories": categories,
                "rules": rules.to_dict("records"),
            }
        )
    return cards


def _migration_summary(segment_migration: pd.DataFrame) -> dict[str, int] | None:
    if segment_migration.empty:
        return None
    same = segment_migration["previous_segment_id"].astype(
        "Int64"
    ) == segment_migration[SEGMENT_COLUMN].astype("Int64")
    return {
        "stayed": int(segment_migration.loc[same.fillna(False), "n_customers"].sum()),
        "total": int(segment_migration["n_customers"].sum()),
    }


def render_segmentation_report(  # noqa: PLR0917 - Kedro passes node inputs by position
    data_quality_report: dict[str, Any],
    model_selection: pd.DataFrame,
    segment_profiles: pd.DataFrame,
    segment_names: pd.DataFrame,
    segment_rules: pd.DataFrame,
    segment_rules_summary: dict[str, Any],
    segment_migration: pd.DataFrame,
    customer_features: pd.DataFrame,
    customer_segments: pd.DataFrame,
    rfm: RfmSettings,
    projection: ProjectionSettings,
    report: ReportSettings,
    customer_value_section: str = "",
) -> str:
    """Renders the one-page HTML report a marketing team reads.

    The page is self-contained: styles are inline and the plots, drawn by the same
    functions as the plot nodes, are embedded as base64 PNG, so it opens without a
    network. Text from the data is HTML-escaped.

    Args:
        data_quality_report: Rows in, dropped per rule and out.
        model_selection: One row per fit tried, with ``chosen`` (and ``reason``
            and ``stability`` when present).
        segment_profiles: Output of ``profile_segments``.
        segment_names: Output of ``name_segments``.
        segment_rules: Rules table of ``derive_segment_rules``.
        segment_rules_summary: Summary of ``derive_segment_rules``.
        segment_migration: Output of ``compare_segment_assignments``.
        customer_features: One row per customer.
        customer_segments: ``customer_id`` and ``segment_id``.
        rfm: RFM column names (for the RFM plots).
        projection: Settings of the 2-D projection plot.
        report: Title, rules per segment and image resolution.
        customer_value_section: HTML section of the customer_value pipeline,
            placed after the segments; empty leaves it out.

    Returns:
        The HTML document.

    Raises:
        ValueError: If ``model_selection`` does not have exactly one chosen row.
    """
    environment = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True
    )
    environment.filters["thousands"] = _thousands
    template = environment.from_string(REPORT_TEMPLATE)
    figures = [
        (
            plot_segment_sizes(segment_profiles, segment_names),
            "Share of customers and of revenue per segment.",
        ),
        (
            plot_segment_profiles(segment_profiles, segment_names),
            "Feature means per segment; colour shows how far each sits from all "
            "customers.",
        ),
        (
            plot_segment_projection(
                customer_features, customer_segments, segment_names, projection
            ),
            "Customers on the two main axes of their features, coloured by segment.",
        ),
        (
            plot_rfm_distributions(
                customer_features, customer_segments, segment_names, rfm
            ),
            "Recency, frequency and monetary value by segment.",
        ),
        (
            plot_recency_monetary(
                customer_features, customer_segments, segment_names, rfm, projection
            ),
            "Every customer's recency against revenue.",
        ),
        (
            plot_segment_migration(segment_migration),
            "Customers moving between segments since the previous run.",
        ),
    ]
    plots = [
        {"data": figure_to_base64(figure, report.image_dpi), "caption": caption}
        for figure, caption in figures
    ]
    html = template.render(
        title=report.title,
        n_customers=len(customer_segments),
        data_quality=data_quality_report or None,
        model_choice=_model_choice(model_selection),
        segments=_segment_cards(
            segment_profiles, segment_names, segment_rules, customer_features, report
        ),
        all_rules=segment_rules.to_dict("records"),
        rules_summary=segment_rules_summary,
        migration=_migration_summary(segment_migration),
        plots=plots,
        percent=percent,
        customer_value_section=markupsafe.Markup(customer_value_section),
    )
    logger.info("Segmentation report: %d characters, %d plots", len(html), len(plots))
    return html
