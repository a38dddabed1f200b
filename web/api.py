"""The graph API the pages use: /api/cases/<case>/... over graphsvc.analytics; no Cypher from the browser.

Every view checks the role and the case first, validates its parameters (400 naming the field),
records the action in the audit trail, and answers {"ok": true, ...data}.
"""
from __future__ import annotations

import importlib
import threading
import time
from collections import OrderedDict

from flask import Blueprint, current_app, jsonify

from graphsvc.cypher import need
from graphsvc.stats import case_stats
from graphsvc.store import get_store

from . import validate as v
from .auth import QUERY_ROLES, allowed_cases, audit, case_access, login_required, role_required
from .errors import ApiError

__all__ = ["bp", "analytics", "store", "case_batches"]

bp = Blueprint("api", __name__, url_prefix="/api")
PREFIX = "/cases/<case>"
need("web_case_batches", "web_case_version")
_CACHE: OrderedDict = OrderedDict()
_CACHE_LOCK = threading.Lock()
CACHE_SECONDS = 600


def store():
    """Return the process's store (opened on first use, not at import)."""
    return get_store(current_app.config)


def analytics():
    """Return graphsvc.analytics, or a 503 while it is not installed."""
    try:
        return importlib.import_module("graphsvc.analytics")
    except ModuleNotFoundError as e:
        if e.name != "graphsvc.analytics":
            raise
        raise ApiError(503, "analytics module not available", "unavailable") from None


def case_cached(case: str, name: str, compute):
    """Return a whole-case result (gangs, alerts, clusters) computed once per data version of the case.

    The version is the case's import batches (count, last finished): a new load recomputes; entries also
    expire after CACHE_SECONDS, for data written without a batch.
    """
    st = store()
    version = tuple(st.read("web_case_version", case=case).one().values())
    key = (id(st), current_app.config.get("POCHUAN_GRAPH_NAME"), case, name, version)
    now = time.monotonic()
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit and now - hit[0] < CACHE_SECONDS:
            _CACHE.move_to_end(key)
            return hit[1]
    value = compute()
    with _CACHE_LOCK:
        _CACHE[key] = (now, value)
        while len(_CACHE) > 64:
            _CACHE.popitem(last=False)
    return value


def ok(data: dict, status: int = 200):
    """Answer success in the common envelope."""
    return jsonify({"ok": True, **data}), status


def _query(case: str) -> str:
    """Check the user may query this case and return it."""
    return case_access(case)


@bp.get("/cases")
@login_required
def cases():
    """List the cases of the current user."""
    v.only()
    from graphsvc.stats import list_cases

    mine = allowed_cases()
    known = {c.get("case") or c.get("key"): c for c in list_cases(store())}
    names = sorted(known) if mine is None else mine
    return ok({"cases": [{"case": n, **{k: x for k, x in known.get(n, {}).items() if k != "case"},
                          "loaded": n in known} for n in names]})


@bp.get(PREFIX + "/stats")
@login_required
def stats(case):
    """Counts of a case."""
    case = case_access(case)
    v.only()
    return ok({"stats": case_stats(store(), case)})


@bp.get(PREFIX + "/search")
@role_required(*QUERY_ROLES)
def search(case):
    """Find entities by card, phone, ID number, name or device."""
    case = _query(case)
    v.only("q", "limit")
    q = v.text("q", required=True, max_len=100)
    limit = v.integer("limit", 20, 1, 200)
    res = analytics().search(store(), case, q, limit=limit)
    audit("search", case, {"q": q, "hits": len(res.get("results", []))})
    return ok(res)


@bp.get(PREFIX + "/entity")
@role_required(*QUERY_ROLES)
def entity(case):
    """Properties and provenance of one entity."""
    case = _query(case)
    v.only("type", "key")
    kind, key = v.entity_type("type"), v.text("key", required=True, max_len=120)
    res = analytics().entity(store(), case, kind, key)
    audit("view", case, {"type": kind, "key": key})
    return ok({"entity": res})


@bp.get(PREFIX + "/neighbourhood")
@role_required(*QUERY_ROLES)
def neighbourhood(case):
    """The entities around one entity (a double-click expansion)."""
    case = _query(case)
    v.only("type", "key", "hops", "rel", "since", "until", "min_amount", "cap")
    kind, key = v.entity_type("type"), v.text("key", required=True, max_len=120)
    args = dict(hops=v.integer("hops", 1, 1, 3), rel_types=v.rel_types("rel"), since=v.when("since"),
                until=v.when("until"), min_amount=v.number("min_amount", 0, 0, 1e12), node_cap=v.integer("cap", 300, 1, 5000))
    res = analytics().neighbourhood(store(), case, kind, key, **args)
    audit("expand", case, {"type": kind, "key": key, "hops": args["hops"], "nodes": len(res.get("nodes", []))})
    return ok(res)


