"""The shared result shapes (nodes, edges, graphs) that web views and exports consume.

node = {"id", "type", "key", "label", "role", "layer", "amount", "props"}
edge = {"id", "from", "to", "type", "count", "sum", "first", "last", "props"}
"""
from __future__ import annotations

from .errors import BadInput
from .model import ENTITY_TYPES, type_for_label

__all__ = ["node", "edge", "graph", "node_id", "label_text", "split_id", "check_type", "KEYS_PARAMS",
           "keys_by_label"]

# Parameters of the per-label statements (one UNWIND branch per entity label).
KEYS_PARAMS = {"Person": "persons", "BankCard": "cards", "Phone": "phones", "Device": "devices",
               "Report": "reports", "CashPoint": "cashpoints"}
_HIDDEN = {"cases", "batches", "src"}


def node_id(type_name: str, key: str) -> str:
    """Return the stable id of a node in JSON: 'type:key'."""
    return f"{type_name}:{key}"


def split_id(nid: str) -> tuple[str, str]:
    """Return (type, key) of a node id."""
    t, _, k = nid.partition(":")
    return t, k


def check_type(type_name: str) -> str:
    """Return the label of a JSON type name, or raise BadInput naming the allowed ones."""
    if type_name not in ENTITY_TYPES:
        raise BadInput(f"unknown entity type {type_name!r}", f"use one of {', '.join(ENTITY_TYPES)}", "type")
    return ENTITY_TYPES[type_name]


def label_text(type_name: str, key: str, props: dict | None) -> str:
    """Return the display text of a node: the key with the name or bank that makes it readable."""
    p = props or {}
    if type_name == "person":
        return f"{p.get('name') or ''} {key}".strip()
    if type_name == "card":
        extra = " ".join(x for x in (p.get("bank"), p.get("owner_name")) if x)
        return f"{key} {extra}".strip()
    if type_name == "report":
        return f"报案 {p.get('victim_name') or ''} {p.get('amount') or ''}".strip()
    if type_name == "cashpoint":
        return p.get("name") or key
    return key


def node(label_or_type: str, key: str, props: dict | None = None, *, role=None, layer=None, amount=None,
         **extra) -> dict:
    """Build a node dict from a label (or type name), key and properties."""
    t = label_or_type if label_or_type in ENTITY_TYPES else type_for_label(label_or_type)
    shown = {k: v for k, v in (props or {}).items() if k not in _HIDDEN and k != "key"}
    out = {"id": node_id(t, key), "type": t, "key": key, "label": label_text(t, key, props), "role": role,
           "layer": layer, "amount": amount, "props": shown}
    out.update(extra)
    return out


def edge(src: str, dst: str, rel: str, *, count=1, total=None, first=None, last=None, props=None) -> dict:
    """Build an aggregated edge dict between two node ids."""
    return {"id": f"{src}|{rel}|{dst}", "from": src, "to": dst, "type": rel, "count": int(count or 0),
            "sum": round(float(total), 2) if total is not None else None, "first": first, "last": last,
            "props": props or {}}


def graph(nodes, edges, truncated: bool = False, **extra) -> dict:
    """Build a graph dict, keeping one node per id and one edge per id."""
    n = {x["id"]: x for x in nodes}
    e = {x["id"]: x for x in edges}
    return {"nodes": list(n.values()), "edges": list(e.values()), "truncated": bool(truncated), **extra}


def keys_by_label(ids) -> dict:
    """Split node ids into the per-label key lists the UNWIND statements take."""
    out = {p: [] for p in KEYS_PARAMS.values()}
    for nid in ids:
        t, k = split_id(nid)
        out[KEYS_PARAMS[ENTITY_TYPES[t]]].append(k)
    return out
