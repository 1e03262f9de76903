"""The HTML report: business first, every plot embedded, escaped text, no network."""

import base64
import re

import pandas as pd
import pytest

from customer_segmentation.pipelines.reporting.report import render_segmentation_report

from .report_inputs import model_selection, plot_png, report_inputs

FEATURES = pd.DataFrame(
    {
        "customer_id": list("abcdef"),
        "recency_days": [5, 8, 200, 250, 30, 40],
        "frequency": [20, 25, 1, 2, 5, 6],
        "monetary": [900.0, 1200.0, 20.0, 35.0, 150.0, 180.0],
        "country": ["UK", "UK", None, None, "FR", "UK"],
    }
)
SEGMENTS = pd.DataFrame(
    {"customer_id": list("abcdef"), "segment_id": [0, 0, 2, 2, 1, 1]}
)
NAMES = pd.DataFrame(
    {
        "segment_id": [0, 1, 2],
        "segment_name": ["Champions <best>", "Promising", "Lost"],
        "recommended_action": ["Reward them", "Nurture them", "Let go"],
        "n_customers": [2, 2, 2],
        "customer_share": [1 / 3] * 3,
        "rfm_segment": ["Champions", "Promising", "Lost"],
        "recency_position": [5.0, 3.0, 1.0],
        "frequency_position": [5.0, 3.0, 1.0],
        "monetary_position": [5.0, 3.0, 1.0],
        "traits": ["", "", ""],
        "trait_features": ["", "", ""],
    }
)
MODEL_FEATURES = ["recency_days", "frequency", "monetary"]


def _render(**overrides) -> str:
    return render_segmentation_report(
        **report_inputs(FEATURES, SEGMENTS, NAMES, MODEL_FEATURES, **overrides)
    )


def _section_ids(html: str) -> list[str]:
    return re.findall(r'<section id="([a-z-]+)">', html)


@pytest.fixture(scope="module")
def html() -> str:
    return _render()


def test_report_opens_with_the_business_and_ends_with_the_appendix(html):
    sections = _section_ids(html)

    assert sections[:2] == ["business", "segments"]
    assert sections[-1] == "appendix"
    assert {"rfm-grid", "trends", "breakdown", "rules", "glossary"} <= set(sections)


def test_key_figures_give_revenue_order_value_repeat_rate_period_and_currency(html):
    business = html[html.index('id="business"') : html.index('id="segments"')]

    assert "2,485" in business  # revenue: 900 + 1200 + 20 + 35 + 150 + 180
    assert "average order value (EUR)" in business
    assert "repeat rate (2+ orders)" in business
    assert "83.3%" in business  # 5 of 6 customers ordered twice or more
    assert "2025-01-15 to" in business
    assert "reference date" in business


def _embedded(html: str, section: str) -> list[bytes]:
    start = html.index(f'<section id="{section}">')
    body = html[start : html.index("</section>", start)]
    return [
        base64.b64decode(data)
        for data in re.findall(
            r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', body
        )
    ]


def test_every_plot_is_the_saved_file_in_its_section(html):
    shown = {
        "segments": ["segment_sizes_plot"],
        "rfm-grid": ["rfm_grid_plot"],
        "trends": ["monthly_revenue_plot"],
        "breakdown": ["segment_breakdown_plot"],
        "profiles": [
            "segment_profiles_plot",
            "segment_projection_plot",
            "rfm_distributions_plot",
            "recency_monetary_plot",
        ],
        "migration": [],
        "appendix": [
            "model_selection_metrics_plot",
            "stability_plot",
            "silhouette_plot",
            "dendrogram_plot",
        ],
    }

    for section, names in shown.items():
        assert _embedded(html, section) == [plot_png(name) for name in names], section
    assert html.count("data:image/png;base64,") == 12


def test_migration_plot_is_shown_when_customers_moved():
    migration = pd.DataFrame(
        {
            "previous_segment_id": [0],
            "previous_segment_name": ["Old"],
            "segment_id": [1],
            "segment_name": ["Promising"],
            "n_customers": [2],
        }
    )

    html = _render(segment_migration=migration)

    assert _embedded(html, "migration") == [plot_png("segment_migration_plot")]


def test_a_missing_or_unknown_plot_is_an_error_naming_it():
    inputs = report_inputs(FEATURES, SEGMENTS, NAMES, MODEL_FEATURES)
    del inputs["silhouette_plot"]
    inputs["pie_plot"] = b""

    with pytest.raises(ValueError, match=r"missing \['silhouette_plot'\].*pie_plot"):
        render_segmentation_report(**inputs)


