"""Exports of a real gang from the small demo case (generated, loaded by the loaders, found by the analytics)."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from openpyxl import load_workbook

from loaders.demo import generate

load_files = pytest.importorskip("loaders.api").load_files
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    """The small demo case of seed 1, written once for the module."""
    out = tmp_path_factory.mktemp("demo-export")
    generate(out, "small", 1)
    return out


@pytest.fixture
def demo(store, demo_dir, tmp_path):
    """The demo case loaded into the test's graph; returns its truth."""
    truth = json.loads((demo_dir / "truth.json").read_text("utf-8"))
    load_files(store, truth["case"], [demo_dir / e["file"] for e in truth["files"]], data_dir=tmp_path)
    return truth


def _biggest(store, case):
    from graphsvc import analytics

    found = analytics.gangs(store, case)["gangs"]
    assert found, "the demo case has planted gangs"
    return max(found, key=lambda g: g.get("size") or 0)


def test_demo_gang_in_every_format(runner, store, demo, tmp_path, artifacts, settings):
    case = demo["case"]
    gang = _biggest(store, case)
    from graphsvc.export_sources import fetch

    from graphsvc.export import prepare

    graph = fetch(store, case, "gang", gang["id"])
    members = prepare(graph)["members"]  # victims may be grouped on the chart; members never are
    people = {n["props"].get("name") for n in members if n["type"] == "person" and n.get("role")} - {None}
    assert people
    out = {}
    for fmt in ("html", "svg", "png", "pdf", "graphml", "csv", "xlsx"):
        out[fmt] = tmp_path / f"demo-gang.{fmt}"
        res = runner.invoke(["export", "--case", case, "--gang", str(gang["id"]), "-o", str(out[fmt]),
                             "--user", "督导丙"])
        assert res.exit_code == 0, (fmt, res.output)
    svg_text = " ".join("".join(t.itertext()) for t in ET.parse(out["svg"]).getroot().iter(
        "{http://www.w3.org/2000/svg}text"))
    assert all(p in svg_text for p in people)
    html = out["html"].read_text(encoding="utf-8")
    assert all(p in html for p in people) and not re.search(r"https?://", html)
    g = nx.read_graphml(out["graphml"])
    assert g.number_of_nodes() >= len(graph["nodes"]) and g.number_of_edges() >= len(graph["edges"])
    roles = {r[2] for r in load_workbook(out["xlsx"], read_only=True)["成员 members"].iter_rows(min_row=2,
                                                                                               values_only=True)}
    assert {"一级卡", "卡农"} <= roles
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out["pdf"]), "-"], capture_output=True, text=True).stdout
        assert all(p in text for p in people) and "督导丙" in text
    shutil.copy(out["png"], artifacts / "export-demo-gang.png")
    shutil.copy(out["html"], artifacts / "export-demo-gang.html")


def test_demo_case_report(runner, store, demo, tmp_path, artifacts):
    out = tmp_path / "demo-report.pdf"
    res = runner.invoke(["report", "--case", demo["case"], "-o", str(out), "--json"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["gangs"] >= len(demo["gangs"]) - 1 and info["pages"] >= 3
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
        assert demo["case"] in text and "止付" in text
        flat = re.sub(r"\s", "", text)  # long names wrap inside table cells
        assert all(re.sub(r"\s", "", e["file"]) in flat for e in demo["files"])  # sources: every file loaded
    shutil.copy(out, artifacts / "export-demo-report.pdf")
