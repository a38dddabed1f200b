"""The case report PDF (案件分析报告): figures, each gang's chart and member table, freeze list, sources.

HTML rendered by WeasyPrint: charts are embedded as SVG so names stay text, and the CJK font is
embedded (subset) in the PDF, which opens on any office PC.
"""
from __future__ import annotations

import base64
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from .cypher import need
from .errors import PochuanError
from .export import make_meta, prepare
from .export_sources import with_reports
from .export_style import FONT_STACK, role_of, type_name

__all__ = ["report_data", "report_html", "render_report", "write_report", "gang_section"]

need("report_batches", "report_case")
TEMPLATES = Path(__file__).parent / "templates"
SVG_UP_TO = 150  # charts up to this many nodes go in as SVG, bigger ones as PNG


def _member_rows(chart: dict) -> list[dict]:
    """Return the member table of a gang in chart order."""
    rows = []
    for n in chart["members"]:
        p = n.get("props") or {}
        extra = " ".join(x for x in (p.get("bank"), p.get("owner_name")) if x) if n.get("type") == "card" else ""
        key = n.get("key") or ""
        label = (n.get("label") or "").replace(key, "").strip() or n.get("label") or ""  # the key has its column
        rows.append({"role": role_of(n) or "", "type": type_name(n.get("type", "")), "label": label, "key": key,
                     "extra": extra})
    return rows


def _jpeg(png: bytes) -> bytes:
    """Return a PNG as JPEG, which WeasyPrint embeds as is (re-encoding a big PNG takes seconds)."""
    from io import BytesIO

    from PIL import Image

    out = BytesIO()
    Image.open(BytesIO(png)).convert("RGB").save(out, "JPEG", quality=88)
    return out.getvalue()


def gang_section(summary: dict, graph: dict | None, meta: dict) -> dict:
    """Return one gang's part of the report: figures, chart (SVG data URI) and member rows."""
    from .export_diagram import render

    graph = graph or {"nodes": summary.get("members") or [], "edges": [], "victims": summary.get("victims") or []}
    if "victims" not in graph and summary.get("victims"):
        graph = {**graph, "victims": summary["victims"]}
    chart = prepare(graph)
    out = {"id": summary.get("id"), "size": summary.get("size") or len(chart["members"]),
           "total_flow": summary.get("total_flow") or 0, "first": summary.get("first"), "last": summary.get("last"),
           "victims": [v for v in chart["victims"] if v.get("type") == "person"] or chart["victims"], "rows": _member_rows(chart), "diagram": None, "diagram_note": ""}
    gang_meta = {**meta, "title": f"团伙 {out['id']} 关系图 gang chart"}
    if len(chart["nodes"]) <= SVG_UP_TO:  # vector, names stay text; WeasyPrint draws it with the installed font
        out["diagram"] = "data:image/svg+xml;base64," + base64.b64encode(
            render(chart, gang_meta, "svg", font_stack=False)).decode()
    else:  # WeasyPrint takes minutes on a 500-node SVG: a bitmap; names are in the member table as text
        out["diagram"] = "data:image/jpeg;base64," + base64.b64encode(_jpeg(render(chart, gang_meta, "png", dpi=60))).decode()
        out["diagram_note"] = "大图为位图，成员见下表 large chart as an image; members are listed in the table"
    return out


def _short(values: list, keep: int = 3) -> str:
    """Join a list with 、, keeping the first few and the count of the rest (a cell stays one or two lines)."""
    values = [str(v) for v in values or []]
    more = f" 等{len(values)}个" if len(values) > keep else ""
    return "、".join(values[:keep]) + more


def _cells(row: dict, columns) -> list:
    """Return a freeze-list row's cells in column order, lists shortened, report keys counted."""
    out = []
    for c, _ in columns:
        v = row.get(c)
        if c == "reports" and isinstance(v, list):
            out.append(f"{len(v)} 起")
        elif isinstance(v, list):
            out.append(_short(v))
        elif isinstance(v, float):
            out.append(f"{v:,.2f}")
        else:
            out.append("" if v is None else v)
    return out


def report_data(store, case: str, user: str, max_gangs: int = 20) -> dict:
    """Collect everything the report shows from the store and the analytics."""
    from . import analytics
    from .freeze import FREEZE_COLUMNS
    from .stats import case_stats

    row = store.read("report_case", case=case).rows
    meta = make_meta(case, user, title=(row[0].get("title") if row else "") or f"案件 {case}")
    found = sorted((analytics.gangs(store, case) or {}).get("gangs") or [],
                   key=lambda g: (-(g.get("size") or 0), str(g.get("id"))))
    details = []
    for g in found[:max_gangs]:
        try:
            graph = with_reports(store, case, analytics.gang(store, case, g["id"]))
        except PochuanError:
            graph = None
        details.append(gang_section(g, graph, meta))
    freeze = analytics.freeze_list(store, case).get("rows") or []
    return {"meta": meta, "stats": case_stats(store, case), "gangs": found, "details": details,
            "more_gangs": max(0, len(found) - max_gangs),
            "gang_members": sum(g.get("size") or 0 for g in found),
            "freeze": [_cells(r, FREEZE_COLUMNS) for r in freeze], "freeze_columns": FREEZE_COLUMNS,
            "batches": store.read("report_batches", case=case, limit=1000).rows,
            "notes": "团伙、角色与止付清单由破串自动分析得出，供研判参考，需经侦查核实。"
                     " Gangs, roles and the freeze list are computed leads for investigators to verify."}


def report_html(data: dict) -> str:
    """Return the report as HTML."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    return env.get_template("report.html").render(font_stack=Markup(FONT_STACK), **data)


def render_report(data: dict, path: Path) -> dict:
    """Write the report PDF and return {pages, gangs, file}."""
    from weasyprint import HTML

    doc = HTML(string=report_html(data), base_url=str(TEMPLATES)).render()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    doc.write_pdf(path)
    return {"pages": len(doc.pages), "gangs": len(data["gangs"]), "file": str(path)}


def write_report(store, case: str, path: Path, user: str, max_gangs: int = 20) -> dict:
    """Write the case report of a case to path."""
    return render_report(report_data(store, case, user, max_gangs), path)
