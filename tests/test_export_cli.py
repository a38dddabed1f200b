"""`pochuan export` and `pochuan report` on a real store: selections, traces, gangs; every export audited."""
from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET

import networkx as nx
import pytest

from analytics_fixture import build_case
from graphsvc import audit
from graphsvc.export_sources import fetch, selection_graph

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def case(store):
    return build_case(store)


def _ids(truth, types=("person", "card")):
    return [f"{m['type']}:{m['key']}" for m in truth["gangs"][0]["members"] if m["type"] in types]


def _name(node):
    """Return a person's name (labels also carry the ID number, drawn on a line of its own)."""
    return (node.get("props") or {}).get("name") or node["label"].split()[0]


def _svg_texts(path):
    return {"".join(t.itertext()).strip() for t in ET.parse(path).getroot().iter(f"{SVG}text")}


def test_selection_graph_keeps_links_between_selected_nodes(store, case):
    ids = _ids(case)
    g = selection_graph(store, "T1", ids)
    assert {n["id"] for n in g["nodes"]} == set(ids)
    assert g["edges"] and all(e["from"] in ids and e["to"] in ids for e in g["edges"])
    assert any(e["type"] == "TRANSFER" for e in g["edges"]) and any(e["type"] == "OWNS" for e in g["edges"])


def test_export_selection_svg_from_json_file(runner, store, case, settings, tmp_path):
    ids = _ids(case)
    sel = tmp_path / "sel.json"
    sel.write_text(json.dumps({"ids": ids}), encoding="utf-8")
    out = tmp_path / "sel.svg"
    res = runner.invoke(["export", "--case", "T1", "--selection", str(sel), "-o", str(out), "--user", "督导甲",
                         "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["nodes"] == len(ids)
    names = {_name(n) for n in selection_graph(store, "T1", ids)["nodes"] if n["type"] == "person"}
    assert names and names <= _svg_texts(out)
    last = audit.entries(settings["POCHUAN_DATA"], action="export", limit=1)[0]
    assert last["user"] == "督导甲" and last["case"] == "T1" and last["what"]["kind"] == "selection"
    assert last["what"]["format"] == "svg" and last["what"]["file"] == str(out)


def test_export_trace_graphml_and_xlsx(runner, store, case, tmp_path):
    card = case["gangs"][0]["first_level_cards"][0]
    out = tmp_path / "trace.graphml"
    res = runner.invoke(["export", "--case", "T1", "--trace", card, "-o", str(out)])
    assert res.exit_code == 0, res.output
    g = nx.read_graphml(out)
    assert f"card:{card}" in g and all(f"card:{c}" in g for c in case["gangs"][0]["downstream"][card])
    res = runner.invoke(["export", "--case", "T1", "--trace", card, "--format", "xlsx", "-o", str(tmp_path / "t.x")])
    assert res.exit_code == 0, res.output


def test_export_refuses_bad_requests_in_one_line(runner, case, tmp_path):
    res = runner.invoke(["export", "--case", "T1", "-o", str(tmp_path / "x.svg")])
    assert res.exit_code == 2 and "exactly one of" in res.output and "Traceback" not in res.output
    res = runner.invoke(["export", "--case", "T1", "--gang", "G1", "-o", str(tmp_path / "x.doc")])
    assert res.exit_code == 2 and "format" in res.output
    bad = tmp_path / "bad.json"
    bad.write_text('["nonsense"]')
    res = runner.invoke(["export", "--case", "T1", "--selection", str(bad), "-o", str(tmp_path / "x.svg")])
    assert res.exit_code == 2 and "bad node id" in res.output


def _gang_id(store):
    from graphsvc import analytics

    try:
        found = (analytics.gangs(store, "T1") or {}).get("gangs")
    except NotImplementedError:
        found = None
    if not found:
        pytest.skip("graphsvc.analytics.gangs does not return gangs yet")
    return max(found, key=lambda g: g.get("size") or 0)


def test_export_real_gang_every_format(runner, store, case, tmp_path, artifacts):
    gang = _gang_id(store)
    graph = fetch(store, "T1", "gang", gang["id"])
    persons = {_name(n) for n in graph["nodes"] if n["type"] == "person" and n.get("role")}
    for fmt in ("html", "svg", "png", "pdf", "graphml", "csv", "xlsx"):
        out = tmp_path / f"gang.{fmt}"
        res = runner.invoke(["export", "--case", "T1", "--gang", str(gang["id"]), "-o", str(out)])
        assert res.exit_code == 0, (fmt, res.output)
        assert out.stat().st_size > 200
    assert persons <= _svg_texts(tmp_path / "gang.svg")
    html = (tmp_path / "gang.html").read_text(encoding="utf-8")
    assert all(p in html for p in persons)
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "gang.pdf"), "-"], capture_output=True, text=True).stdout
        assert all(p in text for p in persons)
    shutil.copy(tmp_path / "gang.png", artifacts / "export-fixture-gang.png")


def test_report_pdf_of_a_case(runner, store, case, settings, tmp_path, artifacts):
    _gang_id(store)
    out = tmp_path / "report.pdf"
    res = runner.invoke(["report", "--case", "T1", "-o", str(out), "--user", "督导乙", "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["gangs"] >= 1 and info["pages"] >= 2
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
        assert "案件分析报告" in text and "T1" in text and "督导乙" in text
        assert "止付" in text and "fixture.csv" in text
        heading = next(p for p in text.split("\f") if "团伙 G1 Gang G1" in p)
        assert "关系图 gang chart" in heading and "图例 legend" in heading  # the chart shares its heading's page
        freeze = [m["key"] for m in case["gangs"][0]["members"] if m["type"] == "card"][:1]
        assert freeze and freeze[0] in text
        fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout.splitlines()[2:]
        assert fonts and all(" yes " in f for f in fonts), fonts  # CJK font embedded (subset)
    last = audit.entries(settings["POCHUAN_DATA"], action="report", limit=1)[0]
    assert last["user"] == "督导乙" and last["case"] == "T1"
    shutil.copy(out, artifacts / "export-report.pdf")


def test_export_cluster_png_and_csv(runner, store, case, tmp_path):
    from graphsvc import analytics

    found = analytics.clusters(store, "T1")["clusters"]
    assert found, "the fixture plants a shared-device cluster"
    cluster = max(found, key=lambda c: c.get("size") or 0)
    out = tmp_path / "cluster.csv"
    res = runner.invoke(["export", "--case", "T1", "--cluster", str(cluster["id"]), "-o", str(out)])
    assert res.exit_code == 0, res.output
    import csv

    keys = {r["标识 key"] for r in csv.DictReader(open(out, encoding="utf-8-sig"))}
    assert {m["key"] for m in cluster["members"]} <= keys and {d["key"] for d in cluster["devices"]} <= keys
    res = runner.invoke(["export", "--case", "T1", "--cluster", str(cluster["id"]), "-o", str(tmp_path / "c.png")])
    assert res.exit_code == 0, res.output
    res = runner.invoke(["export", "--case", "T1", "--cluster", "NOPE", "-o", str(tmp_path / "n.png")])
    assert res.exit_code == 2 and "NOPE" in res.output
