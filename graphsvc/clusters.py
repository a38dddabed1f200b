"""Shared-device clusters (共用设备): people, cards and SIMs tied together by a shared IMEI, MAC, IP or phone.

An identifier used by more than `hub` entities (public Wi-Fi IP, a platform's server, a shared-by-hundreds
handset) is a hub: it is reported apart and never joins anything, so it cannot merge unrelated clusters.
"""
from __future__ import annotations

from collections import defaultdict

from .cypher import need
from .model import type_for_label
from .search import get_nodes
from .shapes import node, node_id
from .store import Store

__all__ = ["clusters", "HUB_DEGREE"]

need("clusters_shared_ids", "clusters_card_flow")

HUB_DEGREE = 80
_FLOW_TOP = 100  # clusters ranked by money and described with names; the rest keep ids only


def _components(rows) -> list[tuple[set, set]]:
    """Return (identifiers, users) of each connected group of non-hub shared identifiers."""
    up = {}

    def find(x):
        up.setdefault(x, x)
        while up[x] != x:
            up[x] = up[up[x]]
            x = up[x]
        return x

    for r in rows:
        d = node_id(type_for_label(r["label"]), r["key"])
        for u in filter(None, r["users"].split(",")):
            label, _, key = u.partition("|")
            up[find(node_id(type_for_label(label), key))] = find(d)
    ids = {node_id(type_for_label(r["label"]), r["key"]) for r in rows}
    groups = defaultdict(lambda: (set(), set()))
    for x in list(up):
        g = groups[find(x)]
        (g[0] if x in ids else g[1]).add(x)
    return list(groups.values())


def clusters(store: Store, case: str, hub: int = HUB_DEGREE, min_members: int = 2, limit: int = 1000) -> dict:
    """Return clusters ranked by size and money moved, each with members, devices, size and flow; hubs apart."""
    res = store.read("clusters_shared_ids", case=case, hub=int(hub), max_rows=2_000_000, timeout_ms=60000)
    hubs = [r for r in res.rows if r["degree"] > hub]
    rows = [r for r in res.rows if r["degree"] <= hub]
    groups = [(ids, users) for ids, users in _components(rows) if len(users) >= min_members]
    groups.sort(key=lambda g: (-len(g[1]), -len(g[0]), min(g[1])))
    flow = _flows(store, case, groups[:_FLOW_TOP])
    out = []
    for i, (ids, users) in enumerate(groups[:limit], 1):
        cards = [u.partition(":")[2] for u in users if u.startswith("card:")]
        out.append({"id": f"D{i}", "ids": sorted(ids), "users": sorted(users), "size": len(users),
                    "flow": round(sum(flow.get(c, 0.0) for c in cards), 2) if i <= _FLOW_TOP else None})
    out.sort(key=lambda c: (-c["size"], -(c["flow"] or 0)))
    _describe(store, out[:_FLOW_TOP])
    for c in out[_FLOW_TOP:]:
        c["devices"] = [_bare(x) for x in c.pop("ids")]
        c["members"] = [_bare(x) for x in c.pop("users")]
    for i, c in enumerate(out, 1):
        c["id"] = f"D{i}"
    return {"case": case, "clusters": out, "truncated": len(groups) > limit or res.truncated,
            "hubs": [{**node(r["label"], r["key"], {"kind": r.get("kind")}), "degree": r["degree"]} for r in hubs],
            "hub_degree": hub}


def _flows(store: Store, case: str, groups) -> dict:
    """Return money moved per card of the given clusters."""
    keys = sorted({u.partition(":")[2] for _, users in groups for u in users if u.startswith("card:")})
    out = {}
    for i in range(0, len(keys), 2000):
        for r in store.read("clusters_card_flow", case=case, keys=keys[i:i + 2000], max_rows=5000).rows:
            out[r["key"]] = float(r["flow"] or 0)
    return out


def _describe(store: Store, out: list) -> None:
    """Turn ids into node dicts (with names and banks) for the top clusters, plain nodes for the rest."""
    info = get_nodes(store, {x for c in out for x in c["ids"] + c["users"]})
    for c in out:
        c["devices"] = [info.get(x) or _bare(x) for x in c.pop("ids")]
        c["members"] = [info.get(x) or _bare(x) for x in c.pop("users")]


def _bare(nid: str) -> dict:
    """Return a node dict from an id alone."""
    t, _, k = nid.partition(":")
    return node(t, k)
