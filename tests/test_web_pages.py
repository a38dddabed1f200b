"""Pages, languages, the user CLI, admin pages, and the promise that nothing is fetched from elsewhere."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from analytics_fixture import build_case
from graphsvc import audit
from webutil import PASSWORD, assert_error, csrf_token, logged_in, login

WEB = Path(__file__).resolve().parent.parent / "web"
CARD1 = "6222000000000001"


@pytest.fixture
def inv(app, store):
    """An investigator of the hand-made case T1, logged in."""
    build_case(store, "T1")
    return logged_in(app, "investigator", ["T1"])


def test_case_list_dashboard_and_search_pages(inv):
    client, _, _ = inv
    assert "T1" in client.get("/cases").get_data(as_text=True)
    page = client.get("/cases/T1").get_data(as_text=True)
    assert 'data-stat="cards"' in page and "导入批次" in page
    hits = client.get(f"/cases/T1/search?q={CARD1}").get_data(as_text=True)
    assert f"workbench?start=card:{CARD1}" in hits and "银行卡" in hits
    wb = client.get(f"/cases/T1/workbench?start=card:{CARD1}").get_data(as_text=True)
    assert "vis-network.min.js" in wb and "btn-trace-down" in wb


def test_chinese_by_default_english_on_switch(inv):
    client, _, _ = inv
    assert "关系网络" in client.get("/cases/T1").get_data(as_text=True)
    assert client.get("/lang/en?next=/cases/T1").status_code == 302
    page = client.get("/cases/T1").get_data(as_text=True)
    assert "Network" in page and "Import batches" in page and "关系网络" not in page
    strings = json.loads(re.search(r'id="i18n">(.*?)</script>', page, re.S).group(1))
    assert strings["rel.TRANSFER"] == "Transfer"
    client.get("/lang/zh")
    assert "关系网络" in client.get("/cases/T1").get_data(as_text=True)


def test_every_ui_string_has_an_english_translation():
    from babel.messages.pofile import read_po

    with open(WEB / "translations" / "en" / "LC_MESSAGES" / "messages.po", "rb") as f:
        catalog = {m.id: m.string for m in read_po(f) if m.id}
    assert (WEB / "translations" / "en" / "LC_MESSAGES" / "messages.mo").exists()
    used = set()
    for path in list((WEB / "templates").rglob("*.html")) + list(WEB.glob("*.py")):
        used |= set(re.findall(r'\b_\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
        used |= set(re.findall(r"\b_\(\s*'([^']+)'", path.read_text(encoding="utf-8")))
    missing = sorted(s for s in used if not catalog.get(s))
    assert not missing, f"untranslated: {missing} (pybabel extract/update, see docs/web.md)"


def test_no_page_or_asset_names_another_host(inv):
    client, _, _ = inv
    own = [p for p in (WEB / "templates").rglob("*.html")] + list((WEB / "static" / "js").glob("*.js")) + \
        list((WEB / "static" / "css").glob("*.css"))
    for path in own:
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", path.read_text(encoding="utf-8"), re.I), path
    for url in ("/cases", "/cases/T1", f"/cases/T1/workbench?start=card:{CARD1}", f"/cases/T1/search?q={CARD1}"):
        resp = client.get(url)
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
        for ref in re.findall(r'(?:src|href)="([^"]+)"', resp.get_data(as_text=True)):
            assert ref.startswith(("/", "#", "?")), f"{url} refers to {ref}"


def test_create_app_opens_no_store(settings):
    from web import create_app

    app = create_app({**settings, "POCHUAN_GRAPH_URL": "redis://127.0.0.1:1", "TESTING": True})
    assert app.test_client().get("/login").status_code == 200
    assert app.test_client().get("/api/status").status_code == 503


def test_status_page_still_works(client):
    assert client.get("/status").status_code == 200
    assert client.get("/api/status").get_json()["ok"] is True


def test_user_cli_adds_assigns_and_lists(app, runner):
    res = runner.invoke(["user", "add", "cli_wang", "--role", "侦查员", "--case", "T1", "--unit", "反诈中心",
                         "--password", "secret-pass-1", "--json"])
    assert res.exit_code == 0, res.output
    user = json.loads(res.stdout)
    assert user["role"] == "investigator" and user["cases"] == ["T1"]
    res = runner.invoke(["user", "assign", "cli_wang", "--case", "T2", "--json"])
    assert json.loads(res.stdout)["cases"] == ["T1", "T2"]
    res = runner.invoke(["user", "add", "cli_wang", "--role", "admin", "--password", "secret-pass-1"])
    assert res.exit_code == 2 and "exists" in res.output
    res = runner.invoke(["user", "add", "cli_li", "--role", "boss"])
    assert res.exit_code == 2 and "role" in res.output
    res = runner.invoke(["user", "add", "cli_zhao", "--role", "录入员", "--json"])
    generated = json.loads(res.stdout)["password"]
    assert login(app.test_client(), "cli_zhao", generated).status_code == 302
    names = [u["name"] for u in json.loads(runner.invoke(["user", "list", "--json"]).stdout)]
    assert {"cli_wang", "cli_zhao"} <= set(names)
    assert audit.entries(app.config["POCHUAN_DATA"], action="user_add")


def test_admin_adds_a_user_and_reads_the_audit_trail(app, inv):
    admin, name, token = logged_in(app, "admin")
    resp = admin.post("/admin/users", data={"csrf_token": token, "action": "add", "name": "form_user",
                                            "role": "loader", "password": "form-pass-1", "cases": "T1"})
    assert resp.status_code == 303
    assert "form_user" in admin.get("/admin/users").get_data(as_text=True)
    inv[0].get(f"/api/cases/T1/search?q={CARD1}")
    page = admin.get("/admin/audit?action=search&case=T1").get_data(as_text=True)
    assert CARD1 in page and inv[1] in page
    assert inv[0].get("/admin/audit").status_code == 403


def test_login_redirects_only_to_local_paths(app, inv):
    client = app.test_client()
    from webutil import new_user

    name = new_user(app, "investigator", ["T1"])
    token = csrf_token(client)
    resp = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token,
                                       "next": "//evil.example/x"})
    assert resp.headers["Location"].endswith("/cases")
    assert_error(client.get("/api/cases/T9/stats"), 404)


def test_demo_accounts_are_created_and_reset(app, runner):
    res = runner.invoke(["user", "demo", "--case", "DEMO-small-1", "--json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["name"] for r in rows} == {"demo", "demo-loader", "demo-super", "demo-admin"}
    assert runner.invoke(["user", "demo", "--case", "DEMO-small-1"]).exit_code == 0  # again: reset, no error
    assert login(app.test_client(), "demo", rows[0]["password"]).status_code == 302


def test_supervisors_get_export_buttons_investigators_do_not(app, inv):
    sup, _, _ = logged_in(app, "supervisor", ["T1"])
    page = sup.get("/cases/T1").get_data(as_text=True)
    assert 'id="case-exports"' in page and "what=gang" in page
    assert 'id="export-block"' in sup.get("/cases/T1/workbench").get_data(as_text=True)
    link = re.search(r'href="(/api/cases/T1/export\?[^"]*what=freeze[^"]*)"', page).group(1).replace("&amp;", "&")
    assert sup.get(link).status_code == 200
    assert 'id="export-block"' not in inv[0].get("/cases/T1/workbench").get_data(as_text=True)
    assert 'id="case-exports"' not in inv[0].get("/cases/T1").get_data(as_text=True)