def test_first_run_says_no_previous_run_instead_of_a_placeholder(html):
    migration = html[html.index('id="migration"') : html.index('id="glossary"')]

    assert "No previous run" in migration
    assert "<img" not in migration


def test_text_cells_are_left_aligned(html):
    assert "text-align: right" not in html


def test_report_loads_nothing_from_the_network(html):
    assert not re.search(r"(src|href)=\"(https?:)?//", html)


def test_report_escapes_text_from_the_data(html):
    assert "Champions &lt;best&gt;" in html
    assert "Champions <best>" not in html


def test_cards_skip_a_missing_category_instead_of_saying_nan(html):
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)

    assert not re.search(r"\bnan\b", text, flags=re.IGNORECASE)
    assert "country: UK (100.0%)" in text


def test_rules_show_precision_recall_and_fidelity(html):
    rules = html[html.index('id="rules"') : html.index('id="migration"')]

    assert "Precision" in rules
    assert "Recall" in rules
    assert "Fidelity:" in rules


def test_report_says_which_figures_come_from_a_sample_of_the_customers():
    inputs = report_inputs(FEATURES, SEGMENTS, NAMES, MODEL_FEATURES)
    rows = [0, 2, 4]
    inputs.update(
        sampled_customer_segments=SEGMENTS.iloc[rows].reset_index(drop=True),
        segment_rules_summary={**inputs["segment_rules_summary"], "n_customers": 3},
    )

    html = render_segmentation_report(**inputs)

    note = "(a random sample of 3 of the 6 customers)"
    rules = html[html.index('id="rules"') : html.index('id="migration"')]
    breakdown = html[html.index('id="breakdown"') : html.index('id="profiles"')]
    assert note in rules
    assert "Customers (sample)" in rules
    assert note in breakdown


def test_report_of_every_customer_mentions_no_sample(html):
    assert "random sample" not in html
    assert "Customers (sample)" not in html


def test_glossary_gives_every_feature_a_label(html):
    glossary = html[html.index('id="glossary"') : html.index('id="appendix"')]

    for column in ("recency_days", "frequency", "monetary", "country"):
        assert f"<code>{column}</code>" in glossary


def test_report_explains_the_model_choice_from_the_silhouette_by_default(html):
    assert "Chosen: kmeans with k=3, the highest silhouette (0.600)" in html


def test_report_uses_the_model_selection_reason_when_present():
    html = _render(
        model_selection=model_selection(
            [2, 3], 3, reason=["", "Best stability-weighted silhouette"]
        )
    )

    assert "Best stability-weighted silhouette" in html


def test_report_summarises_migration_when_a_previous_run_exists():
    migration = pd.DataFrame(
        {
            "previous_segment_id": pd.array([0, 1], "Int64"),
            "previous_segment_name": ["Champions", "Promising"],
            "segment_id": pd.array([0, 2], "Int64"),
            "segment_name": ["Champions", "Lost"],
            "n_customers": [3, 1],
        }
    )

    html = _render(segment_migration=migration)

    assert "3 of 4 customers" in html


def test_model_selection_without_a_chosen_row_is_an_error():
    with pytest.raises(ValueError, match="expected one chosen row, found 0"):
        _render(model_selection=model_selection([2, 3], 99))


def test_report_lists_each_table_of_a_multi_table_quality_report():
    quality = {
        "dataset": "transactions",
        "input_kind": "both",
        "rows_in": 10,
        "rows_out": 8,
        "tables": {
            "transactions": {
                "rows_in": 10,
                "rows_dropped": {"duplicate_line": 2},
                "rows_out": 8,
            },
            "customers": {"rows_in": 6, "rows_dropped": {}, "rows_out": 6},
        },
    }

    html = _render(data_quality_report=quality)

    assert "duplicate line: 2" in html
    assert "<td>customers</td>" in html
    assert "input kind" in html


def test_report_shows_the_bundle_environment_version_and_fingerprint():
    html = _render()
    bundle = report_inputs(FEATURES, SEGMENTS, NAMES, MODEL_FEATURES)["model_bundle"]

    assert 'id="model-bundle"' in html
    assert f"<strong>{bundle.environment}</strong>" in html
    assert f"<strong>{bundle.version}</strong>" in html
    assert bundle.fingerprint.parameters_sha256 in html
