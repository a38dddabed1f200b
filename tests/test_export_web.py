"""Exports from the web: supervisors and admins download files; others are refused; every export audited."""
from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import pytest
from openpyxl import load_workbook

from analytics_fixture import build_case
from graphsvc import audit
from webutil import assert_error, logged_in

URL = "/api/cases/T1"


@pytest.fixture
def case(store):
    return build_case(store)


def _gang_id(store):
    from graphsvc import analytics

    found = (analytics.gangs(store, "T1") or {}).get("gangs")
    if not found:
        pytest.skip("graphsvc.analytics.gangs returns no gang yet")
    return max(found, key=lambda g: g.get("size") or 0)["id"]


def _selection(truth):
    return [f"{m['type']}:{m['key']}" for m in truth["gangs"][0]["members"] if m["type"] in ("person", "card")]


def test_supervisor_downloads_gang_svg_and_it_is_audited(app, store, case):
    gang = _gang_id(store)
    client, name, _ = logged_in(app, "supervisor", ["T1"])
    resp = client.get(f"{URL}/export?what=gang&id={gang}&format=svg")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "image/svg+xml" and "attachment" in resp.headers["Content-Disposition"]
    texts = {"".join(t.itertext()) for t in ET.fromstring(resp.data).iter("{http://www.w3.org/2000/svg}text")}
    assert any(name in t for t in texts)  # the exporting user is printed on the chart
    last = audit.entries(app.config["POCHUAN_DATA"], user=name, action="export", limit=1)[0]
    assert last["case"] == "T1" and last["what"]["kind"] == "gang" and last["what"]["format"] == "svg"
    assert last["ip"]


def test_admin_downloads_offline_html_and_xlsx(app, store, case):
    gang = _gang_id(store)
    client, _, _ = logged_in(app, "admin")
    resp = client.get(f"{URL}/export?what=gang&id={gang}&format=html")
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    html = resp.get_data(as_text=True)
    assert not re.search(r"https?://(?!127\.0\.0\.1)", html) and "卡农1" in html
    resp = client.get(f"{URL}/export?what=gang&id={gang}&format=xlsx")
    wb = load_workbook(io.BytesIO(resp.data), read_only=True)
    roles = {r[2] for r in wb["成员 members"].iter_rows(min_row=2, values_only=True)}
    assert {"一级卡", "卡农", "金主"} <= roles


def test_selection_posted_from_the_workbench(app, store, case):
    client, name, token = logged_in(app, "supervisor", ["T1"])
    ids = _selection(case)
    resp = client.post(f"{URL}/export", json={"what": "selection", "ids": ids, "format": "graphml"},
                       headers={"X-CSRFToken": token})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.data.count(b"<node ") == len(ids)
    resp = client.post(f"{URL}/export", json={"ids": [], "format": "svg"}, headers={"X-CSRFToken": token})
    assert_error(resp, 400, "ids")
    resp = client.post(f"{URL}/export", json={"ids": ids, "format": "doc"}, headers={"X-CSRFToken": token})
    assert_error(resp, 400, "format")


def test_trace_and_freeze_downloads(app, store, case):
    client, _, _ = logged_in(app, "supervisor", ["T1"])
    card = case["gangs"][0]["first_level_cards"][0]
    resp = client.get(f"{URL}/export?what=trace&id={card}&format=csv&table=transfers")
    assert resp.status_code == 200 and resp.data.startswith(b"\xef\xbb\xbf")
    assert card in resp.get_data(as_text=True)
    resp = client.get(f"{URL}/export?what=freeze&format=xlsx")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype.endswith("spreadsheetml.sheet")


def test_investigators_and_loaders_cannot_export(app, store, case):
    for role in ("investigator", "loader"):
        client, _, token = logged_in(app, role, ["T1"])
        assert_error(client.get(f"{URL}/export?what=gang&id=G1&format=pdf"), 403)
        assert_error(client.get(f"{URL}/report"), 403)
        assert_error(client.post(f"{URL}/export", json={"ids": _selection(case)}, headers={"X-CSRFToken": token}),
                     403)
    anon = app.test_client()
    assert_error(anon.get(f"{URL}/export?what=gang&id=G1&format=pdf"), 401)


def test_supervisor_of_another_case_gets_404(app, store, case):
    client, _, _ = logged_in(app, "supervisor", ["T2"])
    assert_error(client.get(f"{URL}/export?what=gang&id=G1&format=svg"), 404)
    assert_error(client.get(f"{URL}/report"), 404)


def test_bad_parameters_name_the_field(app, store, case):
    client, _, _ = logged_in(app, "supervisor", ["T1"])
    assert_error(client.get(f"{URL}/export?format=svg"), 400, "what")
    assert_error(client.get(f"{URL}/export?what=gang&format=svg"), 400, "id")
    assert_error(client.get(f"{URL}/export?what=gang&id=G1&format=bmp"), 400, "format")
    assert_error(client.get(f"{URL}/export?what=gang&id=NOPE&format=svg"), 404)


def test_case_report_download(app, store, case):
    _gang_id(store)
    client, name, _ = logged_in(app, "supervisor", ["T1"])
    resp = client.get(f"{URL}/report")
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/pdf" and resp.data.startswith(b"%PDF")
    last = audit.entries(app.config["POCHUAN_DATA"], user=name, action="report", limit=1)[0]
    assert last["case"] == "T1" and last["what"]["pages"] >= 2
