"""Gangs from fund flows alone, for cases with no victim reports, owners or devices (e.g. AMLSim bank data).

Seeded (打一个破一串 from one account): the seed, every account it traded with directly, and every account
on a money loop that leaves the seed and comes back to it within `window_days` of the leaving transfer
(at most `loop_hops` transfers, breadth first, one path kept per account; the order inside the window is
free, as laundering loops are not always in time order). Whole case: transfers fetched with portable Cypher, hubs (more than `card_hub` distinct
counterparties) removed, then communities by Louvain modularity (networkx), which runs the same on
Neo4j; FalkorDB's algo.WCC / algo.labelPropagation filter only by label and type, so they cannot leave
out hub accounts by identity, and everything would merge through the hubs.
"""
from __future__ import annotations

from collections import defaultdict

from .cypher import need
from .neighbourhood import expand
from .search import get_nodes, normalise_query
from .shapes import node_id
from .store import Store

__all__ = ["flow_gangs", "seed_gang", "partition", "FLOW_DEFAULTS"]

need("flow_pairs", "trace_down", "expand")

FLOW_DEFAULTS = {"window_days": 20, "loop_hops": 10, "card_hub": 60, "min_size": 3, "max_gangs": 200}


def _loops(store: Store, case: str, seed: str, first: list[dict], window: int, hops: int) -> set[str]:
    """Return accounts on money loops from the seed back to it, each within the window of its first transfer."""
    win = {}
    for t in first:
        lo, hi = int(t["ts"]) - window, int(t["ts"]) + window
        a, b = win.get(t["dst"], (lo, hi))
        win[t["dst"]] = (min(a, lo), max(b, hi))
    frontier, parent, closing = list(win), {k: None for k in win}, set()
    for _ in range(hops):
        if not frontier:
            break
        fr = [{"key": k, "lo": win[k][0], "hi": win[k][1]} for k in frontier]
        rows = store.read("trace_down", case=case, frontier=fr, min_amount=0.0, limit=500000, max_rows=500000).rows
        nxt = []
        for t in rows:
            s, d = t["src"], t["dst"]
            if d == seed:
                closing.add(s)
            elif d not in parent:
                parent[d], win[d] = s, win[s]
                nxt.append(d)
            else:
                win[d] = (min(win[d][0], win[s][0]), max(win[d][1], win[s][1]))
        frontier = nxt
    on_loop = set()
    for x in closing:
        while x is not None and x not in on_loop and x != seed:
            on_loop.add(x)
            x = parent.get(x)
    return on_loop


def seed_gang(store: Store, case: str, seed: str, opts: dict) -> dict:
    """Return the accounts reached from one seed account by direct trade and loops back to it."""
    key = normalise_query(seed.partition(":")[2] if seed.startswith("card:") else seed)
    rows, _ = expand(store, case, [node_id("card", key)], ["TRANSFER"], limit=100000)
    direct = {r["b"].partition(":")[2] for r in rows}
    first = store.read("trace_down", case=case, frontier=[{"key": key, "lo": -(2 ** 53), "hi": 2 ** 53}],
                       min_amount=0.0, limit=100000, max_rows=100000).rows
    loops = _loops(store, case, key, first, int(opts["window_days"]) * 86400, int(opts["loop_hops"]))
    return _gang(store, {key} | direct | loops, rows, {"direct": len(direct), "on_loops": len(loops)})


def _gang(store: Store, cards: set[str], rows, extra: dict) -> dict:
    """Build a gang dict from card keys (roles are unknown from flows alone)."""
    info = get_nodes(store, [node_id("card", k) for k in cards])
    members = [info.get(node_id("card", k)) or {"id": node_id("card", k), "type": "card", "key": k, "role": None}
               for k in sorted(cards)]
    times = [r.get("first") for r in rows if r.get("first")] + [r.get("last") for r in rows if r.get("last")]
    return {"members": members, "victims": [], "size": len(members),
            "total_flow": round(sum(float(r.get("total") or 0) for r in rows), 2),
            "first": min(times) if times else None, "last": max(times) if times else None, **extra}


def partition(pairs: list[dict], card_hub: int, min_size: int) -> list[set[str]]:
    """Cut hub accounts, then split the transfer graph into Louvain communities (networkx)."""
    import networkx as nx

    g = nx.Graph()
    for p in pairs:
        if p["src"] == p["dst"]:
            continue
        w = float(p["total"] or 0)
        if g.has_edge(p["src"], p["dst"]):
            g[p["src"]][p["dst"]]["weight"] += w
        else:
            g.add_edge(p["src"], p["dst"], weight=w)
    g.remove_nodes_from([n for n, d in g.degree() if d > card_hub])
    parts = []
    for comp in nx.connected_components(g):
        if len(comp) < min_size:
            continue
        sub = g.subgraph(comp)
        parts += [set(c) for c in nx.community.louvain_communities(sub, weight="weight", seed=1) if len(c) >= min_size]
    return parts


def flow_gangs(store: Store, case: str, seeds=None, **opts) -> dict:
    """Return flow-only gangs: per seed, or the whole case partitioned with hubs cut."""
    o = {**FLOW_DEFAULTS, **{k: v for k, v in opts.items() if k in FLOW_DEFAULTS}}
    if seeds:
        out = []
        for i, s in enumerate(seeds, 1):
            g = seed_gang(store, case, s, o)
            g.update(id=f"S{i}", seed=s)
            out.append(g)
        return {"gangs": out, "case": case, "mode": "flows"}
    pairs = store.read("flow_pairs", case=case, max_rows=5_000_000, timeout_ms=120000).rows
    parts = partition(pairs, int(o["card_hub"]), int(o["min_size"]))
    by_card = defaultdict(list)
    for p in pairs:
        by_card[p["src"]].append(p)
    gangs = []
    for part in parts:
        rows = [p for k in part for p in by_card.get(k, []) if p["dst"] in part]
        gangs.append((sum(float(r["total"] or 0) for r in rows), part, rows))
    gangs.sort(key=lambda x: -x[0])
    out = []
    for i, (_, part, rows) in enumerate(gangs[: int(o["max_gangs"])], 1):
        g = _gang(store, part, rows, {})
        g["id"] = f"G{i}"
        out.append(g)
    return {"gangs": out, "case": case, "mode": "flows", "truncated": len(gangs) > int(o["max_gangs"])}
