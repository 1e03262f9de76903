"""Reads kedro-viz's first view in headless Chromium: boxes, layer bands, labels and zoom."""

from __future__ import annotations

import time
from typing import Any

from tests.chromium import HeadlessChromium

# The window of a Full HD screen; Chromium gives the page 1920 x 937 of it, about
# what a maximised browser window leaves on such a screen.
FULL_HD = (1920, 1080)
FIRST_VIEW = """(() => {
  const graph = document.querySelector('.pipeline-flowchart__graph g');
  const scale = graph && graph.getAttribute('transform').match(/scale\\(([0-9.]+)\\)/);
  return {
    boxes: Array.from(document.querySelectorAll('.pipeline-node--modularPipeline'))
      .map(node => node.textContent),
    tasks: document.querySelectorAll('.pipeline-node--task').length,
    layers: Array.from(document.querySelectorAll('.pipeline-layer-name'))
      .map(name => name.textContent),
    labels: Array.from(document.querySelectorAll('.pipeline-node .pipeline-node__text'))
      .map(text => [text.textContent, text.getBoundingClientRect().height]),
    scale: scale ? Number(scale[1]) : null,
  };
})()"""


def read_first_view(
    browser: HeadlessChromium, url: str, nodes_shown: str
) -> dict[str, Any]:
    """Opens kedro-viz and reads the view it settles on.

    kedro-viz animates its fit to the window: the view is read until two readings
    a second apart have the same zoom.

    Args:
        browser: The browser; a fresh profile shows what a first visit shows.
        url: The page to open.
        nodes_shown: A JavaScript expression, true once the expected nodes are drawn.

    Returns:
        ``boxes`` (names of the collapsed namespaces), ``tasks`` (number of node
        boxes), ``layers`` (names of the layer bands, top to bottom), ``labels``
        (``[text, height in pixels]`` of every node label) and ``scale`` (the zoom).
    """
    browser.open(url)
    browser.wait_for(nodes_shown, timeout=60)
    view, previous = browser.evaluate(FIRST_VIEW), None
    for _ in range(30):
        if (
            previous is not None
            and view["labels"]
            and view["scale"] == previous["scale"]
        ):
            break
        time.sleep(1)
        previous, view = view, browser.evaluate(FIRST_VIEW)
    return view
