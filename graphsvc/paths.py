"""Paths between two entities: the shortest one, or all shortest ones, over chosen relationship types."""
from __future__ import annotations

from .cypher import need
from .model import type_for_label
from .neighbourhood import check_rels
from .search import get_nodes, resolve
from .shapes import edge, graph, node_id
from .store import Store

__all__ = ["paths"]

need("paths_shortest")


def _ref(x) -> tuple[str, str]:
    """Accept 'type:key' or (type, key) and return (type, key)."""
    if isinstance(x, (tuple, list)):
        return x[0], x[1]
    t, _, k = str(x).partition(":")
    return (t, k) if k else ("card", t)


def paths(store: Store, case: str, a, b, rel_types=None, all_shortest: bool = False, max_len: int = 8,
          limit: int = 50) -> dict:
    """Return the shortest path(s) between a and b (each 'type:key') as a graph plus `paths` (lists of node ids)."""
    ra, rb = resolve(store, *_ref(a)), resolve(store, *_ref(b))
    types = check_rels(rel_types)
    res = store.read("paths_shortest", a=ra["nid"], b=rb["nid"], types=types, max_len=int(max_len),
                     count=0 if all_shortest else 1, max_rows=limit)
    plist, edges, ids = [], {}, set()
    for row in res.rows:
        p = [node_id(type_for_label(n["label"]), n["key"]) for n in row["nodes"]]
        ids.update(p)
        plist.append(p)
        for r in row["rels"]:
            s = node_id(type_for_label(r["from_label"]), r["from"])
            d = node_id(type_for_label(r["to_label"]), r["to"])
            e = edges.get(f"{s}|{r['type']}|{d}") or edge(s, d, r["type"], count=0, total=0.0 if r.get("amount") is not None else None,
                                                          first=r.get("time"), last=r.get("time"))
            e["count"] += 1
            if r.get("amount") is not None:
                e["sum"] = round((e["sum"] or 0) + float(r["amount"]), 2)
            edges[e["id"]] = e
    if not all_shortest:
        plist = plist[:1]
    nodes = get_nodes(store, ids)
    return graph(nodes.values(), edges.values(), res.truncated, paths=plist,
                 length=len(plist[0]) - 1 if plist else None)
