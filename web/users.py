"""Users, roles and case assignments, kept in POCHUAN_DATA/users.sqlite3 (passwords hashed by werkzeug).

Roles: investigator 侦查员 (queries their cases), loader 录入员 (uploads to their cases),
supervisor 督导 (queries and exports every case of their unit), admin (everything, users, audit).
A case belongs to the unit of the users it is assigned to (table case_units), which is how a
supervisor's cases are found.
"""
from __future__ import annotations

import re
import sqlite3
import os
import threading
from contextlib import nullcontext
from datetime import datetime
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from graphsvc.errors import BadInput, NotFound

__all__ = ["ROLES", "ROLE_NAMES", "parse_role", "add_user", "get_user", "check_login", "assign", "unassign",
           "cases_of", "can_access", "list_users", "set_password", "set_active", "user_exists"]

ROLES = ("investigator", "loader", "supervisor", "admin")
ROLE_NAMES = {"investigator": "侦查员", "loader": "录入员", "supervisor": "督导", "admin": "管理员"}
_BY_CHINESE = {v: k for k, v in ROLE_NAMES.items()}
_NAME = re.compile(r"^[\w.\-@\u4e00-\u9fff]{1,64}$")
_CASE = re.compile(r"^[\w.\-()（）\u4e00-\u9fff]{1,100}$")

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, pw_hash TEXT NOT NULL, role TEXT NOT NULL,
       unit TEXT, display TEXT, active INTEGER NOT NULL DEFAULT 1, created TEXT NOT NULL, pw_changed TEXT)""",
    "CREATE TABLE IF NOT EXISTS user_cases (name TEXT NOT NULL, case_no TEXT NOT NULL, PRIMARY KEY (name, case_no))",
    "CREATE TABLE IF NOT EXISTS case_units (case_no TEXT PRIMARY KEY, unit TEXT NOT NULL)",
)


_local = threading.local()


def _db(data: str | Path) -> sqlite3.Connection:
    """Return this thread's connection to the users database of a data folder, creating its tables once.

    Kept open: every web request reads it, and closing the last connection of a WAL database costs a checkpoint.
    """
    path = Path(data).resolve() / "users.sqlite3"
    cons = _local.__dict__.setdefault("cons", {})
    key = (os.getpid(), str(path))
    con = cons.get(key)
    if con is None:
        con = sqlite3.connect(path, timeout=30)
        con.row_factory = sqlite3.Row
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
        for sql in _SCHEMA:
            con.execute(sql)
        con.commit()
        cons[key] = con
    return con


def parse_role(role: str) -> str:
    """Return the role code for an English code or a Chinese name (侦查员, 录入员, 督导, 管理员)."""
    r = (role or "").strip()
    code = _BY_CHINESE.get(r, r.lower())
    if code not in ROLES:
        raise BadInput(f"unknown role {role!r}", f"one of {', '.join(ROLES)} / {', '.join(ROLE_NAMES.values())}",
                       field="role")
    return code


def check_name(name: str) -> str:
    """Return a user name after checking it is short and plain."""
    if not _NAME.match(name or ""):
        raise BadInput(f"bad user name {name!r}", "letters, digits, . - _ @ or Chinese, at most 64", field="name")
    return name


def check_case(case: str) -> str:
    """Return a case number after checking it is plausible (no slashes into paths, no control chars)."""
    if not _CASE.match(case or "") or ".." in case:
        raise BadInput(f"bad case number {case!r}", "letters, digits, Chinese, - _ . ( ), at most 100", field="case")
    return case


def _check_password(password: str) -> str:
    """Refuse passwords too short to be worth hashing."""
    if not password or len(password) < 8:
        raise BadInput("password too short", "use at least 8 characters", field="password")
    return password


def add_user(data, name: str, role: str, password: str, unit: str | None = None,
             cases: list[str] | tuple = (), display: str | None = None) -> dict:
    """Create a user with a hashed password and assign cases; refuse an existing name."""
    name, role = check_name(name), parse_role(role)
    _check_password(password)
    now = datetime.now().isoformat(timespec="seconds")
    with nullcontext(_db(data)) as con, con:
        if con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise BadInput(f"user {name!r} exists", "choose another name, or `pochuan user assign`", field="name")
        con.execute("INSERT INTO users (name, pw_hash, role, unit, display, created, pw_changed) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (name, generate_password_hash(password), role, unit or None, display, now, now))
    for case in cases:
        assign(data, name, case)
    return get_user(data, name)


def user_exists(data, name: str) -> bool:
    """Say whether a user of that name exists."""
    with nullcontext(_db(data)) as con:
        return con.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is not None


def get_user(data, name: str) -> dict:
    """Return a user (without the hash) and their directly assigned cases."""
    with nullcontext(_db(data)) as con:
        row = con.execute("SELECT name, role, unit, display, active, created, pw_changed FROM users WHERE name = ?",
                          (name,)).fetchone()
        if row is None:
            raise NotFound(f"no user {name!r}", "list users with `pochuan user list`")
        cases = [r[0] for r in con.execute("SELECT case_no FROM user_cases WHERE name = ? ORDER BY case_no", (name,))]
    return {**dict(row), "active": bool(row["active"]), "cases": cases, "role_name": ROLE_NAMES[row["role"]]}


def check_login(data, name: str, password: str) -> dict | None:
    """Return the user when the name and password match an active account, else None."""
    with nullcontext(_db(data)) as con:
        row = con.execute("SELECT pw_hash, active FROM users WHERE name = ?", (name or "",)).fetchone()
    if row is None:
        check_password_hash(generate_password_hash("x"), password or "")  # same time as a wrong password
        return None
    if not row["active"] or not check_password_hash(row["pw_hash"], password or ""):
        return None
    return get_user(data, name)


def set_password(data, name: str, password: str) -> None:
    """Replace a user's password; sessions opened before are ended (pw_changed moves)."""
    _check_password(password)
    with nullcontext(_db(data)) as con, con:
        cur = con.execute("UPDATE users SET pw_hash = ?, pw_changed = ? WHERE name = ?",
                          (generate_password_hash(password), datetime.now().isoformat(timespec="seconds"), name))
        if not cur.rowcount:
            raise NotFound(f"no user {name!r}")


