"""The review app served for a real headless Chromium (Debian's chromium, driven by Playwright).

The browser test modules share these: the app on a free loopback port as `extractor review` serves it,
and one browser tab with the flags that work in this workplace.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium")
BROWSER_MARKS = [
    pytest.mark.slow,  # `make test-fast` leaves these out; `make test` runs them
    pytest.mark.skipif(
        CHROMIUM is None, reason="needs Debian's chromium on PATH (apt-get install -y chromium; .ci/run does it)"),
]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


@contextmanager
def served(db: Path) -> Iterator[str]:
    """The review app on ``db`` served by uvicorn on a free loopback port; its address."""
    import uvicorn

    from extractor.review.app import create_app
    from extractor.review.server import address, open_socket

    sock = open_socket("127.0.0.1", 0)
    app_server = uvicorn.Server(uvicorn.Config(create_app(db, "ana"), log_level="warning"))
    thread = threading.Thread(target=app_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not app_server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert app_server.started, "the review server did not start"
    try:
        yield address(sock, None).rstrip("/")
    finally:
        app_server.should_exit = True
        thread.join(10)
        sock.close()


@contextmanager
def browser_tab(args: list[str] = ARGS) -> Iterator[object]:
    """One tab of a 1400x900 headless Chromium, with a 15 s default timeout."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        tab = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
        tab.set_default_timeout(15000)
        try:
            yield tab
        finally:
            browser.close()
