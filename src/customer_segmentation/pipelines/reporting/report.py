"""Node that renders the self-contained HTML segmentation report, business first."""

from __future__ import annotations

import base64
import logging
from typing import Any

import jinja2
import markupsafe
import pandas as pd

from customer_segmentation.bundle import ModelBundle

from .business import key_figures
from .report_content import (
    bundle_summary,
    glossary,
    key_figure_tiles,
    migration_summary,
    model_choice_summary,
    percent,
    sample_note,
    segment_cards,
    thousands,
)
from .report_template import PAGE_TEMPLATE, SECTION_TEMPLATES
from .rfm import has_rfm_columns
from .settings import ReportSettings, RfmSettings

logger = logging.getLogger(__name__)


# The saved plots the page embeds, by dataset name: the PNG file each plot node
# saved, loaded back as bytes (``PlotFileDataset``).
REPORT_PLOTS = (
    "segment_sizes_plot",
    "rfm_grid_plot",
    "monthly_revenue_plot",
    "segment_breakdown_plot",
    "segment_profiles_plot",
    "segment_projection_plot",
    "rfm_distributions_plot",
    "recency_monetary_plot",
    "segment_migration_plot",
    "model_selection_metrics_plot",
    "stability_plot",
    "silhouette_plot",
    "dendrogram_plot",
)


def png_to_base64(png: bytes) -> str:
    """Encodes a saved PNG file as base64 text, to embed in a self-contained page.

    Args:
        png: The bytes of the file (``PlotFileDataset`` loads them).

    Returns:
        The base64 text for a ``data:image/png;base64,`` address.
    """
    return base64.b64encode(png).decode("ascii")


