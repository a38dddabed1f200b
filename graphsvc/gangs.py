"""Gangs (团伙) with roles, whole-case or from one seed entity (打一个破一串).

How a gang is recovered (the same expansion serves both):
1. Money: from every 一级卡 (a card victims paid, PAID_TO of a report) money is followed downstream
   in time order (each hop within `max_delay_minutes` of the money's arrival, `hops` deep); the cards
   reached are the 二级/三级/取现 layers. Victims' own cards stop the walk and are listed as victims.
2. Structure: the owners (卡农, 金主) and holders (卡商, 取现) of gang cards join; a holder's other held
   cards join; devices and phones that operate gang cards bring in the other cards and persons that
   use them (骨干). New cards are traced up to their 一级卡 and down again, until nothing new appears.
3. Hubs are cut before anything is joined: a device or phone used by more than `device_hub` entities
   (public Wi-Fi IP, a platform's server) and a card with more than `card_hub` distinct counterparties in and out
   (merchant, employer, payment platform; 一级卡 excepted, victims pay them) are never followed.
Whole-case gangs are the connected parts of what all 一级卡 reach. A case without victim reports
(e.g. bank data only) falls back to flow-only analysis (graphsvc.analytics_flowgangs).
"""
from __future__ import annotations

import time
from collections import defaultdict

from .cypher import need
from .errors import NotFound
from .model import type_for_label
from .neighbourhood import TS_MAX, TS_MIN
from .search import get_nodes, resolve
from .shapes import edge, graph, node_id
from .store import Store
from .trace import report_rows

__all__ = ["gangs", "gang", "DEFAULTS", "Expander"]

need("gang_card_links", "gang_id_degree", "gang_id_users", "gang_held_cards", "gang_card_degree", "gang_card_flows",
     "trace_down", "trace_up")

DEFAULTS = {"hops": 5, "max_delay_minutes": 1440, "device_hub": 80, "card_hub": 30, "max_rounds": 8}
_ID_LABELS = {"Device": "devices", "Phone": "phones"}
_CACHE: dict = {}
_CACHE_SECONDS = 60


def _chunks(items, n=2000):
    """Yield lists of at most n items."""
    items = list(items)
    for i in range(0, len(items), n):
        yield items[i:i + n]


