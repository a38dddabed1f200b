"""`pochuan export` and `pochuan report`: files for the case folder, each one written to the audit trail."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import audit
from .cliutil import app_store, emit, json_option, say
from .errors import BadInput
from .export import FORMATS, cli_user, export_graph, make_meta
from .export_sources import fetch, read_selection, title_for
from .export_tables import TABLES

__all__ = ["register"]


def _what(kind: str, ref, fmt: str, path: Path, graph: dict) -> dict:
    """Return the audit entry of an export: what was exported, how, where, how big."""
    return {"kind": kind, "id": ref if kind != "selection" else f"{len(ref)} nodes", "format": fmt,
            "file": str(path), "nodes": len(graph.get("nodes") or []), "edges": len(graph.get("edges") or []),
            "via": "cli"}


@click.command("export")
@click.option("--case", "case", required=True, help="Case number (案件编号).")
@click.option("--gang", "gang", help="Gang id (团伙), e.g. G1.")
@click.option("--cluster", "cluster", help="Shared-device cluster id (设备聚类).")
@click.option("--trace", "trace", help="Card number to trace money from (资金追踪).")
@click.option("--direction", type=click.Choice(["down", "up"]), default="down", show_default=True,
              help="Trace downstream (下游) or upstream (上游).")
@click.option("--hops", type=int, default=4, show_default=True, help="Trace depth.")
@click.option("--selection", "selection", type=click.Path(exists=True, dir_okay=False),
              help="JSON file of node ids (a list, {\"ids\": [...]}, or a graph with nodes).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), help="Output format; default from the -o suffix.")
@click.option("--table", type=click.Choice(list(TABLES)), default="members", show_default=True,
              help="Which table a CSV holds (XLSX holds all three).")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="File to write.")
@click.option("--title", default="", help="Chart title (default from what is exported).")
@click.option("--user", default=None, help="Exporting user shown on the chart and in the audit (default $USER).")
@json_option
@with_appcontext
def export_command(case, gang, cluster, trace, direction, hops, selection, fmt, table, output, title, user, as_json):
    """Export a gang, cluster, trace or selection as html, svg, png, pdf, graphml, csv or xlsx."""
    chosen = [(k, v) for k, v in (("gang", gang), ("cluster", cluster), ("trace", trace), ("selection", selection))
              if v]
    if len(chosen) != 1:
        raise BadInput("say what to export", "give exactly one of --gang, --cluster, --trace, --selection")
    kind, ref = chosen[0]
    path = Path(output)
    fmt = fmt or path.suffix.lstrip(".").lower()
    if fmt not in FORMATS:
        raise BadInput(f"cannot tell the format of {output}", f"add --format ({', '.join(FORMATS)})")
    if kind == "selection":
        ref = read_selection(ref)
    options = {"direction": direction, "hops": hops} if kind == "trace" else {}
    graph = fetch(app_store(), case, kind, ref, **options)
    user = user or cli_user()
    meta = make_meta(case, user, title or title_for(kind, ref))
    export_graph(graph, fmt, path, meta, table=table)
    what = _what(kind, ref, fmt, path, graph)
    if fmt == "csv":
        what["table"] = table
    audit.record(current_app.config["POCHUAN_DATA"], user, "export", case, what)
    emit(what, as_json, lambda d: say(f"已导出 exported {d['kind']} {d['id']} ({d['nodes']} nodes) → {d['file']}"))


@click.command("report")
@click.option("--case", "case", required=True, help="Case number (案件编号).")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False), help="PDF file to write.")
@click.option("--max-gangs", type=int, default=20, show_default=True, help="Gangs given a chart and a table.")
@click.option("--user", default=None, help="Exporting user printed on the report (default $USER).")
@json_option
@with_appcontext
def report_command(case, output, max_gangs, user, as_json):
    """Write the case report PDF: figures, each gang's chart and members, the freeze list, the sources."""
    from .report import write_report

    user = user or cli_user()
    summary = write_report(app_store(), case, Path(output), user, max_gangs=max_gangs)
    what = {"kind": "report", "file": str(output), "gangs": summary["gangs"], "pages": summary["pages"],
            "via": "cli"}
    audit.record(current_app.config["POCHUAN_DATA"], user, "report", case, what)
    emit(what, as_json, lambda d: say(f"已生成报告 report written: {d['file']} ({d['pages']} pages, "
                                      f"{d['gangs']} gangs)"))


def register(cli: click.Group) -> None:
    """Add these commands to the `pochuan` group."""
    cli.add_command(export_command)
    cli.add_command(report_command)
