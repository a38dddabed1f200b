"""Where each node goes on a chart: the tier of its role, or half a tier above the cards it is linked to.

Shared by the Graphviz diagrams and the HTML page so both read top to bottom the same way.
"""
from __future__ import annotations

from .export_style import tier_of

__all__ = ["chart_tier", "near_tiers", "levels", "BOTTOM"]

BOTTOM = 6  # tier of cash-out persons and ATMs


def chart_tier(node: dict) -> float | None:
    """Return the rank a node is pinned to: role tiers, victims beside 一级卡, cash-out people at the bottom."""
    if node.get("victim"):
        return 1.8  # their own row, straight above the 一级卡 they paid
    if node.get("type") == "cashpoint":
        return BOTTOM
    if node.get("type") == "report":
        return 1.9  # a victim's report sits between the victim and the card paid
    tier = tier_of(node)
    if tier == 5 and node.get("type") == "person":
        return BOTTOM
    return tier


def near_tiers(chart: dict) -> dict[str, float]:
    """Place 卡农, phones and devices half a tier above the highest card they own or operate."""
    out: dict[str, float] = {}
    for e in chart["edges"]:
        if e.get("type") not in ("OWNS", "HOLDS", "USES", "RESERVED"):
            continue
        for this, other in ((e["from"], e["to"]), (e["to"], e["from"])):
            node, card = chart["by_id"][this], chart["by_id"][other]
            tier = chart_tier(card) if card.get("type") == "card" else None
            if chart_tier(node) is None and node.get("type") != "card" and tier is not None and tier >= 2:
                out[this] = min(out.get(this, 99), tier - 0.5)
    return out


def levels(chart: dict) -> dict[str, int]:
    """Return an integer level for every node (untied nodes go just under the controllers)."""
    near = near_tiers(chart)
    tiers = {n["id"]: chart_tier(n) if chart_tier(n) is not None else near.get(n["id"], 1.5) for n in chart["nodes"]}
    rank = {t: i for i, t in enumerate(sorted(set(tiers.values())))}
    return {i: rank[t] for i, t in tiers.items()}
