"""The promise of the README in chromium: from a planted card of the small demo case to its gang in a few clicks."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from browser_util import browser_page, serve, wait_idle
from webutil import PASSWORD, new_user

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
pytestmark = [pytest.mark.browser, pytest.mark.slow]


def test_from_a_planted_card_to_its_gang(app, store, artifacts, tmp_path):
    from score_demo import load_demo

    truth = load_demo(store, "small", 1, via="loader", workdir=tmp_path)
    case = truth["case"]
    gang = truth["gangs"][0]
    card = gang["first_level_cards"][0]
    planted = {f"{m['type']}:{m['key']}" for m in gang["members"] if m["type"] in ("person", "card")}
    name = new_user(app, "investigator", [case])
    with serve(app) as base, browser_page() as (page, problems):
        page.goto(base + "/login")                                   # log in
        page.fill("#name", name)
        page.fill("#password", PASSWORD)
        page.click("#login-button")
        page.click(f"text={case}")                                   # click 1: the case
        page.wait_for_selector("#stats")
        page.screenshot(path=str(artifacts / "web-demo-1-dashboard.png"), full_page=True)
        page.fill("#top-q", card)                                    # type the seized card, Enter
        page.press("#top-q", "Enter")
        page.click(f".hit-link[href$='card:{card}']")                # click 2: the hit
        page.wait_for_function("() => window.pochuanWB && window.pochuanWB.nodes.length > 1", timeout=30000)
        wait_idle(page)
        page.click("#btn-node-gang")                                 # click 3: its gang
        page.wait_for_function("() => document.body.dataset.gang", timeout=60000)
        wait_idle(page)
        shown = set(page.evaluate("window.pochuanWB.nodes.get().filter(n => n.data.role).map(n => n.id)"))
        page.screenshot(path=str(artifacts / "web-demo-2-gang.png"))

        hub = truth["hubs"][0]                                       # a public Wi-Fi IP: hundreds of cards
        page.click("#btn-clear")
        page.evaluate("(id) => window.pochuanWB.startFrom(id)", f"{hub['type']}:{hub['key']}")
        page.wait_for_function("() => window.pochuanWB.nodes.length > 1", timeout=30000)
        wait_idle(page)
        capped = page.evaluate("window.pochuanWB.nodes.length")
        assert page.is_visible("#btn-more"), "a capped expansion must offer more"
        page.click("#btn-more")
        page.wait_for_function(f"() => window.pochuanWB.nodes.length > {capped}", timeout=60000)
        wait_idle(page)
        page.screenshot(path=str(artifacts / "web-demo-3-hub-more.png"))

        page.click("#btn-clear")
        page.click("#btn-clusters")                                  # a shared-device cluster
        page.wait_for_selector("#cluster-list a[data-cluster]", timeout=60000)
        page.click("#cluster-list a[data-cluster]")
        page.wait_for_function("() => document.body.dataset.cluster && window.pochuanWB.nodes.length > 2", timeout=60000)
        wait_idle(page)
        page.screenshot(path=str(artifacts / "web-demo-4-cluster.png"))
        assert not problems, problems
    found = len(planted & shown) / len(planted)
    assert found >= 0.6, f"only {found:.0%} of the planted gang's persons and cards are on the screen"
