"""The interactive docs render in headless Chromium from the server alone (no CDN)."""

from pathlib import Path

import pytest

from tests.chromium import CHROMIUM, HeadlessChromium, needs_chromium

pytestmark = needs_chromium
# Scripts, styles and data all come from the server. ReDoc's footer logo ("API
# docs by Redocly") is an image its bundle links to; offline it is simply absent.
ALL_FROM_SERVER = (
    "performance.getEntriesByType('resource')"
    ".filter(entry => entry.initiatorType !== 'img')"
    ".every(entry => entry.name.startsWith(location.origin))"
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    chromium = HeadlessChromium(CHROMIUM, tmp_path_factory.mktemp("docs-profile"))
    yield chromium
    chromium.close()


def test_swagger_ui_renders_every_operation_offline(
    browser: HeadlessChromium, base_url: str, tmp_path: Path
):
    browser.open(f"{base_url}/docs")

    paths = browser.wait_for(
        "Array.from(document.querySelectorAll('.opblock-summary-path'))"
        ".map(node => node.textContent).sort().join(',') || null"
    )

    assert paths == "/health,/v1/model,/v1/segments"
    assert browser.evaluate(ALL_FROM_SERVER) is True
    assert browser.screenshot(tmp_path / "docs.png").stat().st_size > 10_000


def test_redoc_renders_offline(browser: HeadlessChromium, base_url: str):
    browser.open(f"{base_url}/redoc")

    title = browser.wait_for(
        "(document.querySelector('.api-info h1') || {}).textContent || null"
    )

    assert title.startswith("Customer segmentation")
    assert browser.evaluate(ALL_FROM_SERVER) is True
