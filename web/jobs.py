"""Background loading of uploaded files, with a status file any worker process can read.

The status lives in the upload's folder (status.json, replaced atomically), so gunicorn's workers,
whichever receives the poll, all see the same progress.
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from pathlib import Path

__all__ = ["start", "read", "write"]

log = logging.getLogger(__name__)
_lock = threading.Lock()


def write(folder: Path, state: dict) -> None:
    """Replace the status file of a job atomically."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".status-")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(state, f, ensure_ascii=False, default=str)
    os.replace(tmp, folder / "status.json")


def read(folder: Path) -> dict | None:
    """Return the status of a job, or None when there is no such job."""
    try:
        return json.loads((folder / "status.json").read_text(encoding="utf-8"))
    except (FileNotFoundError, NotADirectoryError):
        return None


def _summary(s: dict) -> dict:
    """Return what the page shows of a loader summary (no server paths)."""
    out = {k: s.get(k) for k in ("kind", "layout", "encoding", "read", "loaded", "rejected", "batch")}
    out["file"] = Path(str(s.get("file", ""))).name
    out["has_rejects"] = bool(s.get("rejects")) and bool(s.get("rejected"))
    return out


def _run(app, store, folder: Path, case: str, paths: list[Path], kind, user: str) -> None:
    """Load the files one by one, updating the status after each chunk and each file."""
    from graphsvc import audit
    from graphsvc.errors import PochuanError
    from graphsvc.stats import ensure_case
    from loaders.api import load_file

    state = read(folder)
    data = Path(app.config["POCHUAN_DATA"])

    def progress(rows: int) -> None:
        with _lock:
            state["rows"] += rows
            write(folder, state)

    try:
        ensure_case(store, case)
        for p in paths:
            state.update(current=p.name, rows=0)
            write(folder, state)
            summary = load_file(store, case, p, kind=kind, data_dir=data, progress=progress)
            audit.record(data, user, "import", case, {k: summary.get(k) for k in
                                                      ("kind", "read", "loaded", "rejected", "batch")} | {"file": p.name})
            state["done"].append(_summary(summary))
            write(folder, state)
        state.update(state="done", current=None)
    except PochuanError as e:
        state.update(state="failed", error=str(e), field=getattr(e, "field", None))
    except Exception as e:  # the page must learn the job ended, whatever happened
        log.exception("upload job %s failed", folder.name)
        state.update(state="failed", error=f"{type(e).__name__}: {e}")
    write(folder, state)


def start(app, store, folder: Path, case: str, paths: list[Path], kind, user: str) -> threading.Thread:
    """Start loading in a daemon thread and return it."""
    t = threading.Thread(target=_run, args=(app, store, folder, case, paths, kind, user), daemon=True,
                         name=f"upload-{folder.name}")
    t.start()
    return t
