"""Per-case access: every endpoint of the app, walked with a user of another case, must refuse."""
from __future__ import annotations

import pytest

from analytics_fixture import build_case
from webutil import logged_in

# Endpoints anyone may reach, and those that list only the user's own cases.
PUBLIC = {"static", "status.status_page", "status.status_api", "auth.login", "auth.logout", "auth.set_lang",
          "pages.index"}
OWN_LIST = {"pages.cases", "api.cases"}
FILL = {"case": "T1", "gang_id": "G1", "batch": "B1", "code": "zh", "filename": "css/app.css", "id": "G1",
        "cluster_id": "D1", "fmt": "pdf", "format": "pdf", "kind": "gang"}


def _calls(app):
    """Yield (endpoint, method, url) for every rule and method of the app."""
    for rule in app.url_map.iter_rules():
        args = {a: FILL.get(a, "x") for a in rule.arguments}
        url = rule.build(args, append_unknown=False)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


@pytest.fixture
def outsider(app, store):
    """An investigator of case T2 while the data and the endpoints name case T1."""
    build_case(store, "T1")
    return logged_in(app, "investigator", ["T2"])


def test_every_endpoint_refuses_a_user_of_another_case(app, outsider):
    client, _, token = outsider
    checked = 0
    for endpoint, method, url in _calls(app):
        if endpoint in PUBLIC:
            continue
        query = "" if endpoint in OWN_LIST else "?q=6222&type=card&key=6222000000000001&card=6222000000000001&a=card:1&b=card:2"
        resp = client.open(url + query, method=method, headers={"X-CSRFToken": token},
                           data={"csrf_token": token} if method == "POST" else None)
        if endpoint in OWN_LIST:
            assert resp.status_code == 200
            assert "T1" not in resp.get_data(as_text=True), f"{endpoint} lists another user's case"
            continue
        assert resp.status_code in (403, 404), f"{method} {url} ({endpoint}) answered {resp.status_code}"
        checked += 1
    assert checked >= 20, "the walk should cover the graph API, pages, upload and admin"


def test_every_endpoint_refuses_anonymous_users(app, store):
    build_case(store, "T1")
    client = app.test_client()
    token = None
    for endpoint, method, url in _calls(app):
        if endpoint in PUBLIC:
            continue
        if method != "GET":
            continue  # without a session there is no CSRF token; the 400 is covered elsewhere
        resp = client.get(url)
        expected = 401 if url.startswith("/api/") else 302
        assert resp.status_code == expected, f"{url} ({endpoint}) answered {resp.status_code} to an anonymous user"
    assert token is None


def test_a_loader_cannot_query_and_an_investigator_cannot_upload(app, store):
    build_case(store, "T1")
    loader, _, ltok = logged_in(app, "loader", ["T1"])
    inv, _, itok = logged_in(app, "investigator", ["T1"])
    assert loader.get("/api/cases/T1/search?q=6222").status_code == 403
    assert loader.get("/cases/T1").status_code == 200
    assert inv.post("/api/cases/T1/upload", headers={"X-CSRFToken": itok}).status_code == 403
    assert inv.get("/admin/audit").status_code == 403
