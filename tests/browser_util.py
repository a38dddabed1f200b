"""Serve the app on 127.0.0.1 in a thread and drive Debian's chromium with Playwright (no downloads)."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from urllib.parse import urlparse

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


@contextmanager
def serve(app):
    """Run the app with werkzeug's threaded server on a free 127.0.0.1 port; yield the base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(5)


@contextmanager
def browser_page(width: int = 1400, height: int = 900):
    """Yield (page, problems): problems collects console errors, page errors and off-machine requests."""
    if not os.path.exists(CHROMIUM):
        pytest.skip("chromium is not installed (apt-get install chromium; `make test` does it)")
    from playwright.sync_api import sync_playwright

    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))

        def _request(req):
            host = urlparse(req.url).hostname
            if req.url.startswith(("data:", "blob:", "about:")):
                return
            if host != "127.0.0.1":
                problems.append(f"request off the machine: {req.url}")

        page.on("request", _request)
        try:
            yield page, problems
        finally:
            browser.close()


def wait_stable(page, since: str | None = None, timeout: int = 20000) -> None:
    """Wait until the workbench finished a layout after `since` (body[data-stable] changes)."""
    page.wait_for_function("(s) => document.body.dataset.stable && document.body.dataset.stable !== s",
                           arg=since or "", timeout=timeout)


def wait_idle(page, timeout: int = 30000) -> None:
    """Wait until the workbench has no request under way and its layout has stopped."""
    page.wait_for_function("() => window.pochuanWB && window.pochuanWB.idle()", timeout=timeout)
    page.wait_for_timeout(100)
    page.wait_for_function("() => window.pochuanWB.idle()", timeout=timeout)


def stable_mark(page) -> str:
    """Return the current layout mark of the workbench."""
    return page.evaluate("document.body.dataset.stable || ''")


def dblclick_node(page, node_id: str) -> None:
    """Double-click a node of the workbench at its position on the screen."""
    pos = page.evaluate("""(id) => { const n = window.pochuanWB.network;
        const p = n.getPositions([id])[id]; const d = n.canvasToDOM(p);
        const r = document.getElementById('network').getBoundingClientRect();
        return {x: r.left + d.x, y: r.top + d.y}; }""", node_id)
    page.mouse.dblclick(pos["x"], pos["y"])
