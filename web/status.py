"""The store status page: which backend, and its node and relationship counts."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from graphsvc.errors import PochuanError
from graphsvc.store import get_store

bp = Blueprint("status", __name__)


def _info() -> dict:
    """Return the store's description, or the error that stops it."""
    try:
        return {"ok": True, **get_store(current_app.config).info()}
    except PochuanError as e:
        return {"ok": False, "error": str(e)}


@bp.get("/status")
def status_page():
    """Show the store to a person."""
    return render_template("status.html", info=_info())


@bp.get("/api/status")
def status_api():
    """Give the store's description as JSON."""
    info = _info()
    return jsonify(info), (200 if info["ok"] else 503)
