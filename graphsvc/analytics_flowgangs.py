"""Gangs from fund flows alone, for cases with no victim reports, owners or devices (e.g. AMLSim bank data).

Seeded (打一个破一串 from one account), four steps over transfers fetched by Cypher:
1. Direct: the seed's counterparties that are not busy themselves (at most `direct_degree` distinct
   counterparties); a merchant or payroll account the seed also paid is left out, and so is a regular
   partner (`regular_transfers` or more transfers with the seed and more than `mule_degree` counterparties
   of its own: salary, rent, a supplier), unless one of the chains or bridges below hangs off it.
2. Mules: accounts reached from the seed through accounts with few counterparties (at most `mule_degree`,
   up to `chain_hops` steps): a chain of accounts that only pass money along.
3. Bridges: a busy account that sits on a gang chain (it trades, within `bridge_days`, with two gang
   mules, or leads through `bridge_hops` mule-like accounts to another gang member) joins with that
   chain; a loop may close back into the seed only from a mule that is not the seed's own counterparty.
4. Chains: a run of at least `chain_min` mule-like accounts passing money on within `bridge_days` from a
   gang member with more than `mule_degree` but at most `direct_degree` counterparties (a laundering
   loop whose closing transfer is missing).
Loops are not required to be in time order (laundering cycles often are not), and a loop missing one
transfer is still found as a chain. Whole case: transfers fetched with portable Cypher, hubs (more than
`card_hub` distinct counterparties) removed, then communities by Louvain modularity (networkx), which
runs the same on Neo4j; FalkorDB's algo.WCC / algo.labelPropagation filter only by label and type, so
they cannot leave out hub accounts by identity, and everything would merge through the hubs.
"""
from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

from .cypher import need
from .neighbourhood import expand
from .search import get_nodes, normalise_query
from .shapes import node_id
from .store import Store

__all__ = ["flow_gangs", "seed_gang", "partition", "FLOW_DEFAULTS"]

need("flow_pairs", "flow_card_links", "flow_card_degree", "expand")

FLOW_DEFAULTS = {"direct_degree": 20, "regular_transfers": 4, "mule_degree": 5, "chain_hops": 12, "chain_min": 4,
                 "bridge_days": 14, "bridge_hops": 4,
                 "card_hub": 60, "min_size": 3, "max_gangs": 200}
_BATCH = 2000


class _Flows:
    """Transfer links and counterparty counts of cards, fetched by Cypher in batches and kept."""

    def __init__(self, store: Store, case: str):
        self.store, self.case, self.links, self.deg = store, case, {}, {}

    def fetch(self, keys) -> None:
        """Fetch the counterparties (with transfer times) of cards not fetched yet."""
        todo = sorted({k for k in keys if k not in self.links})
        for i in range(0, len(todo), _BATCH):
            part = todo[i:i + _BATCH]
            for k in part:
                self.links[k] = {}
            rows = self.store.read("flow_card_links", case=self.case, keys=part, limit=2_000_000,
                                   max_rows=2_000_000, timeout_ms=60000).rows
            for r in rows:
                self.links[r["key"]][r["other"]] = sorted(int(t) for t in r["times"] if t is not None)
        for k in todo:  # the counterparty count comes free with the links
            self.deg[k] = len(self.links[k])

    def degrees(self, keys) -> None:
        """Count the distinct counterparties of cards not counted yet."""
        todo = sorted({k for k in keys if k not in self.deg})
        for i in range(0, len(todo), _BATCH):
            part = todo[i:i + _BATCH]
            got = {r["key"]: int(r["degree"]) for r in self.store.read(
                "flow_card_degree", case=self.case, keys=part, max_rows=len(part) + 1, timeout_ms=60000).rows}
            self.deg.update({k: got.get(k, 0) for k in part})

    def near(self, a: str, b: str, lo: int, hi: int) -> bool:
        """Tell whether a and b traded within [lo, hi]."""
        times = self.links.get(a, {}).get(b, ())
        i = bisect_left(times, lo)
        return i < len(times) and times[i] <= hi


def _mules(fl: _Flows, seed: str, low: int, hops: int) -> set[str]:
    """Return accounts reached from the seed through accounts with at most `low` counterparties."""
    found, frontier = {seed}, [seed]
    for _ in range(hops):
        fl.fetch(frontier)
        cand = {o for k in frontier for o in fl.links[k] if o not in found}
        fl.degrees(cand)
        frontier = [o for o in cand if fl.deg[o] <= low]
        found.update(frontier)
        if not frontier:
            break
    return found - {seed}


def _bridges(fl: _Flows, seed: str, gang: set[str], low: int, window: int, hops: int) -> set[str]:
    """Return busy accounts (and the mule-like accounts between them) that join two gang members in time."""
    mules = [x for x in gang if x != seed and fl.deg.get(x, low + 1) <= low]
    fl.fetch(mules)
    seed_side = set(fl.links.get(seed, {}))

    def closes(y: str, x: str) -> bool:
        """Tell whether reaching gang member y from mule x closes a chain."""
        if y not in gang or y == x:
            return False
        if y == seed:
            return x not in seed_side
        return fl.deg.get(y, low + 1) <= low

    starts = defaultdict(set)
    for x in mules:
        for b, times in fl.links[x].items():
            if b not in gang:
                starts[b].update((t - window, t + window) for t in times)
    _prefetch(fl, gang, starts, low, hops)
    touch = defaultdict(list)  # account -> the gang mules (and seed) it traded with
    for y in mules + [seed]:
        for c in fl.links[y]:
            touch[c].append(y)
    added = set()
    for x in mules:
        for b1, times in fl.links[x].items():
            if b1 in gang:
                continue
            for t1 in times:
                ends = lambda c, lo=t1 - window, hi=t1 + window: any(  # noqa: E731
                    closes(y, x) and fl.near(y, c, lo, hi) for y in touch.get(c, ()))
                added |= _walk(fl, gang, b1, t1 - window, t1 + window, low, hops, ends)
    return added


