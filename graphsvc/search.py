"""Search and entity lookup: exact and prefix matches on keys and names, ranked and capped."""
from __future__ import annotations

import re

from .cypher import need
from .errors import BadInput, NotFound
from .shapes import check_type, node
from .store import Store

__all__ = ["search", "entity", "normalise_query", "get_nodes", "resolve"]

need("search_prefix", "entity_get", "entity_batches", "nodes_get")

_MAC = re.compile(r"^([0-9A-Fa-f]{2})[:\-]?([0-9A-Fa-f]{2})[:\-]?([0-9A-Fa-f]{2})[:\-]?([0-9A-Fa-f]{2})[:\-]?"
                  r"([0-9A-Fa-f]{2})[:\-]?([0-9A-Fa-f]{2})$")
_TYPE_RANK = {"card": 0, "person": 1, "phone": 2, "device": 3, "report": 4, "cashpoint": 5}


def normalise_query(text: str) -> str:
    """Bring a typed query to the stored key form (digits only, upper-case MAC and ID check letter)."""
    t = (text or "").strip()
    if re.fullmatch(r"[+\d\s\-]+", t):
        t = re.sub(r"[\s\-]", "", t)
        if t.startswith("+86") and len(t) == 14:
            t = t[3:]
        return t
    m = _MAC.match(t)
    if m and not t.isdigit():
        return ":".join(g.upper() for g in m.groups())
    if re.fullmatch(r"\d{17}[xX]", t):
        return t.upper()
    return t


def search(store: Store, case: str, text: str, limit: int = 20) -> dict:
    """Find entities whose key or name equals or starts with the text; exact matches first."""
    q = normalise_query(text)
    if not q:
        raise BadInput("empty search text", "type a card number, phone, ID number, name, IMEI, MAC or IP", "text")
    limit = max(1, min(int(limit), 200))
    res = store.read("search_prefix", case=case, lo=q, hi=q[:-1] + chr(ord(q[-1]) + 1), limit=limit + 1)
    seen, out = set(), []
    for r in res.rows:
        n = node(r["label"], r["key"], r["props"])
        if n["id"] in seen:
            continue
        seen.add(n["id"])
        value = r["key"] if r["field"] == "key" else (r["props"] or {}).get("name", "")
        exact = value == q
        n["score"] = round((1.0 if exact else 0.5 + 0.4 * len(q) / max(len(value), 1))
                           - (0.05 if r["field"] == "name" else 0), 3)
        n["match"] = r["field"]
        out.append(n)
    out.sort(key=lambda n: (-n["score"], _TYPE_RANK.get(n["type"], 9), n["key"]))
    return {"results": out[:limit], "truncated": res.truncated or len(out) > limit, "query": q}


def resolve(store: Store, type_name: str, key: str) -> dict:
    """Return the stored row (label, key, props, nid) of one entity, or raise NotFound."""
    label = check_type(type_name)
    k = normalise_query(key) if type_name != "report" else key
    row = store.read("entity_get", label=label, key=k).one()
    if not row:
        raise NotFound(f"no {type_name} {key!r} in the store", "check the number, or search for it first")
    return row


def entity(store: Store, case: str, type_name: str, key: str) -> dict:
    """Return one entity as a node with its properties and where it came from (provenance)."""
    row = resolve(store, type_name, key)
    props = row["props"] or {}
    n = node(row["label"], row["key"], props)
    batches = {b["batch"]: b for b in store.read("entity_batches", batches=list(props.get("batches") or [])).rows}
    prov = []
    for src in props.get("src") or []:
        batch, _, line = str(src).partition("#")
        b = batches.get(batch, {})
        prov.append({"case": b.get("case"), "batch": batch, "file": b.get("file"), "row": int(line) if line.isdigit() else line})
    if not prov:
        prov = [{"case": b.get("case"), "batch": k, "file": b.get("file"), "row": None} for k, b in batches.items()]
    n["provenance"] = prov
    n["cases"] = list(props.get("cases") or [])
    n["in_case"] = case in n["cases"]
    return n


def get_nodes(store: Store, ids) -> dict:
    """Return node dicts (with properties) for node ids, keyed by id."""
    from .shapes import keys_by_label

    ids = list(ids)
    if not ids:
        return {}
    out = {}
    for r in store.read("nodes_get", max_rows=len(ids) + 10, **keys_by_label(ids)).rows:
        n = node(r["label"], r["key"], r["props"])
        out[n["id"]] = n
    return out
