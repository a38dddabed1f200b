"""The audit trail (留痕): who did what, when, in which case; kept in POCHUAN_DATA across restarts.

Web views and CLI commands both record here, so an export from either is traced.
"""
from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

__all__ = ["record", "entries", "ACTIONS"]

ACTIONS = ("login", "login_failed", "logout", "search", "view", "expand", "trace", "paths", "gangs",
           "clusters", "alerts", "freeze", "export", "report", "import", "user_add", "user_change")

_SCHEMA = """CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, user TEXT NOT NULL, action TEXT NOT NULL,
  case_no TEXT, what TEXT NOT NULL, ip TEXT)"""


_local = threading.local()


def _db(data: str | Path) -> sqlite3.Connection:
    """Return this thread's connection to the audit database of a data folder, creating it once.

    Kept open (one per process, thread and folder): closing the last connection of a WAL database
    checkpoints and removes the WAL file, which cost ~10 ms per web request (helper W, issue 5).
    """
    path = Path(data).resolve() / "audit.sqlite3"
    cons = _local.__dict__.setdefault("cons", {})
    key = (os.getpid(), str(path))
    con = cons.get(key)
    if con is None:
        path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(path, timeout=30)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: survives a crash of the app, no fsync per entry
        con.execute(_SCHEMA)
        cons[key] = con
    return con


def record(data: str | Path, user: str, action: str, case: str | None = None,
           what: dict | None = None, ip: str | None = None) -> None:
    """Append one entry; actions come from ACTIONS so the trail stays searchable."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    con = _db(data)
    with con:
        con.execute("INSERT INTO audit (at, user, action, case_no, what, ip) VALUES (?, ?, ?, ?, ?, ?)",
                    (datetime.now().isoformat(timespec="seconds"), user, action, case,
                     json.dumps(what or {}, ensure_ascii=False, default=str), ip))


def entries(data: str | Path, *, user: str | None = None, case: str | None = None,
            action: str | None = None, limit: int = 500) -> list[dict]:
    """Return the newest entries first, filtered by user, case or action."""
    sql, args = "SELECT id, at, user, action, case_no, what, ip FROM audit WHERE 1=1", []
    for col, val in (("user", user), ("case_no", case), ("action", action)):
        if val:
            sql += f" AND {col} = ?"  # column names fixed above, values as parameters
            args.append(val)
    sql += " ORDER BY id DESC LIMIT ?"
    con = _db(data)
    rows = con.execute(sql, [*args, limit]).fetchall()
    return [{"id": r[0], "at": r[1], "user": r[2], "action": r[3], "case": r[4], "what": json.loads(r[5]),
             "ip": r[6]} for r in rows]
