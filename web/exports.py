"""Exports for supervisors (督导) and admins: gang, cluster, trace, selection, freeze list and case report files.

    GET  /api/cases/<case>/export?what=gang|cluster|trace&id=...&format=pdf|png|svg|html|graphml|csv|xlsx
    GET  /api/cases/<case>/export?what=freeze&format=xlsx|csv
    GET  /api/cases/<case>/export?what=report          (also /api/cases/<case>/report)
    POST /api/cases/<case>/export  {"what": "selection", "ids": [...], "format": "..."}  (the workbench selection)
Each answer is a file download; each export is written to the audit trail with the user and IP.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from flask import Blueprint, current_app, request, send_file

from graphsvc.export import FORMATS, MEDIA_TYPES, export_graph, make_meta
from graphsvc.export_sources import fetch, title_for
from graphsvc.export_tables import TABLES
from graphsvc.store import get_store

from .auth import EXPORT_ROLES, audit, case_access, current_user, role_required
from .errors import ApiError

__all__ = ["bp"]

bp = Blueprint("exports", __name__, url_prefix="/api")
PREFIX = "/cases/<case>"
WHATS = ("gang", "cluster", "trace", "selection", "freeze", "report")


def _store():
    """Return the process's store."""
    return get_store(current_app.config)


def _param(data: dict, name: str, choices=None, default=None, required=False) -> str | None:
    """Return a request value, 400 naming the field when missing or not one of the choices."""
    value = data.get(name, default)
    value = value.strip() if isinstance(value, str) else value
    if required and not value:
        raise ApiError(400, f"缺少参数 missing {name}", "invalid", name)
    if value and choices and value not in choices:
        raise ApiError(400, f"{name} 应为 must be one of {', '.join(choices)}", "invalid", name)
    return value


def _download(path: Path, name: str, media: str):
    """Send a written file as an attachment, read into memory so the temporary folder can go."""
    from io import BytesIO

    return send_file(BytesIO(path.read_bytes()), mimetype=media, as_attachment=True, download_name=name)


def _safe(text: str) -> str:
    """Return text usable in a file name."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in str(text))[:60]


def _graph_export(case: str, what: str, ref, data: dict):
    """Export a gang, cluster, trace or selection in the asked format."""
    fmt = _param(data, "format", FORMATS, default="pdf")
    table = _param(data, "table", list(TABLES), default="members")
    options = {}
    if what == "trace":
        options["direction"] = _param(data, "direction", ("down", "up"), default="down")
        try:
            options["hops"] = max(1, min(int(data.get("hops") or 4), 8))
        except (TypeError, ValueError):
            raise ApiError(400, "hops 应为整数 must be a whole number", "invalid", "hops") from None
    graph = fetch(_store(), case, what, ref, **options)
    user = current_user()["name"]
    meta = make_meta(case, user, title_for(what, ref))
    with tempfile.TemporaryDirectory(prefix="pochuan-export-") as tmp:
        out = export_graph(graph, fmt, Path(tmp) / f"export.{fmt}", meta, table=table)
        audit("export", case, {"kind": what, "id": ref if what != "selection" else f"{len(ref)} nodes",
                               "format": fmt, "nodes": len(graph["nodes"]), "edges": len(graph["edges"]),
                               **({"table": table} if fmt == "csv" else {}), "via": "web"})
        label = ref if what != "selection" else f"{len(ref)}"
        return _download(out, f"{_safe(case)}-{what}-{_safe(label)}.{fmt}", MEDIA_TYPES[fmt])


def _freeze_export(case: str, data: dict):
    """Export the freeze list (止付清单) as XLSX or CSV."""
    from graphsvc import analytics

    fmt = _param(data, "format", ("xlsx", "csv"), default="xlsx")
    res = analytics.freeze_list(_store(), case)
    with tempfile.TemporaryDirectory(prefix="pochuan-export-") as tmp:
        out = analytics.write_freeze(res, Path(tmp) / f"freeze.{fmt}")
        audit("export", case, {"kind": "freeze", "format": fmt, "rows": len(res.get("rows") or []), "via": "web"})
        return _download(Path(out), f"{_safe(case)}-止付清单.{fmt}", MEDIA_TYPES[fmt])


def _report(case: str):
    """Write the case report PDF."""
    from graphsvc.report import write_report

    with tempfile.TemporaryDirectory(prefix="pochuan-report-") as tmp:
        path = Path(tmp) / "report.pdf"
        info = write_report(_store(), case, path, current_user()["name"])
        audit("report", case, {"kind": "report", "gangs": info["gangs"], "pages": info["pages"], "via": "web"})
        return _download(path, f"{_safe(case)}-案件分析报告.pdf", MEDIA_TYPES["pdf"])


@bp.get(PREFIX + "/export")
@role_required(*EXPORT_ROLES)
def export_get(case):
    """Download an export of a gang, cluster, trace, the freeze list or the case report."""
    case = case_access(case)
    data = request.args.to_dict()
    what = _param(data, "what", [w for w in WHATS if w != "selection"], required=True)
    if what == "freeze":
        return _freeze_export(case, data)
    if what == "report":
        return _report(case)
    ref = _param(data, "id", required=True)
    return _graph_export(case, what, ref, data)


@bp.post(PREFIX + "/export")
@role_required(*EXPORT_ROLES)
def export_post(case):
    """Download an export of the workbench's current selection (node ids in a JSON body)."""
    case = case_access(case)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiError(400, "请求体应为 JSON body must be JSON {what, ids, format}", "invalid", "body")
    what = _param(data, "what", WHATS, default="selection")
    if what == "freeze":
        return _freeze_export(case, data)
    if what == "report":
        return _report(case)
    if what != "selection":
        return _graph_export(case, what, _param(data, "id", required=True), data)
    ids = data.get("ids")
    if not isinstance(ids, list) or not ids:
        raise ApiError(400, "请先选择节点 select some nodes first", "invalid", "ids")
    return _graph_export(case, "selection", ids, data)


@bp.get(PREFIX + "/report")
@role_required(*EXPORT_ROLES)
def report(case):
    """Download the case report PDF."""
    return _report(case_access(case))
