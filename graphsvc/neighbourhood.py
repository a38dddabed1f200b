"""Neighbourhood: k-hop expansion around an entity, filtered by type, time window and amount, capped."""
from __future__ import annotations

import calendar
from datetime import datetime

from .cypher import need
from .errors import BadInput
from .search import get_nodes, resolve
from .shapes import edge, graph, keys_by_label, node_id
from .model import type_for_label
from .store import Store

__all__ = ["neighbourhood", "expand", "to_ts", "INVESTIGATIVE_RELS", "TS_MIN", "TS_MAX"]

need("expand")

# Relationship types an investigator follows (IN_CASE, OF_CASE, LISTED only record provenance).
INVESTIGATIVE_RELS = ("OWNS", "HOLDS", "USES", "RESERVED", "TRANSFER", "CASH", "FILED", "PAID_FROM", "PAID_TO")
TS_MIN, TS_MAX = -(2 ** 53), 2 ** 53


def to_ts(value, default: int) -> int:
    """Turn 'YYYY-MM-DD[ HH:MM:SS]', an int or None into wall-clock seconds (the model's `ts`)."""
    if value is None or value == "":
        return default
    if isinstance(value, (int, float)):
        return int(value)
    s = str(value).strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"):
        try:
            return calendar.timegm(datetime.strptime(s, fmt).timetuple())
        except ValueError:
            continue
    if s.lstrip("-").isdigit():
        return int(s)
    raise BadInput(f"cannot read the time {value!r}", "write it as YYYY-MM-DD or YYYY-MM-DD HH:MM:SS", "time")


def check_rels(rel_types) -> list[str]:
    """Return the relationship types to follow, refusing names outside the investigative set."""
    if not rel_types:
        return list(INVESTIGATIVE_RELS)
    types = [t.strip().upper() for t in (rel_types.split(",") if isinstance(rel_types, str) else rel_types) if t.strip()]
    bad = [t for t in types if t not in INVESTIGATIVE_RELS]
    if bad:
        raise BadInput(f"unknown relationship type(s) {', '.join(bad)}", f"use {', '.join(INVESTIGATIVE_RELS)}", "rel_types")
    return types


def expand(store: Store, case: str, ids, types, since=TS_MIN, until=TS_MAX, min_amount=0.0, limit=5000):
    """Return aggregated edge rows around a set of node ids (one query, one UNWIND branch per label)."""
    res = store.read("expand", max_rows=limit, case=case, types=list(types), since=since, until=until,
                     min_amount=float(min_amount), limit=limit, **keys_by_label(ids))
    rows = []
    for r in res.rows:
        a = node_id(type_for_label(r["nlabel"]), r["nkey"])
        b = node_id(type_for_label(r["mlabel"]), r["mkey"])
        rows.append({**r, "a": a, "b": b, "src": a if r["out"] else b, "dst": b if r["out"] else a})
    return rows, res.truncated


def neighbourhood(store: Store, case: str, type: str, key: str, hops: int = 1, rel_types=None, since=None,
                  until=None, min_amount: float = 0, node_cap: int = 300) -> dict:
    """Expand hop by hop from one entity, keeping at most node_cap nodes; `truncated` says some were left."""
    row = resolve(store, type, key)
    start = node_id(type_for_label(row["label"]), row["key"])
    types = check_rels(rel_types)
    hops, node_cap = max(1, min(int(hops), 6)), max(1, min(int(node_cap), 5000))
    lo, hi = to_ts(since, TS_MIN), to_ts(until, TS_MAX)
    depth, edges, frontier, truncated = {start: 0}, {}, [start], False
    for hop in range(1, hops + 1):
        if not frontier:
            break
        rows, cut = expand(store, case, frontier, types, lo, hi, min_amount, limit=node_cap * 8)
        truncated |= cut
        nxt = []
        for r in rows:
            other = r["b"]
            if other not in depth:
                if len(depth) >= node_cap:
                    truncated = True
                    continue
                depth[other] = hop
                nxt.append(other)
            e = edge(r["src"], r["dst"], r["type"], count=r["count"], total=r["total"], first=r["first"], last=r["last"])
            edges[e["id"]] = e
        frontier = nxt
    nodes = get_nodes(store, depth)
    for nid, n in nodes.items():
        n["layer"] = depth[nid]
    return graph(nodes.values(), edges.values(), truncated, center=start)
