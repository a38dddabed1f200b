"""The pages: case list, case dashboard, search results by type, and the network workbench."""
from __future__ import annotations

import logging

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _

from graphsvc.errors import PochuanError
from graphsvc.model import ENTITY_TYPES
from graphsvc.stats import case_stats, list_cases

from .api import analytics, case_batches, case_cached, store
from .auth import QUERY_ROLES, allowed_cases, audit, case_access, current_user, login_required, role_required
from .validate import GRAPH_RELS

__all__ = ["bp"]

bp = Blueprint("pages", __name__)
log = logging.getLogger(__name__)


@bp.get("/")
def index():
    """Send visitors to their cases (or to the log-in page)."""
    return redirect(url_for("pages.cases"))


@bp.get("/cases")
@login_required
def cases():
    """List the cases the user may open."""
    mine = allowed_cases()
    try:
        known = {c["key"]: c for c in list_cases(store())}
        error = None
    except PochuanError as e:
        known, error = {}, str(e)
    names = sorted(known) if mine is None else mine
    rows = [{"case": n, "title": (known.get(n) or {}).get("title") or "", "created": (known.get(n) or {}).get("created"),
             "loaded": n in known} for n in names]
    return render_template("cases.html", cases=rows, error=error)


def _safe(fn, *args, **kw):
    """Run one dashboard section, turning its failure into a message instead of a broken page."""
    try:
        return fn(*args, **kw), None
    except PochuanError as e:
        return None, str(e)
    except Exception as e:  # a section must not take the whole dashboard down
        log.exception("dashboard section failed")
        return None, type(e).__name__


@bp.get("/cases/<case>")
@login_required
def dashboard(case):
    """The case dashboard: counts, import batches with rejects, top gangs, alerts."""
    case = case_access(case)
    stats, stats_err = _safe(case_stats, store(), case)
    batches, batches_err = _safe(case_batches, case)
    gangs = alerts = None
    gangs_err = alerts_err = None
    if current_user()["role"] in QUERY_ROLES:
        g, gangs_err = _safe(case_cached, case, "gangs", lambda: analytics().gangs(store(), case))
        gangs = sorted((g or {}).get("gangs", []), key=lambda x: -(x.get("total_flow") or 0))[:10] if g else None
        a, alerts_err = _safe(case_cached, case, "alerts", lambda: analytics().alerts(store(), case))
        alerts = (a or {}).get("alerts", [])[:500] if a else None
        audit("view", case, {"page": "dashboard"})
    alert_names = {"high_frequency_opening": _("频繁开卡"), "watchlist": _("重点人员"), "holder_mismatch": _("人卡不符"),
                   "cross_case": _("串并案")}
    return render_template("dashboard.html", case=case, stats=stats, stats_err=stats_err, batches=batches or [],
                           batches_err=batches_err, gangs=gangs, gangs_err=gangs_err, alerts=alerts,
                           alerts_err=alerts_err, alert_names=alert_names)


@bp.get("/cases/<case>/search")
@role_required(*QUERY_ROLES)
def search(case):
    """Search a case and show the hits grouped by entity type."""
    case = case_access(case)
    q = (request.args.get("q") or "").strip()[:100]
    groups, error, truncated = {}, None, False
    if q:
        try:
            res = analytics().search(store(), case, q, limit=50)
            truncated = res.get("truncated", False)
            for hit in res.get("results", []):
                groups.setdefault(hit["type"], []).append(hit)
            audit("search", case, {"q": q, "hits": len(res.get("results", []))})
        except PochuanError as e:
            error = str(e)
    order = [t for t in ENTITY_TYPES if t in groups]
    return render_template("search.html", case=case, q=q, groups=groups, order=order, error=error,
                           truncated=truncated)


@bp.get("/cases/<case>/workbench")
@role_required(*QUERY_ROLES)
def workbench(case):
    """The network workbench; the start (an entity id, a gang or a cluster) comes in the query string."""
    case = case_access(case)
    start = {k: (request.args.get(k) or "")[:200] for k in ("start", "gang", "cluster", "trace")}
    return render_template("workbench.html", case=case, start=start, rels=GRAPH_RELS)
