"""The pochuan web app: an app factory with one blueprint per feature."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from graphsvc.settings import data_dir, load_settings

__all__ = ["create_app"]


def _secret_key(data: Path) -> str:
    """Return the secret key kept in the data folder, creating it once."""
    path = data / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        os.chmod(path, 0o600)
    return path.read_text().strip()


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings from the environment, then the test dict, then the blueprints."""
    app = Flask(__name__)
    app.config.update(load_settings())
    if test_config:
        app.config.update(test_config)
    data = data_dir(app.config["POCHUAN_DATA"])
    app.config["SECRET_KEY"] = app.config["POCHUAN_SECRET_KEY"] or _secret_key(data)

    from . import status

    app.register_blueprint(status.bp)
    return app
