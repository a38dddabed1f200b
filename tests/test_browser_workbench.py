"""In headless chromium: log in, search a planted card, expand, trace, open its gang; screenshots kept."""
from __future__ import annotations

import pytest

from analytics_fixture import build_case
from browser_util import browser_page, dblclick_node, serve, wait_idle
from webutil import PASSWORD, new_user

pytestmark = pytest.mark.browser
CARD1 = "6222000000000001"


def _login(page, base, name):
    """Log in through the form."""
    page.goto(base + "/login")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("#login-button")
    page.wait_for_url(base + "/cases")


def test_investigator_goes_from_one_card_to_its_gang(app, store, artifacts):
    build_case(store, "T1")
    name = new_user(app, "investigator", ["T1"])
    with serve(app) as base, browser_page() as (page, problems):
        _login(page, base, name)
        page.click("text=T1")
        page.wait_for_selector("#stats")
        page.screenshot(path=str(artifacts / "web-1-dashboard.png"), full_page=True)

        page.fill("#top-q", CARD1)
        page.press("#top-q", "Enter")
        page.wait_for_selector(".hit-link")
        page.screenshot(path=str(artifacts / "web-2-search.png"))
        page.click(f".hit-link[href$='card:{CARD1}']")
        page.wait_for_function("() => window.pochuanWB && window.pochuanWB.nodes.length > 1", timeout=20000)
        wait_idle(page)
        first = page.evaluate("window.pochuanWB.nodes.length")
        assert first > 1, "the start card should come with its neighbours"

        neighbour = page.evaluate(f"""window.pochuanWB.nodes.getIds().find(i => i !== 'card:{CARD1}'
                                       && i.startsWith('card:'))""")
        dblclick_node(page, neighbour)
        page.wait_for_function(f"() => window.pochuanWB.nodes.length > {first}", timeout=20000)
        wait_idle(page)
        expanded = page.evaluate("window.pochuanWB.nodes.length")
        assert expanded > first, "double-click should add the neighbour's neighbours"

        page.evaluate(f"window.pochuanWB.network.selectNodes(['card:{CARD1}'])")
        before = page.evaluate("window.pochuanWB.nodes.length")
        page.click("#btn-trace-down")
        page.wait_for_function("() => window.pochuanWB.nodes.get().some(n => n.data.traceLayer >= 2)", timeout=20000)
        assert page.evaluate("window.pochuanWB.nodes.length") >= before
        page.wait_for_timeout(300)
        page.screenshot(path=str(artifacts / "web-3-trace.png"))

        page.click("#btn-node-gang")  # the detail panel of the start card: open the gang it belongs to
        page.wait_for_function("() => document.body.dataset.gang", timeout=30000)
        wait_idle(page)
        roles = page.evaluate("window.pochuanWB.nodes.get().map(n => n.data.role).filter(Boolean)")
        assert "一级卡" in roles and "金主" in roles, roles
        page.screenshot(path=str(artifacts / "web-4-gang.png"))

        page.click("#btn-gangs")
        page.wait_for_selector("#gang-list a[data-gang]", timeout=20000)

        page.evaluate(f"window.pochuanWB.network.selectNodes(['card:{CARD1}', 'card:6222000000000004'])")
        page.click("#btn-path")
        wait_idle(page)
        assert len(page.evaluate("window.pochuanWB.network.getSelectedNodes()")) >= 3, "the path's nodes are selected"

        visible = page.evaluate("new Set(window.pochuanWB.network.body.data.nodes.getIds()).size")
        page.evaluate("window.pochuanWB.network.unselectAll(); window.pochuanWB.network.selectNodes(['card:6222000000000004'])")
        page.click("#btn-hide")
        assert page.evaluate("new Set(window.pochuanWB.network.body.data.nodes.getIds()).size") == visible - 1
        page.click("#btn-undo")
        assert page.evaluate("new Set(window.pochuanWB.network.body.data.nodes.getIds()).size") == visible

        page.click("text=English")
        page.wait_for_selector("text=Network")
        page.screenshot(path=str(artifacts / "web-5-english.png"))
        assert not problems, problems
