"""One error shape for every /api/ answer, and friendly pages for the rest.

JSON: {"ok": false, "error": {"code": ..., "message": ..., "field": ...}, "status": N}.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from graphsvc.errors import BadInput, PochuanError

__all__ = ["ApiError", "error_json", "init_app", "is_api"]

log = logging.getLogger(__name__)

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
          413: "too_large", 500: "internal", 503: "unavailable"}


class ApiError(PochuanError):
    """An error raised by a view with its own HTTP status and code."""

    def __init__(self, status: int, message: str, code: str | None = None, field: str | None = None, hint: str = ""):
        super().__init__(message, hint)
        self.status, self.code, self.field = status, code or _CODES.get(status, "error"), field


def is_api() -> bool:
    """Say whether the current request wants JSON (an /api/ path)."""
    return request.path.startswith("/api/")


def error_json(status: int, message: str, code: str | None = None, field: str | None = None):
    """Return the JSON error response."""
    body = {"ok": False, "error": {"code": code or _CODES.get(status, "error"), "message": message, "field": field},
            "status": status}
    return jsonify(body), status


def _respond(status: int, message: str, code: str | None = None, field: str | None = None):
    """Answer JSON under /api/, an HTML page elsewhere."""
    if is_api():
        return error_json(status, message, code, field)
    return render_template("error.html", status=status, message=message, field=field), status


def init_app(app: Flask) -> None:
    """Register the error handlers on the app."""

    @app.errorhandler(CSRFError)
    def _csrf(e):
        return _respond(400, f"CSRF: {e.description}", "csrf", "csrf_token")

    @app.errorhandler(HTTPException)
    def _http(e):
        return _respond(e.code or 500, e.description or e.name, None, None)

    @app.errorhandler(PochuanError)
    def _pochuan(e):
        field = getattr(e, "field", None)
        code = getattr(e, "code", None)
        if isinstance(e, BadInput):
            code = code or "invalid"
        status = getattr(e, "status", 500) or 500
        if status >= 500:
            log.error("pochuan error on %s: %s", request.path, e)
        return _respond(status, str(e), code, field)

    @app.errorhandler(Exception)
    def _other(e):
        log.exception("unexpected error on %s", request.path)
        return _respond(500, "内部错误 internal error", "internal", None)
