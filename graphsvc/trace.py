"""Time-respecting fund tracing (资金追踪) from a card or a victim report, with attributable amounts.

Time rule: a transfer out of card X is followed only if it happens at or after money first reached X
and no later than `max_delay_minutes` after money last reached X (upstream: mirrored in time).

Attribution rule (FIFO-capped flow): the starting amount A0 (the report's amount, or the total of the
first hop) is pushed through the fetched transfers in time order. Each card keeps a balance of
traced money; a transfer X->Y at time t carries min(amount, balance of X at t) and moves it to Y.
A card's `amount` is the traced money that reached it, so it never exceeds what actually entered it
nor the starting amount, and money cannot travel back in time. Cards touched by more than
HUB_TRANSFERS transfers (merchants, payment platforms) are shown with `hub: true` but not expanded. Upstream traces run the same rule
backwards in time (how much of the money at the start card can have come from each card).
"""
from __future__ import annotations

from collections import defaultdict

from .cypher import need
from .errors import BadInput, NotFound
from .neighbourhood import TS_MAX, TS_MIN, to_ts
from .search import get_nodes, normalise_query, resolve
from .shapes import edge, graph, node, node_id
from .store import Store

__all__ = ["trace", "report_rows", "fifo_attribution"]

need("trace_down", "trace_up", "trace_cash", "reports_get", "trace_degree")

HUB_TRANSFERS = 1000  # a card touched by more transfers is a hub (merchant, platform): shown, not expanded


def report_rows(store: Store, case: str, keys=None) -> list[dict]:
    """Return victim reports of a case (all of them when keys is empty)."""
    return store.read("reports_get", case=case, keys=list(keys or []), max_rows=100000).rows


def hubs_among(store, keys, limit: int = HUB_TRANSFERS) -> set[str]:
    """Return the cards among keys touched by more than `limit` transfers."""
    keys = list(keys)
    if not keys:
        return set()
    rows = store.read("trace_degree", keys=keys, max_rows=len(keys) + 1).rows
    return {r["key"] for r in rows if int(r["degree"] or 0) > limit}


def _fetch(store, case, start, lo, hi, down, hops, delay, min_amount, node_cap):
    """Breadth-first, time-respecting fetch of transfers; returns transfers, layers, hubs, truncated."""
    name = "trace_down" if down else "trace_up"
    layer, win, transfers, truncated = {start: 0}, {start: (lo, hi)}, [], False
    hubs = set()
    frontier = [start]
    for hop in range(1, hops + 1):
        if not frontier:
            break
        fr = [{"key": k, "lo": win[k][0], "hi": win[k][1]} for k in frontier]
        res = store.read(name, case=case, frontier=fr, min_amount=float(min_amount), limit=50000, max_rows=50000)
        truncated |= res.truncated
        arrived = defaultdict(list)
        for t in res.rows:
            transfers.append(t)
            arrived[t["dst"] if down else t["src"]].append(t["ts"])
        nxt = []
        for k, times in arrived.items():
            if k in layer:
                continue
            if len(layer) >= node_cap:
                truncated = True
                continue
            layer[k] = hop
            win[k] = (min(times), max(times) + delay) if down else (min(times) - delay, max(times))
            nxt.append(k)
        hubs |= hubs_among(store, nxt) if hop < hops else set()
        frontier = [k for k in nxt if k not in hubs]
    return transfers, layer, hubs, truncated


def fifo_attribution(transfers, start: str, amount: float, down: bool = True, t0=None) -> tuple[dict, dict]:
    """Push `amount` from start (at time t0) through transfers in time order; return (reached, carried per edge)."""
    balance, reached, carried = defaultdict(float), defaultdict(float), defaultdict(float)
    balance[start] = amount
    order = sorted(transfers, key=lambda t: t["ts"], reverse=not down)
    for t in order:
        if t0 is not None and (t["ts"] < t0 if down else t["ts"] > t0):
            continue
        frm, to = (t["src"], t["dst"]) if down else (t["dst"], t["src"])
        have = balance[frm]
        if have <= 0:
            continue
        c = min(float(t["amount"]), have)
        balance[frm] -= c
        balance[to] += c
        reached[to] += c
        carried[(t["src"], t["dst"])] += c
    return reached, carried