def render_segmentation_report(  # noqa: PLR0913 - one input per dataset the page shows
    *,
    data_quality_report: dict[str, Any],
    model_selection: pd.DataFrame,
    segment_profiles: pd.DataFrame,
    segment_names: pd.DataFrame,
    segment_rules: pd.DataFrame,
    segment_rules_summary: dict[str, Any],
    segment_migration: pd.DataFrame,
    customer_features: pd.DataFrame,
    sampled_customer_segments: pd.DataFrame,
    business_period: dict[str, Any],
    model_bundle: ModelBundle,
    rfm: RfmSettings,
    report: ReportSettings,
    customer_value_section: str = "",
    **plots: bytes,
) -> str:
    """Renders the one-page HTML report a marketing team reads, business first.

    Order: key figures (customers, revenue, average order value, repeat rate, data
    period, reference date, currency); segments (table, customers against revenue,
    cards with action and rules); the recency x frequency grid, monthly revenue per
    segment and the breakdown by country or channel (transaction data only);
    profiles; rules with precision, recall and fidelity; migration; glossary; and
    an appendix with the model choice and data quality. Attribute-only data gets
    no revenue wording and none of the transaction plots (their nodes save a
    figure that says the columns are missing). The page is self-contained: styles
    are inline and every plot is the PNG file its plot node saved, embedded as
    base64. Text from the data is HTML-escaped.

    Args:
        data_quality_report: Rows in, dropped per rule and out.
        model_selection: One row per fit tried, with ``chosen``.
        segment_profiles: Output of ``profile_segments``.
        segment_names: Output of ``name_segments``.
        segment_rules: Rules table of ``derive_segment_rules``.
        segment_rules_summary: Summary of ``derive_segment_rules``.
        segment_migration: Output of ``compare_segment_assignments``.
        customer_features: One row per customer.
        sampled_customer_segments: The customer sample's segments (its size,
            for the captions of the plots drawn on it).
        business_period: Period of ``summarise_transactions``.
        model_bundle: The bundle this run publishes: environment, version and
            training fingerprint.
        rfm: RFM column names and score levels.
        report: Title, currency, glossary and breakdowns.
        customer_value_section: Body of the customer value section, rendered by
            the ``customer_value`` pipeline; empty leaves the section out.
        **plots: The PNG bytes of every plot of ``REPORT_PLOTS``, by name.

    Returns:
        The HTML document.

    Raises:
        ValueError: If ``model_selection`` does not have exactly one chosen row,
            or ``plots`` are not exactly those of ``REPORT_PLOTS``.
    """
    if set(plots) != set(REPORT_PLOTS):
        raise ValueError(
            "render_segmentation_report needs the PNG bytes of exactly the plots "
            f"{list(REPORT_PLOTS)}; missing {sorted(set(REPORT_PLOTS) - set(plots))}, "
            f"unknown {sorted(set(plots) - set(REPORT_PLOTS))}"
        )
    transactions = has_rfm_columns(customer_features, rfm)
    choice = model_choice_summary(model_selection)

    def embed(*shown: tuple[str, str]) -> list[dict[str, str]]:
        return [
            {"data": png_to_base64(plots[name]), "caption": caption}
            for name, caption in shown
        ]

    n_segmented = int(segment_profiles["n_customers"].sum())
    on_sample = sample_note(len(sampled_customer_segments), n_segmented)
    section_plots = {
        "segments": embed(
            (
                "segment_sizes_plot",
                "Each segment's share of customers against its share of revenue."
                if transactions
                else "Each segment's share of customers.",
            )
        ),
        "rfm-grid": embed(
            (
                "rfm_grid_plot",
                "Customers and revenue in each cell of the recency x frequency score grid.",
            )
        ),
        "trends": embed(
            (
                "monthly_revenue_plot",
                f"Revenue per segment and calendar month ({report.currency}).",
            )
        ),
        "breakdown": embed(
            (
                "segment_breakdown_plot",
                "How each segment's customers split by "
                + " and ".join(
                    c for c in report.breakdown_columns if c in customer_features
                )
                + f"{on_sample}.",
            )
        ),
        "profiles": embed(
            (
                "segment_profiles_plot",
                "Median of each feature per segment; colour shows how far it sits "
                "from the other customers.",
            ),
            (
                "segment_projection_plot",
                "Customers on the two main axes of the model's numeric features, "
                "coloured by segment.",
            ),
            *(
                [
                    (
                        "rfm_distributions_plot",
                        "Recency, frequency and revenue by segment.",
                    ),
                    (
                        "recency_monetary_plot",
                        "Every customer's recency against revenue.",
                    ),
                ]
                if transactions
                else []
            ),
        ),
        "migration": embed(
            (
                "segment_migration_plot",
                "Customers moving between segments since the previous run.",
            )
        )
        if not segment_migration.empty
        else [],
        "appendix": embed(
            (
                "model_selection_metrics_plot",
                "Quality metrics of every fit tried, by algorithm and k.",
            ),
            (
                "stability_plot",
                "Stability of each fit over random halves of the customers.",
            ),
            (
                "silhouette_plot",
                "Silhouette of the chosen model on a sample of customers.",
            ),
            (
                "dendrogram_plot",
                "Top of the agglomerative tree of a sample of customers.",
            ),
        ),
    }
    breakdown = any(c in customer_features for c in report.breakdown_columns)
    sections = [
        ("business", "Business at a glance"),
        ("segments", "Segments"),
        *([("customer-value", "Customer value")] if customer_value_section else []),
        *([("rfm-grid", "Recency x frequency")] if transactions else []),
        *([("trends", "Revenue over time")] if transactions else []),
        *([("breakdown", "Country and channel")] if breakdown else []),
        ("profiles", "Segment profiles"),
        ("rules", "Rules a CRM can apply"),
        ("migration", "Migration"),
        ("glossary", "Glossary"),
        ("appendix", "Appendix: model and data quality"),
    ]
    figures = key_figures(customer_features, rfm)
    period = business_period or {}
    environment = jinja2.Environment(
        loader=jinja2.DictLoader(SECTION_TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
    )
    environment.filters["thousands"] = thousands
    subtitle = (
        f"{thousands(figures['n_customers'])} customers in {len(segment_names)} "
        f"segments"
        + (
            f" · {period['first_transaction']} to {period['last_transaction']}"
            f" · amounts in {report.currency}"
            if transactions and period.get("first_transaction")
            else " · customer attributes only"
        )
    )
    html = environment.from_string(PAGE_TEMPLATE).render(
        title=report.title,
        subtitle=subtitle,
        sections=[{"id": key, "title": title} for key, title in sections],
        key_figures=key_figure_tiles(figures, period, len(segment_names), report),
        business_note=(
            f"Revenue is net of returns, in {report.currency}; recency is measured at "
            f"the reference date {period.get('reference_date')}."
            if transactions
            else "The data holds customer attributes only: segments are described "
            "by those attributes."
        ),
        has_revenue=transactions,
        data_quality=data_quality_report or None,
        model_choice=choice,
        segments=segment_cards(
            segment_profiles, segment_names, segment_rules, customer_features, report
        ),
        all_rules=segment_rules.to_dict("records"),
        rules_summary=segment_rules_summary,
        rules_sample_note=sample_note(
            segment_rules_summary["n_customers"], n_segmented
        ),
        migration=migration_summary(segment_migration),
        glossary=glossary(customer_features, report),
        section_plots=section_plots,
        percent=percent,
        bundle=bundle_summary(model_bundle),
        customer_value_section=markupsafe.Markup(customer_value_section),
    )
    n_plots = sum(len(plots) for plots in section_plots.values())
    logger.info("Segmentation report: %d characters, %d plots", len(html), n_plots)
    return html
