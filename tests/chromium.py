"""A small headless Chromium driver over the DevTools protocol, for browser tests."""

from __future__ import annotations

import base64
import contextlib
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest
import websocket

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "--remote-allow-origins=*",
]
START_SECONDS = 90
STARTS = 2


def find_chromium() -> str | None:
    """Returns the path of Debian's ``chromium`` (or ``chromium-browser``), if any."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


CHROMIUM = find_chromium()
# Browser tests skip with this reason where Debian's chromium is absent.
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium is not installed (apt-get install -y chromium)",
)


class HeadlessChromium:
    """Drives one page of a fresh headless Chromium profile.

    Args:
        binary: Path of the Chromium executable.
        profile_dir: Empty folder for the profiles (``--user-data-dir``) and logs.
        width: Viewport width in pixels.
        height: Viewport height in pixels.
    """

    def __init__(
        self, binary: str, profile_dir: Path, width: int = 1400, height: int = 1000
    ) -> None:
        # A loaded machine can make a start slow or fail: one retry, in a fresh profile.
        for attempt in range(STARTS):
            profile = profile_dir / f"start-{attempt}"
            profile.mkdir()
            log = profile_dir / f"start-{attempt}.log"
            with log.open("wb") as stderr:
                self._process = subprocess.Popen(  # noqa: S603
                    [
                        binary,
                        *FLAGS,
                        f"--user-data-dir={profile}",
                        f"--window-size={width},{height}",
                        "about:blank",
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            port_file = profile / "DevToolsActivePort"
            if self._wait_for(port_file):
                break
            self.close()
            if attempt == STARTS - 1:
                raise RuntimeError(
                    "headless Chromium did not open its DevTools port within "
                    f"{START_SECONDS} s (exit code {self._process.returncode}): "
                    + log.read_text(errors="replace")[-2000:]
                )
        port = int(port_file.read_text().splitlines()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as response:
            targets = json.load(response)
        page = next(target for target in targets if target["type"] == "page")
        self._socket = websocket.create_connection(
            page["webSocketDebuggerUrl"], timeout=60, suppress_origin=True
        )
        self._next_id = 0
        self._events: list[dict[str, Any]] = []
        self.send("Page.enable")
        self.send("Runtime.enable")

    def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Sends one DevTools command and waits for its result.

        Args:
            method: Protocol method, e.g. ``Page.navigate``.
            **params: Its parameters.

        Returns:
            The ``result`` object of the reply.
        """
        self._next_id += 1
        self._socket.send(
            json.dumps({"id": self._next_id, "method": method, "params": params})
        )
        while True:
            message = json.loads(self._socket.recv())
            if message.get("id") == self._next_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._events.append(message)

    def open(self, url: str, timeout: float = 60) -> None:
        """Loads ``url`` and waits for the page's load event."""
        self._events.clear()
        self.send("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while not any(
            event.get("method") == "Page.loadEventFired" for event in self._events
        ):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not finish loading in {timeout}s")
            self._events.append(json.loads(self._socket.recv()))

    def evaluate(self, expression: str) -> Any:
        """Evaluates a JavaScript expression in the page and returns its value."""
        result = self.send(
            "Runtime.evaluate",
            expression=expression,
            returnByValue=True,
            awaitPromise=True,
        )
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 30) -> Any:
        """Evaluates ``expression`` until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression)
            if value or time.monotonic() > deadline:
                return value
            time.sleep(0.25)

    def screenshot(self, path: Path, full_page: bool = True) -> Path:
        """Saves a PNG screenshot of the page (whole length when ``full_page``)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            width, height = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params.update(
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
            )
        data = self.send("Page.captureScreenshot", **params)["data"]
        path.write_bytes(base64.b64decode(data))
        return path

    def _wait_for(self, port_file: Path) -> bool:
        deadline = time.monotonic() + START_SECONDS
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self._process.poll() is not None:
                return False
            time.sleep(0.1)
        return True

    def close(self) -> None:
        """Closes the browser and waits for its process to end."""
        socket = getattr(self, "_socket", None)
        if socket is not None:
            with contextlib.suppress(
                RuntimeError, OSError, websocket.WebSocketException
            ):
                self.send("Browser.close")
            socket.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
