"""Upload of seizure files by 录入员: saved under POCHUAN_DATA/uploads/<case>/<job>, loaded in the background.

The POST answers at once (202) with a job; the page polls its status (file by file, rows so far), so a
large bank reply neither blocks a worker's request past gunicorn's timeout nor leaves the user guessing.
The rejects file of a batch is downloadable by anyone who may see the case.
"""
from __future__ import annotations

import importlib
import re
import secrets
import time
from pathlib import Path

from flask import Blueprint, current_app, render_template, request, send_file, url_for

from graphsvc.errors import BadInput

from . import jobs
from . import validate as v
from .api import case_batches, ok, store
from .auth import UPLOAD_ROLES, audit, case_access, current_user, data_folder, login_required, role_required
from .errors import ApiError

__all__ = ["bp", "KINDS", "safe_name"]

bp = Blueprint("upload", __name__)

# Kinds the loaders know (loaders.mapping.KINDS when installed); empty lets the loader detect from the headers.
KINDS = ("persons", "cards", "phones", "devices", "transfers", "seizures", "victims", "watchlist")
_SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xls")
MAX_FILES = 20


def _loaders():
    """Check the loaders are installed (loaders.api.load_file), or answer 503."""
    try:
        return importlib.import_module("loaders.api")
    except ModuleNotFoundError:
        raise ApiError(503, "loader not available", "unavailable") from None


def kinds() -> tuple:
    """Return the kinds of file the loaders know."""
    try:
        return tuple(importlib.import_module("loaders.mapping").KINDS)
    except (ImportError, AttributeError):
        return KINDS


def safe_name(name: str) -> str:
    """Return a file name without folders or odd characters, keeping Chinese (unlike secure_filename)."""
    base = Path((name or "").replace("\\", "/")).name
    base = re.sub(r"[^\w.\-()（）\u4e00-\u9fff]", "_", base).lstrip(".")
    return base[:120] or "upload"


@bp.get("/cases/<case>/upload")
@role_required(*UPLOAD_ROLES)
def page(case):
    """Show the upload form with the case's earlier batches."""
    case = case_access(case)
    return render_template("upload.html", case=case, kinds=kinds(), batches=case_batches(case))


@bp.post("/api/cases/<case>/upload")
@role_required(*UPLOAD_ROLES)
def upload(case):
    """Save the posted files and start loading them in the background; answer 202 with the job to poll."""
    case = case_access(case)
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files:
        raise BadInput("no file posted", "choose one or more files", field="files")
    if len(files) > MAX_FILES:
        raise BadInput(f"at most {MAX_FILES} files at once", field="files")
    kind = (request.form.get("kind") or "").strip() or None
    if kind is not None and kind not in kinds():
        raise BadInput(f"unknown kind {kind!r}", f"one of {', '.join(kinds())}", field="kind")
    names = [safe_name(f.filename) for f in files]
    for name in names:
        if not name.lower().endswith(_SUFFIXES):
            raise BadInput(f"file {name!r} is not a table", f"use {', '.join(_SUFFIXES)}", field="files")
    _loaders()
    job = time.strftime("%Y%m%d-%H%M%S-") + secrets.token_hex(4)
    folder = _job_dir(case, job)
    folder.mkdir(parents=True)
    paths = []
    for f, name in zip(files, names):
        target = folder / name
        f.save(target)
        paths.append(target)
    user = current_user()["name"]
    jobs.write(folder, {"job": job, "case": case, "user": user, "state": "running", "kind": kind,
                        "files": [p.name for p in paths], "done": [], "current": None, "rows": 0, "error": None})
    audit("import", case, {"via": "web upload", "job": job, "files": [p.name for p in paths], "kind": kind})
    jobs.start(current_app._get_current_object(), store(), folder, case, paths, kind, user)
    return ok({"job": job, "status": url_for("upload.status", case=case, job=job)}, 202)


@bp.get("/api/cases/<case>/upload/<job>")
@role_required(*UPLOAD_ROLES)
def status(case, job):
    """Progress of an upload: state (running, done, failed), per-file summaries so far, rows of the current file."""
    case = case_access(case)
    v.only()
    if not re.fullmatch(r"[0-9]{8}-[0-9]{6}-[0-9a-f]{8}", job):
        raise ApiError(400, "bad job id", "invalid", "job")
    state = jobs.read(_job_dir(case, job))
    if state is None or state.get("case") != case:
        raise ApiError(404, "no such upload", "not_found", "job")
    return ok(state)


def _job_dir(case: str, job: str) -> Path:
    """Return the folder of an upload job (its files and status.json)."""
    return data_folder() / "uploads" / re.sub(r"[^\w\-]", "_", case) / job


@bp.get("/api/cases/<case>/batches/<batch>/rejects")
@login_required
def rejects(case, batch):
    """Download the rejected rows of one import batch (with the reason of each)."""
    case = case_access(case)
    v.only()
    row = next((b for b in case_batches(case, limit=10000) if b["batch"] == batch), None)
    if row is None:
        raise ApiError(404, "no such batch in this case", "not_found", "batch")
    path = Path(str(row.get("rejects") or ""))
    root = data_folder().resolve()
    if not row.get("rejects") or not path.resolve().is_relative_to(root) or not path.is_file():
        raise ApiError(404, "this batch has no rejects file", "not_found", "batch")
    audit("export", case, {"rejects": batch})
    return send_file(path, as_attachment=True, download_name=f"rejects-{Path(str(row.get('file') or batch)).stem}{path.suffix}")