def set_active(data, name: str, active: bool) -> None:
    """Enable or disable an account."""
    with nullcontext(_db(data)) as con, con:
        if not con.execute("UPDATE users SET active = ? WHERE name = ?", (int(active), name)).rowcount:
            raise NotFound(f"no user {name!r}")


def assign(data, name: str, case: str, unit: str | None = None) -> None:
    """Give a user access to a case; the case joins the user's unit (or `unit`) if it has none yet."""
    check_case(case)
    with nullcontext(_db(data)) as con, con:
        row = con.execute("SELECT unit FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise NotFound(f"no user {name!r}", "create it with `pochuan user add`")
        con.execute("INSERT OR IGNORE INTO user_cases (name, case_no) VALUES (?, ?)", (name, case))
        owner = unit or row["unit"]
        if owner:
            con.execute("INSERT OR IGNORE INTO case_units (case_no, unit) VALUES (?, ?)", (case, owner))


def unassign(data, name: str, case: str) -> None:
    """Take a case away from a user."""
    with nullcontext(_db(data)) as con, con:
        con.execute("DELETE FROM user_cases WHERE name = ? AND case_no = ?", (name, case))


def cases_of(data, user: dict) -> list[str] | None:
    """Return the case numbers a user may see; None means every case (admin)."""
    if user["role"] == "admin":
        return None
    with nullcontext(_db(data)) as con:
        found = {r[0] for r in con.execute("SELECT case_no FROM user_cases WHERE name = ?", (user["name"],))}
        if user["role"] == "supervisor" and user.get("unit"):
            found |= {r[0] for r in con.execute("SELECT case_no FROM case_units WHERE unit = ?", (user["unit"],))}
    return sorted(found)


def can_access(data, user: dict, case: str) -> bool:
    """Say whether a user may see a case."""
    allowed = cases_of(data, user)
    return allowed is None or case in allowed


def list_users(data) -> list[dict]:
    """Return every user with their cases, without hashes."""
    with nullcontext(_db(data)) as con:
        names = [r[0] for r in con.execute("SELECT name FROM users ORDER BY name")]
    return [get_user(data, n) for n in names]