class Expander:
    """Grows the set of gang entities from starting cards, hubs cut, victims kept apart."""

    def __init__(self, store: Store, case: str, reports: list[dict], opts: dict):
        self.store, self.case, self.opts = store, case, {**DEFAULTS, **opts}
        self.delay = int(self.opts["max_delay_minutes"]) * 60
        self.reports = reports
        self.paid_to = defaultdict(list)
        for r in reports:
            if r.get("to_card"):
                self.paid_to[r["to_card"]].append(r)
        self.victim_cards = {r["from_card"] for r in reports if r.get("from_card")}
        self.victims = {r["victim"] for r in reports if r.get("victim")}
        self.cards: dict[str, int | None] = {}     # card -> layer (0 = 一级卡) or None
        self.persons: set[str] = set()
        self.ids: set[str] = set()                 # node ids of shared devices/phones kept
        self.links: set[tuple[str, str, str]] = set()
        self.card_hubs: set[str] = set()
        self.card_ok: set[str] = set()
        self.id_hubs: set[str] = set()
        self.traced: set[str] = set()
        self.up_traced: set[str] = set()
        self.structured: set[str] = set()
        ts = [int(r["ts"]) for r in reports if r.get("ts") is not None]
        self.span = (min(ts), max(ts) + self.delay) if ts else (TS_MIN, TS_MAX)

    # hubs -------------------------------------------------------------
    def _hub_cards(self, keys) -> set[str]:
        """Return which of these cards are hubs (too many counterparties); 一级卡 never are."""
        todo = [k for k in keys if k not in self.card_ok and k not in self.card_hubs and k not in self.paid_to]
        for part in _chunks(todo):
            for r in self.store.read("gang_card_degree", keys=part, max_rows=len(part) + 1).rows:
                hub = int(r["ins"] or 0) + int(r["outs"] or 0) > self.opts["card_hub"]
                (self.card_hubs if hub else self.card_ok).add(r["key"])
        return {k for k in keys if k in self.card_hubs}

    def _hub_ids(self, ids) -> set[str]:
        """Return which of these device/phone node ids are hubs (used by too many entities)."""
        todo = [i for i in ids if i not in self.id_hubs and i not in self.ids]
        params = {"devices": [], "phones": []}
        for i in todo:
            t, _, k = i.partition(":")
            params["devices" if t == "device" else "phones"].append(k)
        if todo:
            for r in self.store.read("gang_id_degree", case=self.case, max_rows=len(todo) + 1, **params).rows:
                if int(r["degree"]) > self.opts["device_hub"]:
                    self.id_hubs.add(node_id(type_for_label(r["label"]), r["key"]))
        return {i for i in ids if i in self.id_hubs}

    # adding -----------------------------------------------------------
    def _add_cards(self, keys, layer=None) -> set[str]:
        """Add non-hub, non-victim cards; return the ones that are new."""
        keys = {k for k in keys if k not in self.victim_cards}
        keys -= self._hub_cards(keys)
        new = {k for k in keys if k not in self.cards}
        for k in keys:
            if layer is not None and (self.cards.get(k) is None or self.cards[k] > layer):
                self.cards[k] = layer
            elif k not in self.cards:
                self.cards[k] = None
        return new

    def _windows(self, keys) -> dict:
        """Return the time window in which money leaving each card is followed."""
        out = {}
        for k in keys:
            reps = self.paid_to.get(k)
            if reps:
                ts = [int(r["ts"]) for r in reps if r.get("ts") is not None]
                out[k] = (min(ts), max(ts) + self.delay) if ts else self.span
            else:
                out[k] = self.span
        return out

    def trace_down(self, keys) -> set[str]:
        """Follow money from cards downstream in time order (hubs and victims cut); return new cards."""
        keys = [k for k in keys if k not in self.traced]
        self.traced.update(keys)
        win = self._windows(keys)
        frontier, new_all = keys, set()
        for _hop in range(self.opts["hops"]):
            if not frontier:
                break
            fr = [{"key": k, "lo": win[k][0], "hi": win[k][1]} for k in frontier]
            rows = self.store.read("trace_down", case=self.case, frontier=fr, min_amount=0.0, limit=200000,
                                   max_rows=200000).rows
            arrived = defaultdict(list)
            for t in rows:
                if t["dst"] not in self.victim_cards:
                    arrived[t["dst"]].append(int(t["ts"]))
            nxt = []
            for k in set(arrived) - self._hub_cards(arrived):
                if k not in self.cards:
                    self.cards[k] = None
                    new_all.add(k)
                if k not in self.traced:
                    self.traced.add(k)
                    win[k] = (min(arrived[k]), max(arrived[k]) + self.delay)
                    nxt.append(k)
            frontier = nxt
        return new_all

    def trace_up(self, keys) -> set[str]:
        """Follow money upstream from cards to find the 一级卡 that fed them; return those 一级卡."""
        keys = [k for k in keys if k not in self.up_traced and k not in self.paid_to]
        self.up_traced.update(keys)
        win = {k: (TS_MIN, TS_MAX) for k in keys}
        frontier, seen, found = list(keys), set(keys), set()
        for _hop in range(self.opts["hops"]):
            if not frontier:
                break
            fr = [{"key": k, "lo": win[k][0], "hi": win[k][1]} for k in frontier]
            rows = self.store.read("trace_up", case=self.case, frontier=fr, min_amount=0.0, limit=200000,
                                   max_rows=200000).rows
            came = defaultdict(list)
            for t in rows:
                if t["src"] in self.victim_cards:
                    found.add(t["dst"])
                    continue
                came[t["src"]].append(int(t["ts"]))
            cand = [k for k in came if k not in seen]
            hubs = self._hub_cards(cand)
            frontier = []
            for k in cand:
                seen.add(k)
                if k in hubs:
                    continue
                if k in self.paid_to:
                    found.add(k)
                    continue
                win[k] = (min(came[k]) - self.delay, max(came[k]))
                frontier.append(k)
        return found

    def structure(self, cards) -> set[str]:
        """Join owners, holders and shared devices of cards; return the new cards they bring."""
        cards = [c for c in cards if c not in self.structured]
        self.structured.update(cards)
        new_cards, holders, idset = set(), set(), set()
        for part in _chunks(cards):
            for r in self.store.read("gang_card_links", case=self.case, keys=part, max_rows=100000).rows:
                other = node_id(type_for_label(r["label"]), r["key"])
                card = node_id("card", r["card"])
                if r["label"] == "Person" and r["type"] in ("OWNS", "HOLDS") and not r["out"]:
                    if r["key"] in self.victims:
                        continue
                    self.persons.add(r["key"])
                    self.links.add((other, r["type"], card))
                    if r["type"] == "HOLDS":
                        holders.add(r["key"])
                elif r["label"] in _ID_LABELS and r["type"] in ("USES", "HOLDS") and r["out"]:
                    idset.add(other)
                    self.links.add((card, "USES", other))
        for part in _chunks(holders):
            for r in self.store.read("gang_held_cards", case=self.case, keys=part, max_rows=100000).rows:
                new_cards.add(r["card"])
                self.links.add((node_id("person", r["person"]), "HOLDS", node_id("card", r["card"])))
        new_cards |= self.shared_ids(idset)
        return self._add_cards(new_cards)

    def shared_ids(self, idset) -> set[str]:
        """Keep non-hub devices/phones and return the cards that use them; their persons join."""
        idset = set(idset) - self._hub_ids(idset) - self.ids
        self.ids |= idset
        cards = set()
        params = {"devices": [], "phones": []}
        for i in idset:
            t, _, k = i.partition(":")
            params["devices" if t == "device" else "phones"].append(k)
        if not idset:
            return cards
        for r in self.store.read("gang_id_users", case=self.case, max_rows=200000, **params).rows:
            did = node_id(type_for_label(r["dlabel"]), r["dkey"])
            if r["label"] == "BankCard" and r["type"] == "USES":
                cards.add(r["key"])
                self.links.add((node_id("card", r["key"]), "USES", did))
            elif r["label"] == "Phone" and r["type"] == "USES":
                self.ids.add(node_id("phone", r["key"]))
                self.links.add((node_id("phone", r["key"]), "USES", did))
            elif r["label"] == "Person" and r["type"] in ("USES", "HOLDS") and r["key"] not in self.victims:
                self.persons.add(r["key"])
                self.links.add((node_id("person", r["key"]), r["type"], did))
        return cards

    def run(self, start_cards) -> None:
        """Expand from starting cards until no new card appears (or max_rounds)."""
        start = set(start_cards)
        first = start & set(self.paid_to)
        new = self._add_cards(start) | first
        self.cards.update({k: 0 for k in first})
        new |= self._add_cards(self.trace_up(start - first))
        for _ in range(self.opts["max_rounds"]):
            if not new:
                break
            down = self.trace_down(new)
            struct = self.structure(new | down)
            ups = self._add_cards(self.trace_up(struct - set(self.paid_to)))
            new = down | struct | ups


