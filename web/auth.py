"""Log-in, sessions that expire, and the checks every view uses. Reusable by other blueprints:

    from web.auth import login_required, role_required, case_access, current_user, data_folder, audit

    @bp.get("/api/cases/<case>/export")
    @role_required("supervisor", "admin")     # implies login_required
    def export(case):
        case_access(case)                     # 404 when the user may not see this case
        audit("export", case, {"kind": "..."})

- `login_required`: 401 JSON under /api/, a redirect to the log-in page elsewhere.
- `role_required(*roles)`: roles are "investigator", "loader", "supervisor", "admin"; 403 otherwise.
- `case_access(case)`: returns the case number when the user may see it; raises 404 (never 403,
  so a user cannot learn which case numbers exist). Admin sees every case; a supervisor every
  case of their unit.
- `current_user()`: the user dict (name, role, unit, cases) or None.
- `audit(action, case, what)`: graphsvc.audit.record with the user, the data folder and the IP.
"""
from __future__ import annotations

import time
from functools import wraps
from pathlib import Path

from flask import (Blueprint, current_app, flash, g, redirect, render_template, request, session, url_for)
from flask_babel import gettext as _

from graphsvc import audit as audit_log

from . import users
from .errors import ApiError, is_api

__all__ = ["bp", "login_required", "role_required", "case_access", "current_user", "data_folder", "audit",
           "QUERY_ROLES", "UPLOAD_ROLES", "EXPORT_ROLES", "allowed_cases"]

bp = Blueprint("auth", __name__)

QUERY_ROLES = ("investigator", "supervisor", "admin")
UPLOAD_ROLES = ("loader", "admin")
EXPORT_ROLES = ("supervisor", "admin")


def data_folder() -> Path:
    """Return the data folder of the app."""
    return Path(current_app.config["POCHUAN_DATA"])


def current_user() -> dict | None:
    """Return the logged-in user of this request, or None."""
    return g.get("user")


def audit(action: str, case: str | None = None, what: dict | None = None) -> None:
    """Record an action of the current user in the audit trail."""
    user = current_user()
    audit_log.record(data_folder(), user["name"] if user else "anonymous", action, case, what,
                     ip=request.remote_addr)


def load_user() -> None:
    """Put the session's user in g, ending sessions that are idle too long or outdated."""
    g.user = None
    name = session.get("user")
    if not name:
        return
    minutes = int(current_app.config.get("POCHUAN_SESSION_MINUTES") or 120)
    now = time.time()
    if now - float(session.get("seen", 0)) > minutes * 60:
        session.clear()
        g.session_expired = True
        return
    try:
        user = users.get_user(data_folder(), name)
    except Exception:  # user deleted or database unreadable: log out
        session.clear()
        return
    if not user["active"] or (user.get("pw_changed") or "") != session.get("pw"):
        session.clear()
        return
    session["seen"] = now
    g.user = user


def _unauthorized():
    """Answer a request that needs a log-in."""
    if is_api():
        msg = _("会话已过期，请重新登录") if g.get("session_expired") else _("请先登录")
        raise ApiError(401, msg, "unauthorized")
    return redirect(url_for("auth.login", next=request.full_path if request.method == "GET" else None))


def login_required(view):
    """Refuse the view to anonymous users."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user() is None:
            return _unauthorized()
        return view(*args, **kwargs)

    return wrapped


def role_required(*roles: str):
    """Refuse the view to users without one of these roles (and to anonymous users)."""
    unknown = set(roles) - set(users.ROLES)
    if unknown:
        raise ValueError(f"unknown roles {unknown}")

    def deco(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user()
            if user is None:
                return _unauthorized()
            if user["role"] not in roles:
                raise ApiError(403, _("您的角色无权执行此操作"), "forbidden")
            return view(*args, **kwargs)

        return wrapped

    return deco


def allowed_cases() -> list[str] | None:
    """Return the cases of the current user (None: every case)."""
    return users.cases_of(data_folder(), current_user())


def case_access(case: str) -> str:
    """Return the case when the current user may see it; 404 otherwise."""
    user = current_user()
    if user is None:
        raise ApiError(401, _("请先登录"), "unauthorized")
    if not users.can_access(data_folder(), user, case):
        raise ApiError(404, _("没有这个案件，或您无权查看"), "not_found", "case")
    return case


def _safe_next(target: str | None) -> str:
    """Return a local path to go to after log-in, refusing other hosts."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("pages.cases")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the log-in form and check it."""
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()
        user = users.check_login(data_folder(), name, request.form.get("password") or "")
        if user is None:
            audit_log.record(data_folder(), name[:64] or "?", "login_failed", None, {}, ip=request.remote_addr)
            flash(_("用户名或密码错误"), "error")
            return render_template("login.html", name=name), 401
        session.clear()
        session.permanent = True
        session.update(user=user["name"], seen=time.time(), pw=user.get("pw_changed") or "",
                       lang=session.get("lang"))
        g.user = user
        audit("login", None, {"role": user["role"]})
        return redirect(_safe_next(request.form.get("next")))
    return render_template("login.html", name="")


@bp.post("/logout")
def logout():
    """End the session."""
    if current_user():
        audit("logout")
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("auth.login"))


@bp.get("/lang/<code>")
def set_lang(code: str):
    """Switch the interface language (zh or en) and go back."""
    if code not in ("zh", "en"):
        raise ApiError(404, "unknown language", "not_found", "code")
    session["lang"] = code
    return redirect(_safe_next(request.args.get("next")))
