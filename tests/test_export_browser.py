"""The exported HTML opened in headless Chromium with no network: the chart draws, nothing leaves the machine."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from browser_util import browser_page
from graphsvc.export import export_graph, make_meta
from graphsvc.export_sample import sample_gang

pytestmark = pytest.mark.browser


def test_exported_html_draws_offline(tmp_path, artifacts):
    gang = sample_gang(60, seed=5)
    path = export_graph(gang, "html", tmp_path / "g.html", make_meta("A2026-0417", "王督导", "离线测试 offline"))
    with browser_page(1400, 1000) as (page, problems):
        page.route("**/*", lambda route: route.abort())  # no network at all: anything asked for fails loudly
        page.set_content(path.read_text(encoding="utf-8"), wait_until="load")
        page.wait_for_selector("#chart canvas", timeout=20000)
        page.wait_for_timeout(1500)
        shot = page.locator("#chart").screenshot()
        cells = page.locator("#members td").all_inner_texts()
        page.screenshot(path=str(artifacts / "export-html-offline.png"))
    assert not problems, problems
    boss = next(n["label"] for n in gang["nodes"] if n["role"] == "金主")
    assert boss in cells
    im = Image.open(io.BytesIO(shot)).convert("L")
    dark = sum(im.histogram()[:200]) / (im.width * im.height)
    assert dark > 0.005, dark  # nodes and edges were drawn on the canvas