def _prefetch(fl: _Flows, gang: set[str], level: dict, low: int, hops: int) -> None:
    """Fetch, one level per round trip, the links a time-windowed walk from these accounts can read."""
    for i in range(hops):
        fl.fetch(level)
        if i == hops - 1:
            return
        nxt = defaultdict(set)
        for b, wins in level.items():
            wins = _merge(wins)
            for c in fl.links[b]:
                if c not in gang:
                    nxt[c].update(w for w in wins if fl.near(b, c, *w))
        nxt = {c: w for c, w in nxt.items() if w}
        fl.degrees(nxt)
        level = {c: w for c, w in nxt.items() if fl.deg[c] <= low}


def _merge(wins) -> list[tuple[int, int]]:
    """Merge overlapping time windows."""
    out = []
    for lo, hi in sorted(wins):
        if out and lo <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _walk(fl: _Flows, gang: set[str], b1: str, lo: int, hi: int, low: int, hops: int, ends) -> set[str]:
    """Walk from b1 through mule-like accounts within [lo, hi]; return the paths that end at another gang member."""
    out = {b1} if ends(b1) else set()
    parent, frontier = {b1: None}, [b1]
    for _ in range(hops):
        nxt = []
        for v in frontier:
            for c in fl.links.get(v, {}):
                if c in parent or c in gang or not fl.near(v, c, lo, hi):
                    continue
                parent[c] = v
                if ends(c):
                    u = c
                    while u is not None:
                        out.add(u)
                        u = parent[u]
                if fl.deg.get(c, low + 1) <= low:
                    nxt.append(c)
        frontier = nxt
    return out


def _chains(fl: _Flows, seed: str, gang: set[str], low: int, busy: int, window: int, hops: int, least: int) -> set[str]:
    """Return runs of at least `least` mule-like accounts passing money on in time from a fairly quiet gang member."""
    heads = [x for x in gang if x != seed and low < fl.deg.get(x, 0) <= busy]
    fl.fetch(heads)
    frontier, seen = {y for x in heads for y in fl.links[x] if y not in gang}, set()
    for _ in range(hops):  # fetch the mule-like accounts these runs can pass through, one level per round trip
        fl.degrees(frontier)
        frontier = {y for y in frontier if fl.deg[y] <= low} - seen
        if not frontier:
            break
        seen |= frontier
        fl.fetch(frontier)
        frontier = {z for y in frontier for z in fl.links[y] if z not in gang}
    out = set()
    for x in heads:
        for y, times in fl.links[x].items():
            if y in gang or fl.deg.get(y, low + 1) > low:
                continue
            for t in times:
                run = _run(fl, gang, y, t - window, t + window, low, hops)
                if len(run) >= least:
                    out |= run
    return out


def _run(fl: _Flows, gang: set[str], start: str, lo: int, hi: int, low: int, hops: int) -> set[str]:
    """Return the mule-like accounts reached from start by transfers within [lo, hi]."""
    got, frontier = {start}, [start]
    for _ in range(hops):
        frontier = [z for v in frontier for z in fl.links.get(v, {})
                    if z not in got and z not in gang and fl.deg.get(z, low + 1) <= low and fl.near(v, z, lo, hi)
                    and not got.add(z)]
    return got


def seed_gang(store: Store, case: str, seed: str, opts: dict) -> dict:
    """Return the accounts reached from one seed account: direct counterparties, mule chains, bridges."""
    key = normalise_query(seed.partition(":")[2] if seed.startswith("card:") else seed)
    fl = _Flows(store, case)
    fl.fetch([key])
    fl.degrees(fl.links[key])
    low = int(opts["mule_degree"])
    direct = {o for o in fl.links[key] if fl.deg[o] <= int(opts["direct_degree"])}
    gang = {key} | direct
    mules = _mules(fl, key, low, int(opts["chain_hops"]))
    gang |= mules
    window = int(float(opts["bridge_days"]) * 86400)
    bridges = _bridges(fl, key, gang, low, window, int(opts["bridge_hops"]))
    gang |= bridges
    chains = _chains(fl, key, gang, low, int(opts["direct_degree"]), window, int(opts["chain_hops"]),
                     int(opts["chain_min"]))
    regular = {o for o in direct if fl.deg[o] > low and len(fl.links[key][o]) >= int(opts["regular_transfers"])
               and not set(fl.links.get(o, {})) & (bridges | chains)}  # kept when a chain hangs off it
    gang = (gang | chains) - regular
    rows, _ = expand(store, case, [node_id("card", key)], ["TRANSFER"], limit=100000)
    return _gang(store, gang, rows, {"direct": len(direct - regular), "mules": len(mules - direct),
                                     "bridges": len(bridges), "chains": len(chains), "regular_left_out": len(regular)})


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
