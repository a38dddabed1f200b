"""Alerts (预警): high-frequency card opening, watch list, holder mismatch (卡商), cross-case entities."""
from __future__ import annotations

from collections import defaultdict

from .cypher import need
from .model import type_for_label
from .neighbourhood import to_ts
from .store import Store

__all__ = ["alerts", "THRESHOLDS", "opening_alerts"]

need("alerts_opening", "alerts_watchlist", "alerts_holder_mismatch", "alerts_cross_case")

# 警银通-style thresholds: N+ cards opened within D days, or cards at M+ different banks.
THRESHOLDS = {"cards": 5, "days": 30, "banks": 4}


def _burst(times: list[int], n: int, days: int) -> bool:
    """Return True if n of the times fall within `days` days."""
    times = sorted(times)
    return any(times[i + n - 1] - times[i] <= days * 86400 for i in range(len(times) - n + 1))


def opening_alerts(store: Store, case: str, cards: int, days: int, banks: int) -> list[dict]:
    """Return persons who opened `cards` cards within `days` days, or hold cards at `banks` banks."""
    out = []
    for r in store.read("alerts_opening", case=case, min_cards=min(cards, banks), max_rows=100000).rows:
        opened = [to_ts(c["opened"], None) for c in r["cards"] if c.get("opened")]
        nbanks = len({c["bank"] for c in r["cards"] if c.get("bank")})
        fast = len(opened) >= cards and _burst(opened, cards, days)
        if fast or nbanks >= banks:
            why = []
            if fast:
                why.append(f"{days}天内开卡{cards}张以上 {cards}+ cards in {days} days")
            if nbanks >= banks:
                why.append(f"在{nbanks}家银行开卡 cards at {nbanks} banks")
            out.append({"kind": "high_frequency_opening", "type": "person", "keys": [r["person"]],
                        "name": r["name"], "cards": sorted(c["card"] for c in r["cards"]), "banks": nbanks,
                        "message": f"{r['name'] or r['person']} 频繁开卡: " + "; ".join(why)})
    return out


def alerts(store: Store, case: str, thresholds: dict | None = None) -> dict:
    """Return every alert of a case, each with a kind, the keys involved and a message."""
    th = {**THRESHOLDS, **(thresholds or {})}
    out = opening_alerts(store, case, int(th["cards"]), int(th["days"]), int(th["banks"]))
    for r in store.read("alerts_watchlist", case=case, max_rows=100000).rows:
        out.append({"kind": "watchlist", "type": "person", "keys": [r["person"]], "name": r["name"],
                    "category": r["category"], "source": r["source"], "listed_in": r["listed_in"],
                    "message": f"{r['name'] or r['person']} 在重点人员名单 on watch list: {r['category'] or ''} "
                               f"({r['source'] or r['listed_in']})"})
    held = defaultdict(list)
    for r in store.read("alerts_holder_mismatch", case=case, max_rows=100000).rows:
        held[r["holder"]].append(r)
        out.append({"kind": "holder_mismatch", "type": "card", "keys": [r["card"], r["holder"], r["owner"]],
                    "holder_name": r["holder_name"], "owner_name": r["owner_name"], "time": r["time"],
                    "place": r["place"],
                    "message": f"卡 {r['card']} 登记在 {r['owner_name'] or r['owner']} 名下, 却从 "
                               f"{r['holder_name'] or r['holder']} 处扣押 card of one person seized from another"})
    for r in store.read("alerts_cross_case", case=case, max_rows=100000).rows:
        t = type_for_label(r["label"])
        out.append({"kind": "cross_case", "type": t, "keys": [r["key"]], "cases": sorted(r["cases"]),
                    "message": f"{t} {r['key']} 也出现在其他案件 also in case(s) {', '.join(sorted(r['cases']))}"})
    counts = defaultdict(int)
    for a in out:
        counts[a["kind"]] += 1
    return {"case": case, "alerts": out, "counts": dict(counts), "thresholds": th,
            "holders": {h: len(v) for h, v in held.items()}}
