"""Helpers of the web tests: users with unique names, log-in through the real form with its CSRF token."""
from __future__ import annotations

import itertools
import re

_ids = itertools.count()
PASSWORD = "correct-horse-1"


def new_user(app, role: str, cases=(), unit=None, prefix="u") -> str:
    """Create a user with a unique name in the app's data folder and return the name."""
    from web import users

    name = f"{prefix}{next(_ids)}_{role[:3]}"
    users.add_user(app.config["POCHUAN_DATA"], name, role, PASSWORD, unit=unit, cases=list(cases))
    return name


def csrf_token(client, path: str = "/login") -> str:
    """Return the CSRF token of a page's form (the token is bound to the session)."""
    html = client.get(path).get_data(as_text=True)
    m = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert m, f"no csrf meta tag on {path}"
    return m.group(1)


def login(client, name: str, password: str = PASSWORD):
    """Log in through the form and return the response."""
    token = csrf_token(client)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token})


def logged_in(app, role: str, cases=(), unit=None):
    """Return (client, name, token) of a fresh user logged in with a role and cases."""
    client = app.test_client()
    name = new_user(app, role, cases, unit)
    resp = login(client, name)
    assert resp.status_code == 302, resp.get_data(as_text=True)[:300]
    return client, name, csrf_token(client, "/cases")


def assert_error(resp, status: int, field: str | None = None):
    """Check the one JSON error shape of the API."""
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    body = resp.get_json()
    assert body is not None, resp.get_data(as_text=True)[:200]
    assert body["ok"] is False and body["status"] == status
    assert set(body["error"]) == {"code", "message", "field"}
    assert isinstance(body["error"]["code"], str) and body["error"]["message"]
    if field is not None:
        assert body["error"]["field"] == field, body
    return body
