"""Content of the report's sections: key figures, segment cards, glossary, model choice."""

from __future__ import annotations

from typing import Any

import pandas as pd
from matplotlib.colors import to_hex

from customer_segmentation.bundle import ModelBundle

from .plot_style import segment_colours
from .profiles import (
    SEGMENT_COLUMN,
    categorical_feature_columns,
    numeric_feature_columns,
)
from .settings import ReportSettings

MODEL_COLUMNS = (
    "algorithm",
    "k",
    "silhouette",
    "stability",
    "smallest_segment_share",
    "chosen",
    "reason",
)


def bundle_summary(model_bundle: ModelBundle) -> dict[str, Any]:
    """Environment, version and training fingerprint of the bundle a report shows."""
    fingerprint = model_bundle.fingerprint.model_dump(exclude={"metrics"})
    fingerprint |= {
        f"metric: {name}": "missing" if value is None else f"{value:.4g}"
        for name, value in model_bundle.fingerprint.metrics.items()
    }
    return {
        "environment": model_bundle.environment,
        "version": model_bundle.version,
        "fingerprint": fingerprint,
    }


def thousands(value: Any) -> str:
    """Formats a count with thousands separators."""
    return f"{int(value):,}"


def sample_note(n_sample: int, n_customers: int) -> str:
    """Says that a figure was drawn from a sample of the customers, if it was.

    Args:
        n_sample: Customers the figure was computed on.
        n_customers: Segmented customers in all.

    Returns:
        ``" (a random sample of <n_sample> of the <n_customers> customers)"``, or
        an empty string when the figure saw every customer.
    """
    if n_sample >= n_customers:
        return ""
    return (
        f" (a random sample of {thousands(n_sample)} of the "
        f"{thousands(n_customers)} customers)"
    )


def percent(value: float | None) -> str:
    """Formats a share as a percentage with one decimal ("n/a" when missing)."""
    if value is None or pd.isna(value):
        return "n/a"
    return f"{100 * float(value):.1f}%"


def number(value: Any) -> str:
    """Formats a measure: whole numbers from 100 up, else 3 significant digits."""
    if value is None or pd.isna(value):
        return "n/a"
    value = float(value)
    if abs(value) >= 100:  # noqa: PLR2004
        return f"{value:,.0f}"
    return f"{value:,.3g}"


def model_choice_summary(model_selection: pd.DataFrame) -> dict[str, Any]:
    """Summarises the model choice for the appendix.

    Args:
        model_selection: One row per fit tried, with ``chosen``.

    Returns:
        ``summary`` (one sentence), ``columns`` and ``rows`` of the table.

    Raises:
        ValueError: If there is not exactly one chosen row.
    """
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
            elif pd.isna(value):
                # e.g. stability, not measured for a candidate that cannot win
                cells[column] = "not measured" if column == "stability" else ""
            elif isinstance(value, float):
                cells[column] = f"{value:.3f}"
            else:
                cells[column] = str(value)
        rows.append({"chosen": bool(row["chosen"]), "cells": cells})
    return {"summary": summary, "columns": columns, "rows": rows}


def feature_label(feature: str, report: ReportSettings) -> str:
    """Gives the human label of a feature (the column name with spaces when unlisted)."""
    entry = report.feature_labels.get(feature)
    return entry.label if entry else feature.replace("_", " ")


