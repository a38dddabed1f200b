"""Export a graph (gang, cluster, trace or selection) to files a supervisor can put in a case file.

Every writer takes the shared graph shape ({nodes, edges}, gangs with victims) and a meta dict
{case, date, user, title}; the case number, date and exporting user go on every output.
"""
from __future__ import annotations

import getpass
import os
from datetime import datetime
from pathlib import Path

from .errors import BadInput
from .export_style import ROLE_TIER, role_of

__all__ = ["FORMATS", "MEDIA_TYPES", "prepare", "make_meta", "export_graph", "cli_user"]

FORMATS = ("html", "svg", "png", "pdf", "graphml", "csv", "xlsx")
MEDIA_TYPES = {"html": "text/html; charset=utf-8", "svg": "image/svg+xml", "png": "image/png",
               "pdf": "application/pdf", "graphml": "application/graphml+xml",
               "csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def cli_user() -> str:
    """Return the user recorded for command-line exports: $USER, else the login name, else 'cli'."""
    try:
        return os.environ.get("USER") or getpass.getuser() or "cli"
    except Exception:  # no login name in some containers
        return "cli"


def make_meta(case: str, user: str, title: str = "", date: str | None = None) -> dict:
    """Return the meta printed on every export: case number, date, exporting user, title."""
    return {"case": case, "user": user, "title": title or f"案件 {case}",
            "date": date or datetime.now().strftime("%Y-%m-%d %H:%M")}


def _tier_key(node: dict) -> tuple:
    """Sort nodes top-to-bottom as on the chart, then by label."""
    tier = ROLE_TIER.get(role_of(node) or "", 9)
    return (tier, node.get("type") or "", str(node.get("label") or node.get("key")))


def prepare(graph: dict) -> dict:
    """Return {nodes, edges, members, victims} with victims flagged and dangling edges dropped."""
    if not isinstance(graph, dict) or "nodes" not in graph:
        raise BadInput("nothing to export: the graph has no nodes", "check the gang, cluster or selection id")
    nodes: dict[str, dict] = {}
    for n in graph.get("nodes") or []:
        nodes[n["id"]] = {**n, "props": n.get("props") or {}}
    for v in graph.get("victims") or []:
        nodes.setdefault(v["id"], {**v, "props": v.get("props") or {}, "role": None})["victim"] = True
    for n in nodes.values():
        if n.get("role") in ("受害人", "victim"):
            n["victim"], n["role"] = True, None
    if not nodes:
        raise BadInput("nothing to export: the graph is empty", "pick a gang, cluster or selection with members")
    edges = [e for e in graph.get("edges") or [] if e.get("from") in nodes and e.get("to") in nodes]
    ordered = sorted(nodes.values(), key=_tier_key)
    victims = [n for n in ordered if n.get("victim")]
    people = [n for n in victims if n.get("type") == "person"]
    return {"victim_count": len(people) or len(victims), "nodes": ordered, "edges": edges, "by_id": nodes,
            "members": [n for n in ordered if not n.get("victim")],
            "victims": [n for n in ordered if n.get("victim")],
            "truncated": bool(graph.get("truncated"))}


def export_graph(graph: dict, fmt: str, path: str | Path, meta: dict, table: str = "members") -> Path:
    """Write graph in format fmt to path and return the path."""
    if fmt not in FORMATS:
        raise BadInput(f"unknown export format {fmt!r}", f"one of {', '.join(FORMATS)}", field="format")
    chart = prepare(graph)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "html":
        from .export_html import write_html
        write_html(chart, path, meta)
    elif fmt in ("svg", "png", "pdf"):
        from .export_diagram import render
        path.write_bytes(render(chart, meta, fmt))
    elif fmt == "graphml":
        from .export_tables import write_graphml
        write_graphml(chart, path, meta)
    elif fmt == "csv":
        from .export_tables import write_csv
        write_csv(chart, path, meta, table)
    else:
        from .export_tables import write_xlsx
        write_xlsx(chart, path, meta)
    return path
