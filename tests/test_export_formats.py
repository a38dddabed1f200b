"""Every export format opened and checked for content: names as text, no outside URL, members and roles."""
from __future__ import annotations

import csv
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import networkx as nx
import pytest
from openpyxl import load_workbook
from PIL import Image

from graphsvc.errors import BadInput
from graphsvc.export import export_graph, make_meta, prepare
from graphsvc.export_sample import sample_gang

META = make_meta("A2026-0417", "王督导", title="测试团伙 G1", date="2026-11-21 09:30")
OUTSIDE = re.compile(r"https?://(?!127\.0\.0\.1)|(?:src|href|action)\s*=\s*[\"']?//|url\(\s*[\"']?(?:https?:)?//", re.I)


@pytest.fixture(scope="module")
def gang():
    """A 60-member gang with every role, victims and devices."""
    return sample_gang(60, seed=7)


def _member_names(gang):
    return {n["label"] for n in gang["nodes"] if n["type"] == "person" and n.get("role")}


class _Page(HTMLParser):
    """Collects the tags, attributes and text of a page (a parse failure raises)."""

    def __init__(self):
        super().__init__()
        self.tags, self.cells, self.scripts_with_src, self.links = [], [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "script" and a.get("src"):
            self.scripts_with_src.append(a["src"])
        if tag in ("link", "img", "iframe") :
            self.links.append(a.get("href") or a.get("src"))

    def handle_data(self, data):
        if self.tags and self.tags[-1] == "td":
            self.cells.append(data.strip())


def test_html_is_offline_and_lists_members(gang, tmp_path, artifacts):
    path = export_graph(gang, "html", tmp_path / "g.html", META)
    text = path.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    page.close()
    assert {"html", "head", "body", "table", "script"} <= set(page.tags)
    assert not page.scripts_with_src and not page.links
    assert not OUTSIDE.search(text), OUTSIDE.search(text)
    assert "node_modules" not in text and "bootstrap" not in text.lower()
    assert _member_names(gang) <= set(page.cells)
    assert {"金主", "骨干", "卡商", "一级卡", "取现"} <= set(page.cells)
    assert "A2026-0417" in text and "王督导" in text and "new vis.Network" in text
    shutil.copy(path, artifacts / "export-gang.html")


def test_svg_has_member_names_as_text(gang, tmp_path):
    path = export_graph(gang, "svg", tmp_path / "g.svg", META)
    root = ET.parse(path).getroot()
    texts = {"".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")}
    assert _member_names(gang) <= texts
    assert {"【金主】", "【一级卡】", "【取现】"} <= texts
    joined = " ".join(texts)
    assert "A2026-0417" in joined and "王督导" in joined and "图例 legend:" in texts
    assert "Microsoft YaHei" in path.read_text(encoding="utf-8")


def _pdftotext(path):
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (APT_TEST) not installed")
def test_pdf_has_member_names_as_text_and_embeds_fonts(gang, tmp_path):
    path = export_graph(gang, "pdf", tmp_path / "g.pdf", META)
    text = _pdftotext(path)
    for name in _member_names(gang):
        assert name in text
    assert "A2026-0417" in text and "王督导" in text
    fonts = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True).stdout
    rows = [r for r in fonts.splitlines()[2:] if r.strip()]
    assert rows and all(" yes " in r for r in rows), fonts  # every font embedded


def test_png_has_expected_size_and_is_not_blank(gang, tmp_path, artifacts):
    svg = export_graph(gang, "svg", tmp_path / "g.svg", META)
    root = ET.parse(svg).getroot()
    w_pt, h_pt = (float(root.get(k).rstrip("pt")) for k in ("width", "height"))
    path = export_graph(gang, "png", tmp_path / "g.png", META)
    im = Image.open(path)
    assert im.format == "PNG"
    assert abs(im.width - w_pt * 96 / 72) <= 3 and abs(im.height - h_pt * 96 / 72) <= 3, (im.size, w_pt, h_pt)
    assert max(im.size) <= 64 * 96
    gray = im.convert("L")
    dark = sum(gray.histogram()[:200])
    assert dark / (im.width * im.height) > 0.01  # drawn, not blank
    assert len(im.convert("RGB").getcolors(1 << 24)) > 50  # role colours, not a flat fill
    shutil.copy(path, artifacts / "export-gang.png")


def test_graphml_reads_back_with_nodes_and_edges(gang, tmp_path):
    path = export_graph(gang, "graphml", tmp_path / "g.graphml", META)
    g = nx.read_graphml(path)
    chart = prepare(gang)
    assert set(g.nodes) == {n["id"] for n in chart["nodes"]}
    assert g.number_of_edges() == len(chart["edges"])
    boss = next(n for n in gang["nodes"] if n["role"] == "金主")
    assert g.nodes[boss["id"]]["role"] == "金主" and g.nodes[boss["id"]]["label"] == boss["label"]
    assert g.graph["case"] == "A2026-0417" and g.graph["user"] == "王督导"
    transfer = next(e for e in gang["edges"] if e["type"] == "TRANSFER")
    data = g.get_edge_data(transfer["from"], transfer["to"])
    data = data if g.is_multigraph() is False else next(d for d in data.values() if d["type"] == "TRANSFER")
    assert data["sum"] == pytest.approx(transfer["sum"])


def test_csv_members_and_transfers(gang, tmp_path):
    members = export_graph(gang, "csv", tmp_path / "m.csv", META)
    assert members.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 with a BOM
    rows = list(csv.DictReader(open(members, encoding="utf-8-sig")))
    got = {(r["标识 key"], r["角色 role"]) for r in rows if r["类别 kind"].startswith("成员")}
    assert got == {(n["key"], n["role"] or "") for n in gang["nodes"]}
    transfers = export_graph(gang, "csv", tmp_path / "t.csv", META, table="transfers")
    rows = list(csv.DictReader(open(transfers, encoding="utf-8-sig")))
    n_money = sum(e["type"] in ("TRANSFER", "CASH", "PAID_TO") for e in gang["edges"])
    assert len(rows) == n_money
    assert float(rows[0]["金额 sum"]) >= float(rows[-1]["金额 sum"])


def test_xlsx_sheets_with_members_roles_and_meta(gang, tmp_path):
    path = export_graph(gang, "xlsx", tmp_path / "g.xlsx", META)
    wb = load_workbook(path, read_only=True)
    assert wb.sheetnames == ["说明 info", "成员 members", "资金 transfers", "关系 links"]
    info = {r[0]: r[1] for r in wb["说明 info"].iter_rows(values_only=True)}
    assert info["案件编号 case"] == "A2026-0417" and info["导出人 exported by"] == "王督导"
    rows = list(wb["成员 members"].iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    role, key = header.index("角色 role"), header.index("标识 key")
    assert {(r[key], r[role] or "") for r in body if r[1].startswith("成员")} == {(n["key"], n["role"] or "")
                                                                            for n in gang["nodes"]}


def test_empty_graph_and_unknown_format_are_refused(tmp_path):
    with pytest.raises(BadInput):
        export_graph({"nodes": [], "edges": []}, "svg", tmp_path / "x.svg", META)
    with pytest.raises(BadInput):
        export_graph(sample_gang(20), "doc", tmp_path / "x.doc", META)


def test_victims_are_flagged_not_members(gang):
    chart = prepare(gang)
    assert len(chart["victims"]) == len(gang["victims"])
    assert not {v["id"] for v in chart["victims"]} & {m["id"] for m in chart["members"]}


def test_many_victims_grouped_per_card_on_the_chart():
    from graphsvc.export_diagram import VICTIMS_GROUPED_OVER, drawing_chart

    gang = sample_gang(200, seed=3)
    chart = prepare(gang)
    people = [v for v in chart["victims"] if v["type"] == "person"]
    assert len(people) > VICTIMS_GROUPED_OVER
    drawn = drawing_chart(chart)
    boxes = [n for n in drawn["nodes"] if n.get("victim")]
    first = {n["id"] for n in gang["nodes"] if n["role"] == "一级卡"}
    assert {b["id"].removeprefix("victims:") for b in boxes} == first
    assert sum(int(b["label"].split("人")[0]) for b in boxes) == len(people)
    assert all(e["from"] in drawn["by_id"] and e["to"] in drawn["by_id"] for e in drawn["edges"])
    assert not any(n["type"] == "report" for n in drawn["nodes"])