class _Union:
    """Union-find over node ids, to split what was reached into separate gangs."""

    def __init__(self):
        self.up = {}

    def find(self, x):
        """Return the root of x."""
        self.up.setdefault(x, x)
        while self.up[x] != x:
            self.up[x] = self.up[self.up[x]]
            x = self.up[x]
        return x

    def join(self, a, b):
        """Put a and b in one part."""
        self.up[self.find(a)] = self.find(b)


def _flows(store: Store, case: str, cards) -> list[dict]:
    """Return transfers (aggregated per pair) and cash withdrawals out of the given cards."""
    rows = []
    for part in _chunks(cards):
        rows += store.read("gang_card_flows", case=case, keys=part, max_rows=1_000_000).rows
    return rows


def assemble(exp: Expander) -> list[dict]:
    """Split the expansion into connected gangs and give every member a role."""
    cards = set(exp.cards)
    cid = {k: node_id("card", k) for k in cards}
    members = set(cid.values()) | {node_id("person", p) for p in exp.persons} | set(exp.ids)
    flows = _flows(exp.store, exp.case, cards)
    uf = _Union()
    for m in members:
        uf.find(m)
    inner = [f for f in flows if f["type"] == "TRANSFER" and f["dst"] in cards and f["src"] != f["dst"]]
    for f in inner:
        uf.join(cid[f["src"]], cid[f["dst"]])
    links = [ln for ln in exp.links if ln[0] in members and ln[2] in members]
    for a, _, b in links:
        uf.join(a, b)
    parts = defaultdict(set)
    for m in members:
        parts[uf.find(m)].add(m)
    out = []
    for part in parts.values():
        pc = {m.partition(":")[2] for m in part if m.startswith("card:")}
        if len(pc) < 2:
            continue
        out.append(_one_gang(exp, part, pc, [f for f in flows if f["src"] in pc], links))
    out.sort(key=lambda g: (-g["victim_amount"], -g["size"], g["first"] or ""))
    return out


