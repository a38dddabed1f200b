"""Admin pages: users and their cases, and the audit trail (留痕)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from graphsvc import audit as audit_log
from graphsvc.errors import PochuanError

from . import users
from .auth import audit, data_folder, role_required

__all__ = ["bp"]

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/users")
@role_required("admin")
def users_page():
    """List users with their roles, units and cases."""
    return render_template("admin_users.html", users=users.list_users(data_folder()), roles=users.ROLES,
                           role_names=users.ROLE_NAMES)


@bp.post("/users")
@role_required("admin")
def users_post():
    """Add a user, assign a case, or enable/disable an account (one form each)."""
    f = request.form
    action = f.get("action")
    try:
        if action == "add":
            cases = [c.strip() for c in (f.get("cases") or "").split(",") if c.strip()]
            users.add_user(data_folder(), f.get("name", "").strip(), f.get("role", ""), f.get("password", ""),
                           unit=(f.get("unit") or "").strip() or None, cases=cases)
            audit("user_add", None, {"name": f.get("name"), "role": f.get("role"), "cases": cases})
        elif action == "assign":
            users.assign(data_folder(), f.get("name", ""), (f.get("case") or "").strip())
            audit("user_change", f.get("case"), {"name": f.get("name"), "assign": f.get("case")})
        elif action in ("enable", "disable"):
            users.set_active(data_folder(), f.get("name", ""), action == "enable")
            audit("user_change", None, {"name": f.get("name"), "active": action == "enable"})
        else:
            flash(_("未知操作"), "error")
            return redirect(url_for("admin.users_page")), 303
        flash(_("已保存"), "ok")
    except PochuanError as e:
        flash(str(e), "error")
    return redirect(url_for("admin.users_page"), 303)


@bp.get("/audit")
@role_required("admin")
def audit_page():
    """Read the audit trail, newest first, filtered by user, case or action."""
    filters = {k: (request.args.get(k) or "").strip()[:100] or None for k in ("user", "case", "action")}
    rows = audit_log.entries(data_folder(), limit=1000, **filters)
    return render_template("admin_audit.html", rows=rows, filters=filters, actions=audit_log.ACTIONS)
