"""The HTML report of real runs, opened in headless Chromium (skipped without it).

One run is the built-in sample (second run, so migration is shown), the other the
attribute-only Mall Customers environment.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.chromium import CHROMIUM, HeadlessChromium, needs_chromium

pytestmark = needs_chromium
SECTIONS = [
    "business",
    "segments",
    "customer-value",
    "rfm-grid",
    "trends",
    "breakdown",
    "profiles",
    "rules",
    "migration",
    "glossary",
    "appendix",
]
ATTRIBUTE_SECTIONS = [
    "business",
    "segments",
    "profiles",
    "rules",
    "migration",
    "glossary",
    "appendix",
]
SECTION_IDS = "Array.from(document.querySelectorAll('main > section')).map(s => s.id)"
# sizes, 2 customer value plots, R x F grid, monthly revenue, breakdown, 4 profile
# plots, migration, 4 model plots
SAMPLE_IMAGES = 15


def _open(output_root: Path, profile: Path) -> HeadlessChromium:
    browser = HeadlessChromium(CHROMIUM, profile)
    report = output_root / "08_reporting" / "segmentation_report.html"
    browser.open(report.as_uri())
    return browser


@pytest.fixture(scope="module")
def report_page(finished_project, tmp_path_factory):
    browser = _open(
        finished_project / "data", tmp_path_factory.mktemp("chromium-profile")
    )
    yield browser
    browser.close()


@pytest.fixture(scope="module")
def attribute_page(finished_mall_project, tmp_path_factory):
    browser = _open(
        finished_mall_project / "data" / "mall_customers",
        tmp_path_factory.mktemp("chromium-mall"),
    )
    yield browser
    browser.close()


def test_report_opens_with_the_business_and_shows_every_section(report_page):
    assert report_page.evaluate(SECTION_IDS) == SECTIONS
    heights = report_page.evaluate(
        f"{SECTIONS}.map(id => document.getElementById(id).getBoundingClientRect().height)"
    )

    assert all(height > 50 for height in heights), dict(
        zip(SECTIONS, heights, strict=True)
    )


def test_every_image_is_loaded(report_page):
    images = report_page.evaluate(
        "Array.from(document.images).map(image => [image.complete, image.naturalWidth])"
    )

    assert len(images) == SAMPLE_IMAGES
    assert all(complete and width > 300 for complete, width in images)


def test_every_table_cell_is_left_aligned(report_page):
    alignments = report_page.evaluate(
        "Array.from(new Set(Array.from(document.querySelectorAll('td, th'))"
        ".map(cell => getComputedStyle(cell).textAlign)))"
    )

    assert alignments == ["left"]


def test_key_figures_show_revenue_period_and_currency(report_page):
    text = report_page.evaluate("document.getElementById('business').innerText")

    assert "revenue (GBP)" in text
    assert "average order value (GBP)" in text
    assert "repeat rate" in text
    assert "data period" in text


def test_nothing_is_fetched_from_the_network(report_page):
    fetched = report_page.evaluate(
        "performance.getEntriesByType('resource').map(entry => entry.name)"
    )

    assert [url for url in fetched if url.startswith(("http:", "https:"))] == []


def test_one_card_per_segment_with_unique_names(report_page, finished_project):
    names = pd.read_csv(
        finished_project / "data" / "08_reporting" / "segment_names.csv"
    )
    titles = report_page.evaluate(
        "Array.from(document.querySelectorAll('.segment-card h3')).map(h => h.textContent)"
    )

    assert len(titles) == len(names)
    assert len(set(titles)) == len(titles)
    assert names["segment_name"].is_unique


def test_every_card_has_a_rule_with_precision_and_recall(report_page):
    rules = report_page.evaluate(
        "Array.from(document.querySelectorAll('.segment-card ul.rules'))"
        ".map(list => list.innerText)"
    )

    assert rules
    assert all("precision" in text and "recall" in text for text in rules)


def test_migration_against_the_previous_run_is_shown(report_page):
    text = report_page.evaluate("document.getElementById('migration').innerText")

    assert "kept their segment id" in text


def test_screenshot_is_taken(report_page, finished_project):
    path = report_page.screenshot(finished_project / "report_screenshot.png")

    assert path.stat().st_size > 50_000
    print(f"report screenshot: {path}")  # noqa: T201 - tells the reader where to look


def test_attribute_only_report_speaks_of_attributes(attribute_page):
    text = attribute_page.evaluate("document.body.innerText")

    assert attribute_page.evaluate(SECTION_IDS) == ATTRIBUTE_SECTIONS
    assert "customer attributes only" in text
    assert "revenue" not in text.lower()
    assert "nan" not in text.lower().split()


def test_attribute_only_report_screenshot_is_taken(
    attribute_page, finished_mall_project
):
    path = attribute_page.screenshot(finished_mall_project / "report_screenshot.png")

    assert path.stat().st_size > 50_000
    print(f"attribute-only report screenshot: {path}")  # noqa: T201