def _card_roles(exp: Expander, pc: set, flows: list[dict]) -> dict:
    """Return a role per card: layer from the 一级卡 (hops over gang transfers), 取现 by cash, sinks None."""
    adj, out_sum, cash, in_gang = defaultdict(set), defaultdict(float), defaultdict(float), defaultdict(float)
    for f in flows:
        if f["type"] == "CASH":
            cash[f["src"]] += float(f["total"] or 0)
            continue
        out_sum[f["src"]] += float(f["total"] or 0)
        if f["dst"] in pc:
            adj[f["src"]].add(f["dst"])
            in_gang[f["dst"]] += float(f["total"] or 0)
    first = {k for k in pc if k in exp.paid_to}
    hop, frontier = {k: 0 for k in first}, list(first)
    while frontier:
        nxt = []
        for k in frontier:
            for d in adj[k]:
                if d not in hop:
                    hop[d] = hop[k] + 1
                    nxt.append(d)
        frontier = nxt
    roles = {}
    for k in pc:
        h = hop.get(k)
        if cash[k] > 0 and cash[k] >= out_sum[k]:
            roles[k] = "取现"
        elif h == 0:
            roles[k] = "一级卡"
        elif in_gang[k] > 0 and not adj[k] and (h is None or h >= 2):
            roles[k] = None  # the sink where the money collects (金主卡)
        elif h == 1:
            roles[k] = "二级卡"
        elif h is not None and h >= 2:
            roles[k] = "三级卡"
        else:
            roles[k] = None
    return roles, hop, in_gang


def _person_roles(exp, part, pc, roles, in_gang, links) -> dict:
    """Return a role per person from what they own, hold and use (金主 > 骨干 > 卡商 > 取现 > 卡农)."""
    owns, holds, uses = defaultdict(set), defaultdict(set), defaultdict(set)
    id_cards = defaultdict(set)
    for a, rel, b in links:
        if a.startswith("card:") and rel == "USES":
            id_cards[b].add(a)
    for a, rel, b in links:
        if not a.startswith("person:"):
            continue
        p = a.partition(":")[2]
        if rel == "OWNS" and b.startswith("card:"):
            owns[p].add(b.partition(":")[2])
        elif rel == "HOLDS" and b.startswith("card:"):
            holds[p].add(b.partition(":")[2])
        elif rel in ("USES", "HOLDS"):
            uses[p].add(b)
    sinks = {k for k in pc if roles.get(k) is None and in_gang.get(k, 0) > 0}
    out = {}
    for m in part:
        if not m.startswith("person:"):
            continue
        p = m.partition(":")[2]
        if owns[p] & sinks:
            out[p] = "金主"
        elif any(len(id_cards[i]) >= 2 for i in uses[p]):
            out[p] = "骨干"
        elif len(holds[p]) >= 3:
            out[p] = "卡商"
        elif any(roles.get(c) == "取现" for c in holds[p]):
            out[p] = "取现"
        elif owns[p]:
            out[p] = "卡农"
        else:
            out[p] = None
    return out


