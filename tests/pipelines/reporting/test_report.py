"""The HTML report: every section, embedded images, escaped text, no network."""

import re

import pandas as pd
import pytest

from customer_segmentation.pipelines.reporting.nodes import (
    derive_segment_rules,
    profile_segments,
)
from customer_segmentation.pipelines.reporting.report import render_segmentation_report
from customer_segmentation.pipelines.reporting.settings import (
    ProjectionSettings,
    ReportSettings,
    RfmSettings,
    RulesSettings,
)
from tests.bundles import tiny_bundle

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
NAMES = pd.DataFrame(
    {
        "segment_id": [0, 1, 2],
        "segment_name": ["Champions <best>", "Promising", "Lost"],
        "recommended_action": ["Reward them", "Nurture them", "Let go"],
        "n_customers": [2, 2, 2],
        "customer_share": [1 / 3] * 3,
        "dominant_rfm_segment": ["Champions", None, "Lost"],
        "dominant_rfm_share": [1.0, None, 1.0],
        "traits": ["", "", ""],
    }
)
QUALITY = {
    "dataset": "transactions",
    "rows_in": 10,
    "rows_dropped": {"cancellation": 2},
    "rows_out": 8,
    "customers_out": 6,
    "invoices_out": 7,
}
EMPTY_MIGRATION = pd.DataFrame(
    columns=[
        "previous_segment_id",
        "previous_segment_name",
        "segment_id",
        "segment_name",
        "n_customers",
    ]
)


def _selection(**extra) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "algorithm": ["kmeans", "kmeans"],
            "k": [2, 3],
            "silhouette": [0.4, 0.6],
            "chosen": [False, True],
            **extra,
        }
    )


def _render(
    model_selection: pd.DataFrame, migration: pd.DataFrame = EMPTY_MIGRATION
) -> str:
    rules, summary = derive_segment_rules(
        FEATURES, SEGMENTS, NAMES, RulesSettings(min_leaf_share=0.1)
    )
    return render_segmentation_report(
        QUALITY,
        model_selection,
        profile_segments(FEATURES, SEGMENTS),
        NAMES,
        rules,
        summary,
        migration,
        FEATURES,
        SEGMENTS,
        RfmSettings(),
        ProjectionSettings(),
        ReportSettings(image_dpi=50),
        tiny_bundle(),
    )


@pytest.fixture(scope="module")
def html() -> str:
    return _render(_selection())


def test_report_has_every_section(html):
    for section in (
        "data-quality",
        "model-choice",
        "segments",
        "rules",
        "migration",
        "plots",
    ):
        assert f'<section id="{section}">' in html


def test_report_embeds_six_png_plots(html):
    assert (
        len(re.findall(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]{100,}"', html))
        == 6
    )


def test_report_loads_nothing_from_the_network(html):
    assert not re.search(r"(src|href)=\"(https?:)?//", html)


def test_report_escapes_text_from_the_data(html):
    assert "Champions &lt;best&gt;" in html
    assert "Champions <best>" not in html


def test_report_gives_actions_and_data_quality(html):
    assert "Reward them" in html
    assert "cancellation" in html


def test_report_explains_the_model_choice_from_the_silhouette_by_default(html):
    assert "Chosen: kmeans with k=3, the highest silhouette (0.600)" in html


def test_report_uses_the_model_selection_reason_when_present():
    html = _render(_selection(reason=["", "Best stability-weighted silhouette"]))

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

    html = _render(_selection(), migration)

    assert "3 of 4 customers" in html


def test_model_selection_without_a_chosen_row_is_an_error():
    with pytest.raises(ValueError, match="expected one chosen row, found 0"):
        _render(_selection().assign(chosen=False))


def test_report_lists_each_table_of_a_multi_table_quality_report():
    rules, summary = derive_segment_rules(
        FEATURES, SEGMENTS, NAMES, RulesSettings(min_leaf_share=0.1)
    )
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

    html = render_segmentation_report(
        quality,
        _selection(),
        profile_segments(FEATURES, SEGMENTS),
        NAMES,
        rules,
        summary,
        EMPTY_MIGRATION,
        FEATURES,
        SEGMENTS,
        RfmSettings(),
        ProjectionSettings(),
        ReportSettings(image_dpi=50),
        tiny_bundle(),
    )

    assert "duplicate line: 2" in html
    assert "<td>customers</td>" in html
    assert "input kind" in html


def test_report_shows_the_bundle_environment_version_and_fingerprint(html):
    bundle = tiny_bundle()

    assert 'id="model-bundle"' in html
    assert f"<strong>{bundle.environment}</strong>" in html
    assert f"<strong>{bundle.version}</strong>" in html
    assert bundle.fingerprint.parameters_sha256 in html
