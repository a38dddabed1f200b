"""What can be exported, fetched as one graph: a gang, a shared-device cluster, a trace, or a selection.

The CLI and the web blueprint both call `fetch(store, case, kind, ref)` so they export the same thing.
"""
from __future__ import annotations

import json
from pathlib import Path

from .errors import BadInput, NotFound
from .model import ENTITY_TYPES, RELS

__all__ = ["KINDS", "fetch", "selection_graph", "read_selection", "title_for", "with_reports", "MAX_SELECTION"]

KINDS = ("gang", "cluster", "trace", "selection")
MAX_SELECTION = 5000
_LINKS = [r for r in RELS if r not in ("IN_CASE", "OF_CASE", "LISTED")]


def title_for(kind: str, ref) -> str:
    """Return the chart title of an export, Chinese first."""
    if kind == "gang":
        return f"团伙 {ref} 关系图 gang chart"
    if kind == "cluster":
        return f"设备聚类 {ref} 关系图 shared-device cluster"
    if kind == "trace":
        return f"资金追踪 {ref} money trace"
    return f"选定节点 selection ({len(ref)})"


def _check_ids(ids) -> list[str]:
    """Return node ids as 'type:key' strings, refusing unknown types and oversized selections."""
    if not isinstance(ids, (list, tuple)) or not ids:
        raise BadInput("the selection is empty", "select some nodes (ids like card:6222...)", field="ids")
    if len(ids) > MAX_SELECTION:
        raise BadInput(f"{len(ids)} nodes selected", f"at most {MAX_SELECTION} per export", field="ids")
    out = []
    for nid in ids:
        t, _, k = str(nid).partition(":")
        if t not in ENTITY_TYPES or not k:
            raise BadInput(f"bad node id {nid!r}", "ids look like card:6222..., person:110101...", field="ids")
        out.append(f"{t}:{k}")
    return list(dict.fromkeys(out))


def read_selection(path: str | Path) -> list[str]:
    """Read node ids from a JSON file: a list of ids, {"ids": [...]}, or a graph with "nodes"."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise BadInput(f"cannot read selection file {path}: {e}", "give a JSON list of node ids") from None
    if isinstance(data, dict):
        data = data.get("ids") or [n.get("id") for n in data.get("nodes") or [] if isinstance(n, dict)]
    return _check_ids(data)


def selection_graph(store, case: str, ids) -> dict:
    """Return the selected nodes and the links of the case between them."""
    from .neighbourhood import expand
    from .search import get_nodes
    from .shapes import edge, graph

    ids = _check_ids(ids)
    nodes = get_nodes(store, ids)
    if not nodes:
        raise NotFound("none of the selected nodes is in the store", "refresh the workbench and select again")
    rows, truncated = expand(store, case, list(nodes), _LINKS, limit=max(5000, 20 * len(nodes)))
    edges = [edge(r["src"], r["dst"], r["type"], count=r["count"], total=r["total"], first=r["first"],
                  last=r["last"]) for r in rows if r["src"] in nodes and r["dst"] in nodes]
    return graph(nodes.values(), edges, truncated)


def _cluster_graph(store, case: str, cluster_id: str) -> dict:
    """Return one shared-device cluster as a graph: its members, devices and the links between them."""
    from . import analytics

    found = (analytics.clusters(store, case) or {}).get("clusters") or []
    cluster = next((c for c in found if str(c.get("id")) == str(cluster_id)), None)
    if cluster is None:
        raise NotFound(f"no cluster {cluster_id} in case {case}", "list them with `pochuan clusters --case ...`")
    members = {n["id"]: n for n in (cluster.get("members") or []) + (cluster.get("devices") or [])}
    g = selection_graph(store, case, list(members))
    for n in g["nodes"]:  # keep the cluster's own annotations (roles)
        n["role"] = members.get(n["id"], {}).get("role") or n.get("role")
    return g


def with_reports(store, case: str, graph: dict) -> dict:
    """Add the victims' reports (报案) that paid the graph's cards, so charts link victims to 一级卡."""
    from .search import get_nodes
    from .shapes import edge
    from .trace import report_rows

    ids = {n["id"] for n in graph["nodes"]} | {v["id"] for v in graph.get("victims") or []}
    rows = [r for r in report_rows(store, case) if r.get("to_card") and f"card:{r['to_card']}" in ids]
    if not rows:
        return graph
    reports = get_nodes(store, [f"report:{r['key']}" for r in rows])
    edges = []
    for r in rows:
        rid = f"report:{r['key']}"
        edges.append(edge(rid, f"card:{r['to_card']}", "PAID_TO", total=r.get("amount"), first=r.get("time"),
                          last=r.get("time")))
        if r.get("victim") and f"person:{r['victim']}" in ids:
            edges.append(edge(f"person:{r['victim']}", rid, "FILED"))
    victims = list(graph.get("victims") or []) + [n for n in reports.values() if n["id"] not in ids]
    return {**graph, "victims": victims, "edges": list(graph["edges"]) + edges}


def fetch(store, case: str, kind: str, ref, **options) -> dict:
    """Return the graph to export: kind is gang, cluster, trace (ref = card) or selection (ref = ids)."""
    from . import analytics

    if kind == "gang":
        g = with_reports(store, case, analytics.gang(store, case, ref))
    elif kind == "cluster":
        g = _cluster_graph(store, case, ref)
    elif kind == "trace":
        g = analytics.trace(store, case, ref, **options)
    elif kind == "selection":
        g = selection_graph(store, case, ref)
    else:
        raise BadInput(f"unknown export kind {kind!r}", f"one of {', '.join(KINDS)}", field="kind")
    if not g or not g.get("nodes"):
        raise NotFound(f"{kind} {ref if kind != 'selection' else ''} has nothing to export in case {case}",
                       "check the id and the case number")
    return g