def _one_gang(exp: Expander, part: set, pc: set, flows: list[dict], links) -> dict:
    """Build one gang: members with roles, victims apart, flow and time span."""
    roles, hop, in_gang = _card_roles(exp, pc, flows)
    plinks = [ln for ln in links if ln[0] in part]
    proles = _person_roles(exp, part, pc, roles, in_gang, plinks)
    info = get_nodes(exp.store, part)
    members = []
    for m in sorted(part):
        n = info.get(m) or {"id": m, "type": m.partition(":")[0], "key": m.partition(":")[2], "label": m,
                            "role": None, "layer": None, "amount": None, "props": {}}
        k = n["key"]
        if n["type"] == "card":
            n["role"] = roles.get(k)
            n["layer"] = hop[k] + 1 if k in hop else None
        elif n["type"] == "person":
            n["role"] = proles.get(k)
        members.append(n)
    reps = [r for k in pc for r in exp.paid_to.get(k, [])]
    vkeys = sorted({r["victim"] for r in reps if r.get("victim")})
    vinfo = get_nodes(exp.store, [node_id("person", v) for v in vkeys])
    victims = [vinfo.get(node_id("person", v)) or {"id": node_id("person", v), "type": "person", "key": v}
               for v in vkeys]
    inner = [f for f in flows if f["type"] == "TRANSFER" and f["dst"] in pc]
    times = [f["first"] for f in inner if f["first"]] + [f["last"] for f in inner if f["last"]]
    return {"members": members, "victims": victims, "size": len(members),
            "cards": len(pc), "persons": sum(1 for m in part if m.startswith("person:")),
            "total_flow": round(sum(float(f["total"] or 0) for f in inner), 2),
            "victim_amount": round(sum(float(r.get("amount") or 0) for r in reps), 2),
            "reports": len(reps), "first": min(times) if times else None, "last": max(times) if times else None,
            "edge_count": len(inner) + len(plinks), "_flows": inner, "_links": plinks}


def _public(g: dict) -> dict:
    """Drop the internal fields of a gang."""
    return {k: v for k, v in g.items() if not k.startswith("_")}


def _seed_ref(store: Store, seed: str) -> tuple[str, str]:
    """Resolve a seed written as KEY or type:KEY to (type, key), trying card, person, phone, device, report."""
    from .model import ENTITY_TYPES

    t, _, k = str(seed).partition(":")
    if k and t in ENTITY_TYPES:
        r = resolve(store, t, k)
        return t, r["key"]
    for t in ("card", "person", "phone", "device", "report"):
        try:
            r = resolve(store, t, seed)
            return t, r["key"]
        except NotFound:
            continue
    raise NotFound(f"no entity {seed!r} to start a gang from", "give a card, phone, ID number, IMEI/MAC/IP or type:KEY")


def _start_cards(exp: Expander, t: str, key: str) -> set[str]:
    """Return the cards an expansion starts from for a seed entity."""
    from .neighbourhood import expand

    if t == "card":
        return {key}
    if t == "report":
        return {r["to_card"] for r in exp.reports if r["key"] == key and r.get("to_card")}
    if t in ("device", "phone"):
        return exp.shared_ids({node_id(t, key)})
    rows, _ = expand(exp.store, exp.case, [node_id(t, key)], ["OWNS", "HOLDS", "USES"], limit=5000)
    cards = {r["b"].partition(":")[2] for r in rows if r["b"].startswith("card:")}
    ids = {r["b"] for r in rows if r["b"].startswith(("device:", "phone:"))}
    exp.persons.add(key)
    return cards | exp.shared_ids(ids)


