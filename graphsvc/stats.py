"""Counts of one case, for `pochuan stats` and the case dashboard."""
from __future__ import annotations

from .cypher import need
from .store import Store

__all__ = ["case_stats", "list_cases", "ensure_case"]

need("stats_entities", "stats_transfers", "case_list", "case_ensure")

_KEYS = {"Person": "persons", "BankCard": "cards", "Phone": "phones", "Device": "devices",
         "Report": "reports", "CashPoint": "cashpoints"}


def case_stats(store: Store, case: str) -> dict:
    """Return entity and transfer counts of a case (zeros for an unknown case)."""
    out = {v: 0 for v in _KEYS.values()}
    for row in store.read("stats_entities", case=case).rows:
        if row["label"] in _KEYS:
            out[_KEYS[row["label"]]] = int(row["n"])
    tx = store.read("stats_transfers", case=case).one()
    out["transfers"] = int(tx.get("transfers") or 0)
    out["cash"] = int(tx.get("cash") or 0)
    return {"case": case, **out}


def list_cases(store: Store, limit: int = 1000) -> list[dict]:
    """Return the cases in the store."""
    return store.read("case_list", limit=limit).rows


def ensure_case(store: Store, case: str, title: str = "") -> None:
    """Create a case node if missing."""
    from datetime import datetime

    store.write("case_ensure", case=case, title=title or case, now=datetime.now().isoformat(timespec="seconds"))