def trace(store: Store, case: str, card: str | None = None, direction: str = "down", hops: int = 4,
          max_delay_minutes: int = 1440, min_amount: float = 0, since=None, report: str | None = None,
          node_cap: int = 2000) -> dict:
    """Follow money from a card or a report, down or up, keeping the time order; nodes carry layer and amount."""
    if direction not in ("down", "up"):
        raise BadInput(f"direction {direction!r}", "use down (下游) or up (上游)", "direction")
    down = direction == "down"
    hops = max(1, min(int(hops), 8))
    delay = max(0, int(max_delay_minutes)) * 60
    rep = None
    if report:
        rows = report_rows(store, case, [report])
        if not rows:
            raise NotFound(f"no report {report!r} in case {case}", "list the case's reports first")
        rep = rows[0]
        card = rep["to_card"] if down else (rep["to_card"] or rep["from_card"])
        t0 = int(rep["ts"])
        lo, hi = (t0, t0 + delay) if down else (t0 - delay, t0)
    else:
        if not card:
            raise BadInput("no card to trace", "give --card or --report", "card")
        card = normalise_query(card)
        resolve(store, "card", card)  # an unknown card is an error the user can act on, not an empty trace
        t0 = to_ts(since, None) if since else None
        lo, hi = (t0, t0 + delay) if (t0 is not None and down) else (TS_MIN, TS_MAX)
        if t0 is not None and not down:
            lo, hi = TS_MIN, t0
    transfers, layer, hubs, truncated = _fetch(store, case, card, lo, hi, down, hops, delay, min_amount, node_cap)
    first_hop = [t for t in transfers if (t["src"] if down else t["dst"]) == card]
    a0 = float(rep["amount"]) if rep and rep.get("amount") else sum(float(t["amount"]) for t in first_hop)
    reached, carried = fifo_attribution(transfers, card, a0, down)
    g = _shape(store, case, card, rep, transfers, layer, reached, carried, a0, down, truncated)
    for n in g["nodes"]:
        if n["type"] == "card" and n["key"] in hubs:
            n["hub"] = True
    g["hubs"] = sorted(hubs)
    return g


def _shape(store, case, card, rep, transfers, layer, reached, carried, a0, down, truncated) -> dict:
    """Build the graph: cards with layer and amount, aggregated transfer edges, report and cash points."""
    ids = {k: node_id("card", k) for k in layer}
    info = get_nodes(store, ids.values())
    nodes = []
    for k, h in layer.items():
        n = info.get(ids[k]) or node("card", k)
        n["layer"] = (h + 1) if down else -h
        n["amount"] = round(a0 if k == card else reached.get(k, 0.0), 2)
        n["hop"] = h
        nodes.append(n)
    agg = {}
    for t in transfers:
        k = (t["src"], t["dst"])
        a = agg.setdefault(k, {"count": 0, "sum": 0.0, "first": t["time"], "last": t["time"], "f": t["ts"], "l": t["ts"]})
        a["count"] += 1
        a["sum"] += float(t["amount"])
        if t["ts"] < a["f"]:
            a["f"], a["first"] = t["ts"], t["time"]
        if t["ts"] > a["l"]:
            a["l"], a["last"] = t["ts"], t["time"]
    edges = [edge(ids[s], ids[d], "TRANSFER", count=a["count"], total=a["sum"], first=a["first"], last=a["last"],
                  props={"attributed": round(carried.get((s, d), 0.0), 2)})
             for (s, d), a in agg.items() if s in ids and d in ids]
    if rep:
        r = node("report", rep["key"], {"victim_name": rep.get("victim_name"), "amount": rep.get("amount")},
                 layer=0, amount=rep.get("amount"))
        nodes.append(r)
        edges.append(edge(r["id"], ids[card], "PAID_TO", total=rep.get("amount"), first=rep.get("time"), last=rep.get("time")))
    if down:
        nodes, edges = _cash(store, case, ids, nodes, edges)
    return graph(nodes, edges, truncated, start=ids[card], direction="down" if down else "up", start_amount=round(a0, 2),
                 attribution="fifo-capped")


def _cash(store, case, ids, nodes, edges):
    """Add the cash points where traced cards withdrew money (取现)."""
    rows = store.read("trace_cash", case=case, keys=list(ids), max_rows=5000).rows
    for r in rows:
        p = node("cashpoint", r["point"], {"name": r["name"]})
        nodes.append(p)
        edges.append(edge(ids[r["card"]], p["id"], "CASH", count=r["count"], total=r["total"], first=r["first"], last=r["last"]))
    return nodes, edges