@bp.get(PREFIX + "/trace")
@role_required(*QUERY_ROLES)
def trace(case):
    """Follow money from a card downstream (where it went) or upstream (where it came from)."""
    case = _query(case)
    v.only("card", "direction", "hops", "max_delay", "min_amount", "since", "report")
    card = v.text("card", required=True, max_len=40)
    args = dict(direction=v.choice("direction", ("down", "up"), "down"), hops=v.integer("hops", 4, 1, 8),
                max_delay_minutes=v.integer("max_delay", 1440, 1, 525600), min_amount=v.number("min_amount", 0, 0, 1e12),
                since=v.when("since"), report=v.text("report", max_len=120))
    res = analytics().trace(store(), case, card, **args)
    audit("trace", case, {"card": card, "direction": args["direction"], "nodes": len(res.get("nodes", []))})
    return ok(res)


@bp.get(PREFIX + "/paths")
@role_required(*QUERY_ROLES)
def paths(case):
    """Shortest path(s) between two entities."""
    case = _query(case)
    v.only("a", "b", "rel", "all")
    a, b = v.node_id("a"), v.node_id("b")
    res = analytics().paths(store(), case, f"{a[0]}:{a[1]}", f"{b[0]}:{b[1]}", rel_types=v.rel_types("rel"),
                            all_shortest=v.flag("all"))
    audit("paths", case, {"a": ":".join(a), "b": ":".join(b), "found": len(res.get("paths", []) or [])})
    return ok(res)


@bp.get(PREFIX + "/gangs")
@role_required(*QUERY_ROLES)
def gangs(case):
    """The gangs (团伙) found in a case."""
    case = _query(case)
    v.only()
    res = case_cached(case, "gangs", lambda: analytics().gangs(store(), case))
    audit("gangs", case, {"gangs": len(res.get("gangs", []))})
    return ok(res)


@bp.get(PREFIX + "/gangs/<gang_id>")
@role_required(*QUERY_ROLES)
def gang(case, gang_id):
    """One gang as a graph with roles."""
    case = _query(case)
    v.only()
    if len(gang_id) > 100:
        raise ApiError(400, "gang id too long", "invalid", "gang_id")
    res = analytics().gang(store(), case, gang_id)
    audit("gangs", case, {"gang": gang_id, "nodes": len(res.get("nodes", []))})
    return ok(res)


@bp.get(PREFIX + "/clusters")
@role_required(*QUERY_ROLES)
def clusters(case):
    """Groups of entities sharing devices (shared-device clusters)."""
    case = _query(case)
    v.only()
    res = case_cached(case, "clusters", lambda: analytics().clusters(store(), case))
    audit("clusters", case, {"clusters": len(res.get("clusters", []))})
    return ok(res)


@bp.get(PREFIX + "/alerts")
@role_required(*QUERY_ROLES)
def alerts(case):
    """Warnings: high-frequency card opening, watch-list hits, holder mismatch, cross-case entities."""
    case = _query(case)
    v.only()
    res = case_cached(case, "alerts", lambda: analytics().alerts(store(), case))
    audit("alerts", case, {"alerts": len(res.get("alerts", []))})
    return ok(res)


@bp.get(PREFIX + "/freeze")
@role_required(*QUERY_ROLES)
def freeze(case):
    """The 止付 list: cards to freeze, with owner, bank, amount and layer."""
    case = _query(case)
    v.only("report")
    reports = [r for r in (v.text("report", max_len=2000) or "").split(",") if r.strip()] or None
    res = analytics().freeze_list(store(), case, reports=reports)
    audit("freeze", case, {"rows": len(res.get("rows", []))})
    return ok(res)


def case_batches(case: str, limit: int = 200) -> list[dict]:
    """Return the import batches of a case, newest first."""
    return store().read("web_case_batches", case=case, limit=limit).rows


@bp.get(PREFIX + "/batches")
@login_required
def batches(case):
    """The import batches of a case with their read/loaded/rejected counts."""
    case = case_access(case)
    v.only()
    rows = case_batches(case)
    for r in rows:
        r["has_rejects"] = bool(r.pop("rejects", None)) and bool(r.get("rejected"))
    return ok({"batches": rows})