def segment_cards(
    segment_profiles: pd.DataFrame,
    segment_names: pd.DataFrame,
    segment_rules: pd.DataFrame,
    customer_features: pd.DataFrame,
    report: ReportSettings,
) -> list[dict[str, Any]]:
    """Builds one card per segment: shares, median scores, features, categories, rules.

    Args:
        segment_profiles: Output of ``profile_segments``.
        segment_names: Output of ``name_segments``.
        segment_rules: Rules table of ``derive_segment_rules``.
        customer_features: One row per customer.
        report: Glossary labels and rules shown per segment.

    Returns:
        One dict per segment, ordered by segment id; a category whose segment has
        no known level is left out, and a partly missing feature says its coverage.
    """
    numeric = numeric_feature_columns(customer_features)
    categorical = categorical_feature_columns(customer_features)
    profiles = segment_profiles.set_index(SEGMENT_COLUMN)
    colours = segment_colours(int(segment_names[SEGMENT_COLUMN].max()) + 1)
    cards = []
    for row in segment_names.sort_values(SEGMENT_COLUMN).to_dict("records"):
        segment = int(row[SEGMENT_COLUMN])
        profile = profiles.loc[segment]
        features = [
            {
                "label": feature_label(feature, report)
                + (
                    f" ({percent(profile[f'{feature}_coverage'])} have a value)"
                    if profile.get(f"{feature}_coverage", 1.0) < 1
                    else ""
                ),
                "mean": number(profile[f"{feature}_mean"]),
                "median": number(profile[f"{feature}_median"]),
                "z": f"{float(profile[f'{feature}_z']):+.2f} sd",
            }
            for feature in numeric
            if f"{feature}_mean" in profile
        ]
        categories = [
            f"{feature_label(column, report)}: {profile[f'{column}_mode']} "
            f"({percent(profile[f'{column}_mode_share'])})"
            for column in categorical
            if f"{column}_mode" in profile and not pd.isna(profile[f"{column}_mode"])
        ]
        positions = [
            f"{letter} {float(row[f'{score}_position']):.1f}"
            for letter, score in (
                ("R", "recency"),
                ("F", "frequency"),
                ("M", "monetary"),
            )
            if not pd.isna(row.get(f"{score}_position"))
        ]
        cards.append(
            {
                "segment_id": segment,
                "segment_name": row["segment_name"],
                "recommended_action": row["recommended_action"],
                "n_customers": int(row["n_customers"]),
                "customer_share": float(row["customer_share"]),
                "revenue_share": (
                    float(profile["revenue_share"])
                    if "revenue_share" in profile
                    else None
                ),
                "position": ", ".join(positions),
                "colour": to_hex(colours[segment]),
                "features": features,
                "categories": categories,
                "rules": segment_rules[segment_rules[SEGMENT_COLUMN] == segment]
                .head(report.max_rules_per_segment)
                .to_dict("records"),
            }
        )
    return cards


def migration_summary(segment_migration: pd.DataFrame) -> dict[str, int] | None:
    """Counts the customers who kept their segment id (``None`` on a first run)."""
    if segment_migration.empty:
        return None
    same = segment_migration["previous_segment_id"].astype(
        "Int64"
    ) == segment_migration[SEGMENT_COLUMN].astype("Int64")
    return {
        "stayed": int(segment_migration.loc[same.fillna(False), "n_customers"].sum()),
        "total": int(segment_migration["n_customers"].sum()),
    }


def key_figure_tiles(
    figures: dict[str, Any],
    period: dict[str, Any],
    n_segments: int,
    report: ReportSettings,
) -> list[dict[str, Any]]:
    """Lays out the key figures the report opens with.

    Args:
        figures: Output of ``key_figures``.
        period: Output of ``summarise_transactions`` (period).
        n_segments: Number of segments.
        report: Currency.

    Returns:
        Tiles with ``label``, ``value`` and ``text`` (a long text value).
    """
    tiles: list[dict[str, Any]] = [
        {"label": "customers", "value": thousands(figures["n_customers"])}
    ]
    if "revenue" in figures:
        tiles += [
            {
                "label": f"revenue ({report.currency})",
                "value": number(figures["revenue"]),
            },
            {"label": "orders", "value": thousands(figures["n_orders"])},
            {
                "label": f"average order value ({report.currency})",
                "value": number(figures["average_order_value"]),
            },
            {
                "label": "repeat rate (2+ orders)",
                "value": percent(figures["repeat_rate"]),
            },
        ]
    tiles.append({"label": "segments", "value": str(n_segments)})
    if period.get("first_transaction"):
        tiles += [
            {
                "label": "data period",
                "value": f"{period['first_transaction']} to {period['last_transaction']}",
                "text": True,
            },
            {
                "label": "reference date (recency measured at)",
                "value": str(period["reference_date"]),
                "text": True,
            },
        ]
    return tiles


def glossary(
    customer_features: pd.DataFrame, report: ReportSettings
) -> list[dict[str, str]]:
    """Lists every feature with its human label and definition (from parameters)."""
    columns = numeric_feature_columns(customer_features) + categorical_feature_columns(
        customer_features
    )
    return [
        {
            "column": column,
            "label": feature_label(column, report),
            "definition": (
                report.feature_labels[column].definition
                if column in report.feature_labels
                else "Column of the input data."
            ),
        }
        for column in columns
    ]
