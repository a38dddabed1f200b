"""Upload by 录入员: files saved, loaded by loaders.load_files, per-file summary, rejects downloadable."""
from __future__ import annotations

import io

import pytest

from graphsvc import audit
from webutil import assert_error, logged_in

pytest.importorskip("loaders.api", reason="the loaders are not installed yet")


def id_number(body17: str) -> str:
    """Return a mainland ID number with its check digit (GB 11643)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body17 + "10X98765432"[sum(int(c) * w for c, w in zip(body17, weights)) % 11]


def persons_csv() -> bytes:
    """Two persons, one with a wrong check digit (rejected)."""
    good = id_number("11010119800101001")
    bad = good[:-1] + ("1" if good[-1] != "1" else "2")
    return f"身份证号,姓名\n{good},王五\n{bad},赵六\n".encode("utf-8")


@pytest.fixture
def loader(app, store):
    """A 录入员 of case T1, logged in."""
    return logged_in(app, "loader", ["T1"])


def _post(client, token, files, kind="persons"):
    data = {"kind": kind, "files": files}
    return client.post("/api/cases/T1/upload", data=data, headers={"X-CSRFToken": token},
                       content_type="multipart/form-data")


def _finish(client, resp, timeout=60):
    """Poll an upload job until it ends and return its last status."""
    import time

    assert resp.status_code == 202, resp.get_data(as_text=True)
    url = resp.get_json()["status"]
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = client.get(url).get_json()
        assert state["ok"] is True, state
        if state["state"] != "running":
            return state
        time.sleep(0.2)
    raise AssertionError("the upload job did not end")


def test_upload_loads_rows_and_offers_the_rejects(app, loader):
    client, name, token = loader
    state = _finish(client, _post(client, token, [(io.BytesIO(persons_csv()), "人员名单.csv")]))
    assert state["state"] == "done", state
    f = state["done"][0]
    assert (f["file"], f["read"], f["loaded"], f["rejected"], f["has_rejects"]) == ("人员名单.csv", 2, 1, 1, True)
    assert "rejects" not in f, "server paths stay on the server"
    batches = client.get("/api/cases/T1/batches").get_json()["batches"]
    assert any(b["batch"] == f["batch"] and b["has_rejects"] for b in batches)
    rej = client.get(f"/api/cases/T1/batches/{f['batch']}/rejects")
    assert rej.status_code == 200 and "赵六" in rej.get_data(as_text=True)
    assert audit.entries(app.config["POCHUAN_DATA"], user=name, action="import")
    page = client.get("/cases/T1/upload").get_data(as_text=True)
    assert "人员名单.csv" in page and "下载拒收行" in page
    other, _, _ = logged_in(app, "investigator", ["T2"])
    assert_error(other.get(f"/api/cases/T1/batches/{f['batch']}/rejects"), 404)
    assert_error(client.get("/api/cases/T1/batches/nope/rejects"), 404, "batch")


def test_a_file_the_loader_cannot_read_ends_the_job_as_failed(loader):
    client, _, token = loader
    state = _finish(client, _post(client, token, [(io.BytesIO("甲,乙\n1,2\n".encode()), "unknown.csv")], kind=""))
    assert state["state"] == "failed" and state["error"]


def test_upload_status_is_checked(app, loader):
    client, _, token = loader
    assert_error(client.get("/api/cases/T1/upload/20240101-000000-deadbeef"), 404, "job")
    assert_error(client.get("/api/cases/T1/upload/not-a-job"), 400, "job")
    resp = _post(client, token, [(io.BytesIO(persons_csv()), "x.csv")])
    other, _, _ = logged_in(app, "loader", ["T2"])
    assert_error(other.get(resp.get_json()["status"]), 404)
    assert _finish(client, resp)["state"] == "done"


def test_upload_validates_its_inputs(loader):
    client, _, token = loader
    assert_error(_post(client, token, []), 400, "files")
    assert_error(_post(client, token, [(io.BytesIO(persons_csv()), "a.csv")], kind="spaceships"), 400, "kind")
    assert_error(_post(client, token, [(io.BytesIO(b"MZ..."), "tool.exe")]), 400, "files")


def test_whole_case_results_are_recomputed_after_an_import(app, loader):
    from web.api import case_cached

    client, _, token = loader
    calls = []
    with app.test_request_context():
        first = case_cached("T1", "probe", lambda: calls.append(1) or len(calls))
        assert case_cached("T1", "probe", lambda: calls.append(1) or len(calls)) == first == 1
    assert _finish(client, _post(client, token, [(io.BytesIO(persons_csv()), "more.csv")]))["state"] == "done"
    with app.test_request_context():
        assert case_cached("T1", "probe", lambda: calls.append(1) or len(calls)) == 2