def gangs(store: Store, case: str, seeds=None, **opts) -> dict:
    """Return the case's gangs, or for each seed the gang reached from it (打一个破一串)."""
    reps = report_rows(store, case)
    if not reps:
        from .analytics_flowgangs import flow_gangs

        return flow_gangs(store, case, seeds, **opts)
    if not seeds:
        return {"gangs": [_public(g) for g in whole_case(store, case, reps, opts)], "case": case, "mode": "reports"}
    out = []
    for seed in seeds:
        t, key = _seed_ref(store, seed)
        exp = Expander(store, case, reps, opts)
        exp.run(_start_cards(exp, t, key))
        found = assemble(exp)
        sid = node_id(t, key)
        mine = [g for g in found if any(m["id"] == sid for m in g["members"])] or found[:1]
        g = _public(mine[0]) if mine else {"members": [], "victims": [], "size": 0, "total_flow": 0.0,
                                              "first": None, "last": None}
        g.update(id=f"S{len(out) + 1}", seed=seed)
        out.append(g)
    return {"gangs": out, "case": case, "mode": "reports"}


def whole_case(store: Store, case: str, reps=None, opts=None) -> list[dict]:
    """Return every gang of a case (cached for a minute), ids G1, G2... by money taken from victims."""
    key = (getattr(store, "graph_name", None) or store.where(), case, tuple(sorted((opts or {}).items())))
    hit = _CACHE.get(key)
    if hit and time.monotonic() - hit[0] < _CACHE_SECONDS:
        return hit[1]
    reps = reps if reps is not None else report_rows(store, case)
    exp = Expander(store, case, reps, opts or {})
    exp.run(set(exp.paid_to))
    found = assemble(exp)
    for i, g in enumerate(found, 1):
        g["id"] = f"G{i}"
    _CACHE[key] = (time.monotonic(), found)
    return found


def gang(store: Store, case: str, gang_id: str) -> dict:
    """Return one whole-case gang as a graph: members with roles, victims, aggregated edges."""
    found = {g["id"]: g for g in whole_case(store, case)}
    if not found:
        return _flow_gang(store, case, gang_id)
    if gang_id not in found:
        raise NotFound(f"no gang {gang_id} in case {case}", "list the gangs first (pochuan gangs --case ...)")
    g = found[gang_id]
    edges = [edge(node_id("card", f["src"]), node_id("card", f["dst"]), "TRANSFER", count=f["count"], total=f["total"],
                  first=f["first"], last=f["last"]) for f in g["_flows"]]
    edges += [edge(a, b, rel) for a, rel, b in g["_links"]]
    victims = [{**v, "role": "受害人"} for v in g["victims"]]
    return graph(g["members"] + victims, edges, False, **{k: v for k, v in _public(g).items() if k != "members"})


def _flow_gang(store: Store, case: str, gang_id: str) -> dict:
    """Return one flow-only gang (a case without victim reports) as a graph."""
    from .analytics_flowgangs import flow_gangs

    found = {g["id"]: g for g in flow_gangs(store, case)["gangs"]}
    if gang_id not in found:
        raise NotFound(f"no gang {gang_id} in case {case}", "list the gangs first (pochuan gangs --case ...)")
    g = found[gang_id]
    cards = {m["key"] for m in g["members"] if m["type"] == "card"}
    edges = [edge(node_id("card", f["src"]), node_id("card", f["dst"]), "TRANSFER", count=f["count"], total=f["total"],
                  first=f["first"], last=f["last"])
             for f in _flows(store, case, cards) if f["type"] == "TRANSFER" and f["dst"] in cards]
    return graph(g["members"], edges, False, **{k: v for k, v in g.items() if k != "members"})
