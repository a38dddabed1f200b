"""The graph API on a small hand-made case: answers, validation, the error shape, audit."""
from __future__ import annotations

import pytest

from graphsvc import audit
from analytics_fixture import build_case
from webutil import assert_error, logged_in

CARD1 = "6222000000000001"


@pytest.fixture
def case_t1(store):
    """The hand-made case T1 in the test's graph."""
    return build_case(store, "T1")


@pytest.fixture
def inv(app, case_t1):
    """An investigator of T1, logged in: (client, name, csrf token)."""
    return logged_in(app, "investigator", ["T1"])


def test_search_entity_neighbourhood_trace_answer_the_shared_shapes(app, inv):
    client, name, _ = inv
    hits = client.get(f"/api/cases/T1/search?q={CARD1}").get_json()
    assert hits["ok"] is True and any(h["id"] == f"card:{CARD1}" for h in hits["results"])
    ent = client.get(f"/api/cases/T1/entity?type=card&key={CARD1}").get_json()["entity"]
    assert ent["id"] == f"card:{CARD1}" and ent["provenance"]
    nb = client.get(f"/api/cases/T1/neighbourhood?type=card&key={CARD1}&rel=TRANSFER,USES").get_json()
    assert {e["type"] for e in nb["edges"]} <= {"TRANSFER", "USES"} and len(nb["nodes"]) > 2
    down = client.get(f"/api/cases/T1/trace?card={CARD1}&direction=down").get_json()
    assert "card:6222000000000002" in {n["id"] for n in down["nodes"]}
    kinds = {e["action"] for e in audit.entries(app.config["POCHUAN_DATA"], user=name)}
    assert {"login", "search", "view", "expand", "trace"} <= kinds
    entry = next(e for e in audit.entries(app.config["POCHUAN_DATA"], user=name, action="search"))
    assert entry["case"] == "T1" and entry["what"]["q"] == CARD1


def test_gangs_clusters_alerts_freeze_paths_answer(inv):
    client, _, _ = inv
    for path in ("gangs", "clusters", "alerts", "freeze"):
        body = client.get(f"/api/cases/T1/{path}").get_json()
        assert body["ok"] is True, (path, body)
    gangs = client.get("/api/cases/T1/gangs").get_json()["gangs"]
    if gangs:
        one = client.get(f"/api/cases/T1/gangs/{gangs[0]['id']}").get_json()
        assert one["ok"] and one["nodes"]
    p = client.get(f"/api/cases/T1/paths?a=card:{CARD1}&b=card:6222000000000004").get_json()
    assert p["ok"] is True


@pytest.mark.parametrize("url, field", [
    ("/api/cases/T1/search", "q"),
    ("/api/cases/T1/search?q=1&limit=0", "limit"),
    ("/api/cases/T1/search?q=1&bogus=2", "bogus"),
    ("/api/cases/T1/entity?type=ship&key=1", "type"),
    ("/api/cases/T1/neighbourhood?type=card&key=1&hops=9", "hops"),
    ("/api/cases/T1/neighbourhood?type=card&key=1&rel=KNOWS", "rel"),
    ("/api/cases/T1/neighbourhood?type=card&key=1&since=yesterday", "since"),
    ("/api/cases/T1/neighbourhood?type=card&key=1&min_amount=-5", "min_amount"),
    ("/api/cases/T1/trace?card=1&direction=sideways", "direction"),
    ("/api/cases/T1/trace", "card"),
    ("/api/cases/T1/paths?a=card:1&b=1", "b"),
])
def test_bad_input_is_400_naming_the_field(inv, url, field):
    assert_error(inv[0].get(url), 400, field)


def test_error_shape_on_401_403_404_405_500(app, case_t1):
    def boom():
        raise RuntimeError("kaputt")

    app.add_url_rule("/api/_boom", "boom", boom)
    anon = app.test_client()
    assert_error(anon.get("/api/cases/T1/search?q=1"), 401)
    loader, _, token = logged_in(app, "loader", ["T1"])
    assert_error(loader.get("/api/cases/T1/search?q=1"), 403)
    inv, _, token = logged_in(app, "investigator", ["T1"])
    assert_error(inv.get("/api/cases/T9/search?q=1"), 404, "case")
    assert_error(inv.get("/api/nothing-here"), 404)
    assert_error(inv.post("/api/cases/T1/search?q=1", headers={"X-CSRFToken": token}), 405)
    body = assert_error(inv.get("/api/_boom"), 500)
    assert "kaputt" not in body["error"]["message"]


def test_state_changing_calls_need_the_csrf_token(app, case_t1):
    client, _, token = logged_in(app, "loader", ["T1"])
    body = assert_error(client.post("/api/cases/T1/upload"), 400, "csrf_token")
    assert body["error"]["code"] == "csrf"
    assert client.post("/logout").status_code == 400
    assert client.get("/cases").status_code == 200  # still logged in
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/cases").status_code == 302


def test_idle_session_expires(app, case_t1):
    client, _, _ = logged_in(app, "investigator", ["T1"])
    assert client.get("/api/cases/T1/search?q=622").status_code == 200
    with client.session_transaction() as s:
        s["seen"] = s["seen"] - (int(app.config["POCHUAN_SESSION_MINUTES"]) * 60 + 5)
    body = assert_error(client.get("/api/cases/T1/search?q=622"), 401)
    assert "过期" in body["error"]["message"]


def test_wrong_password_is_refused_and_audited(app):
    from webutil import login, new_user

    name = new_user(app, "investigator", ["T1"])
    resp = login(app.test_client(), name, "wrong-password")
    assert resp.status_code == 401
    assert audit.entries(app.config["POCHUAN_DATA"], user=name, action="login_failed")


def test_password_change_ends_open_sessions(app, case_t1):
    from web import users

    client, name, _ = logged_in(app, "investigator", ["T1"])
    assert client.get("/api/cases/T1/stats").status_code == 200
    import time

    time.sleep(1.1)  # pw_changed has one-second resolution
    users.set_password(app.config["POCHUAN_DATA"], name, "another-password")
    assert_error(client.get("/api/cases/T1/stats"), 401)


def test_supervisor_sees_the_cases_of_their_unit(app, case_t1):
    from webutil import new_user

    new_user(app, "investigator", ["T1"], unit="刑侦一队")
    sup, _, _ = logged_in(app, "supervisor", [], unit="刑侦一队")
    assert sup.get("/api/cases/T1/stats").status_code == 200
    other, _, _ = logged_in(app, "supervisor", [], unit="刑侦二队")
    assert_error(other.get("/api/cases/T1/stats"), 404)
    admin, _, _ = logged_in(app, "admin")
    assert admin.get("/api/cases/T1/stats").status_code == 200


def test_stats_and_batches(inv):
    client, _, _ = inv
    stats = client.get("/api/cases/T1/stats").get_json()["stats"]
    assert stats["cards"] >= 6 and stats["transfers"] >= 5
    assert client.get("/api/cases/T1/batches").get_json()["ok"] is True
