"""The HTML report of a real run, opened in headless Chromium (skipped without it)."""

from __future__ import annotations

import pandas as pd
import pytest

from .chromium import HeadlessChromium, find_chromium

CHROMIUM = find_chromium()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (apt-get install -y chromium)",
)
SECTIONS = [
    "data-quality",
    "model-choice",
    "segments",
    "customer-value",
    "rules",
    "migration",
    "plots",
]


@pytest.fixture(scope="module")
def report_page(finished_project, tmp_path_factory):
    browser = HeadlessChromium(CHROMIUM, tmp_path_factory.mktemp("chromium-profile"))
    report = finished_project / "data" / "08_reporting" / "segmentation_report.html"
    browser.open(report.as_uri())
    yield browser
    browser.close()


def test_every_section_is_shown(report_page):
    heights = report_page.evaluate(
        f"{SECTIONS}.map(id => document.getElementById(id)?.getBoundingClientRect().height ?? 0)"
    )

    assert all(height > 50 for height in heights), dict(
        zip(SECTIONS, heights, strict=True)
    )


def test_every_image_is_loaded(report_page):
    images = report_page.evaluate(
        "Array.from(document.images).map(image => [image.complete, image.naturalWidth])"
    )

    # Six segment plots and the two of the customer value section.
    assert len(images) == 8
    assert all(complete and width > 300 for complete, width in images)


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


def test_migration_against_the_previous_run_is_shown(report_page):
    text = report_page.evaluate("document.getElementById('migration').innerText")

    assert "kept their segment id" in text


def test_screenshot_is_taken(report_page, finished_project):
    path = report_page.screenshot(finished_project / "report_screenshot.png")

    assert path.stat().st_size > 50_000
    print(f"report screenshot: {path}")  # noqa: T201 - tells the reader where to look
