"""The pochuan web app: an app factory with one blueprint per feature.

create_app() is cheap (no store is opened here: views open the process's store on first use), so
gunicorn can build it in every worker: `gunicorn 'web:create_app()'`.
"""
from __future__ import annotations

import importlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, g, request, session
from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from graphsvc.settings import data_dir, load_settings

__all__ = ["create_app", "csrf"]

csrf = CSRFProtect()
LANGS = ("zh", "en")
# Everything is served by the app itself: no script, style, font or image from elsewhere.
_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
        "font-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")


def _secret_key(data: Path) -> str:
    """Return the secret key kept in the data folder, creating it once."""
    path = data / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text().strip()


def _locale() -> str:
    """Pick the interface language: the user's switch, else POCHUAN_LANG (Chinese by default)."""
    from flask import current_app

    lang = session.get("lang")
    return lang if lang in LANGS else (current_app.config.get("POCHUAN_LANG") or "zh")


def _blueprints(app: Flask) -> None:
    """Register every feature blueprint, with the exports one when it is installed."""
    from . import admin, api, auth, pages, status, upload

    for mod in (status, auth, pages, api, upload, admin):
        app.register_blueprint(mod.bp)
    try:
        exports = importlib.import_module("web.exports")
    except ModuleNotFoundError as e:
        if e.name != "web.exports":
            raise
        exports = None
    if exports is not None and hasattr(exports, "bp"):
        app.register_blueprint(exports.bp)


def _hooks(app: Flask) -> None:
    """Load the user of every request, expose template helpers, and set security headers."""
    from . import auth, users

    app.before_request(auth.load_user)

    @app.context_processor
    def _globals():
        from flask_babel import gettext as _

        user = g.get("user")
        type_names = {"person": _("人员"), "card": _("银行卡"), "phone": _("手机号"), "device": _("设备"),
                      "report": _("报案"), "cashpoint": _("取现网点")}
        return {"user": user, "lang": _locale(), "role_names": users.ROLE_NAMES, "type_names": type_names,
                "can_export": bool(user and user["role"] in auth.EXPORT_ROLES and "exports" in app.blueprints),
                "can_upload": bool(user and user["role"] in auth.UPLOAD_ROLES),
                "can_query": bool(user and user["role"] in auth.QUERY_ROLES)}

    @app.after_request
    def _headers(resp):
        resp.headers.setdefault("Content-Security-Policy", _CSP)
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Referrer-Policy", "same-origin")
        if request.path.startswith("/api/") and resp.mimetype == "application/json":
            resp.headers.setdefault("Cache-Control", "no-store")
        return resp


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, then the test dict, then the blueprints."""
    app = Flask(__name__)
    app.config.update(load_settings())
    if test_config:
        app.config.update(test_config)
    data = data_dir(app.config["POCHUAN_DATA"])
    app.config["SECRET_KEY"] = app.config["POCHUAN_SECRET_KEY"] or _secret_key(data)
    minutes = int(app.config["POCHUAN_SESSION_MINUTES"])
    app.config.update(PERMANENT_SESSION_LIFETIME=timedelta(minutes=minutes), SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Lax", WTF_CSRF_TIME_LIMIT=None,
                      MAX_CONTENT_LENGTH=app.config.get("MAX_CONTENT_LENGTH") or 512 * 1024 * 1024,
                      BABEL_DEFAULT_LOCALE="zh", BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"))
    app.config.setdefault("WTF_CSRF_HEADERS", ["X-CSRFToken", "X-CSRF-Token"])
    Babel(app, locale_selector=_locale)
    csrf.init_app(app)
    from . import errors

    errors.init_app(app)
    _blueprints(app)
    _hooks(app)
    return app
