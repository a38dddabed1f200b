"""Every pochuan setting, declared once with its default and help text."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Setting", "SETTINGS", "load_settings", "ROOT"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    """One setting: environment name, default and a help text shown by `pochuan settings`."""

    name: str
    default: object
    help: str

    def read(self, env=os.environ):
        """Return the value from the environment, converted to the default's type."""
        raw = env.get(self.name)
        if raw is None or raw == "":
            return self.default
        if isinstance(self.default, bool):
            return raw.strip().lower() in ("1", "true", "yes", "on")
        if isinstance(self.default, int):
            return int(raw)
        if isinstance(self.default, float):
            return float(raw)
        return raw


SETTINGS: list[Setting] = [
    Setting("POCHUAN_DATA", "./var", "Data folder: embedded store, rejects files, uploads, audit trail."),
    Setting("POCHUAN_GRAPH_URL", "", "Graph store. Empty: embedded FalkorDB under POCHUAN_DATA. "
            "bolt://, neo4j://, neo4j+s:// : a Neo4j 5 server or cluster. redis://, rediss:// : an existing FalkorDB."),
    Setting("POCHUAN_GRAPH_NAME", "pochuan", "Graph name inside FalkorDB."),
    Setting("NEO4J_USER", "neo4j", "Neo4j user when the URL carries none."),
    Setting("NEO4J_PASSWORD", "", "Neo4j password when the URL carries none."),
    Setting("NEO4J_DATABASE", "neo4j", "Neo4j database every query names."),
    Setting("POCHUAN_QUERY_TIMEOUT_MS", 30000, "Time limit of one read query, in milliseconds."),
    Setting("POCHUAN_MAX_ROWS", 20000, "Most rows one read query returns; more sets `truncated`."),
    Setting("POCHUAN_WRITE_BATCH", 20000, "Rows per write statement when loading."),
    Setting("POCHUAN_COLUMNAR", 1, "1: 交易明细 files on FalkorDB load a column at a time (polars); 0: row by row."),
    Setting("POCHUAN_LOAD_WORKERS", "auto", "Worker processes converting 交易明细 files of one load. auto: two on a "
            "machine of two cores or more when two files or more total 32 MB or more, else none; a number: that many."),
    Setting("POCHUAN_SECRET_KEY", "", "Flask secret key; empty: a random key kept in POCHUAN_DATA/secret_key."),
    Setting("POCHUAN_SESSION_MINUTES", 120, "Minutes of inactivity before a web session expires."),
    Setting("POCHUAN_LANG", "zh", "Default interface language (zh or en)."),
]


def load_settings(env=os.environ) -> dict:
    """Return every setting's value, read from the environment with its default."""
    return {s.name: s.read(env) for s in SETTINGS}


def data_dir(path) -> Path:
    """Create the data folder if needed and check it is writable, or say how to fix it."""
    from .errors import StoreUnavailable

    folder = Path(path).resolve()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        import tempfile

        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass  # a unique name: processes starting together must not race on one probe file
    except OSError as e:
        raise StoreUnavailable(f"data folder {folder} is not writable ({e.strerror})",
                               "set POCHUAN_DATA to a folder you can write, or fix its permissions") from None
    return folder
