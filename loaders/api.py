"""load_files: the one entry point of ingestion, used by `pochuan load` and the web upload.

Each file is one import batch (key: hash of case, kind and content). Every data row is either
loaded or written to the file's rejects CSV with its row number and reason, so read = loaded +
rejected always holds and is recorded on the ImportBatch node.
"""
from __future__ import annotations

import getpass
import hashlib
import os
from datetime import datetime
from pathlib import Path

from graphsvc import audit
from graphsvc.errors import BadInput

from . import normalize as nz
from .chunk import Chunk
from .convert import converter
from .mapping import builtin_layout, layout_from_mapping, load_mapping
from .readers import TOO_WIDE, TRUNCATED, open_table, too_wide
from .rejects import Rejects
from .columnar import supported as columnar_supported
from .fastload import Stage, usable
from .pass1 import workers_for
from .writer import Provenance, Writer

__all__ = ["load_files", "load_file", "batch_key", "CHUNK_ROWS"]

CHUNK_ROWS = 20000  # rows per chunk; POCHUAN_WRITE_BATCH overrides


def _chunk_rows() -> int:
    """Return the rows per chunk and per write statement (setting POCHUAN_WRITE_BATCH)."""
    try:
        return max(1, int(os.environ.get("POCHUAN_WRITE_BATCH") or CHUNK_ROWS))
    except ValueError:
        return CHUNK_ROWS


def _sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, read in blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def batch_key(case: str, kind: str, sha256: str) -> str:
    """Return the import batch key: the same file loaded into the same case is the same batch."""
    return hashlib.sha256(f"{case}\n{kind}\n{sha256}".encode()).hexdigest()[:16]


def _now() -> str:
    """Return the local time as 'YYYY-MM-DD HH:MM:SS'."""
    return datetime.now().strftime("%Y-%m-%d %H:%M:%S")


class _Feed:
    """Rows of one file into chunks: checked, converted, queued for the writer; every row counted."""

    def __init__(self, conv, writer, rejects, batch: str, batch_rows: int, progress):
        self.conv, self.writer, self.rejects, self.batch = conv, writer, rejects, batch
        self.batch_rows, self.progress = batch_rows, progress
        self.read = self.loaded = 0
        self.chunk = Chunk(0)

    def row(self, n: int, cells, width: int) -> None:
        """Take one row: reject it if cut, too wide or unconvertible (with the reason), else add it to the chunk."""
        self.read += 1
        if cells is None:
            self.rejects.add(n, TRUNCATED, [])
            return
        if too_wide(cells, width):
            self.rejects.add(n, TOO_WIDE, cells)
            return
        ch = self.chunk
        try:
            self.conv(cells, f"{self.batch}#{n}", ch, f"{self.batch}:{ch.index}")
        except nz.BadValue as e:
            self.rejects.add(n, str(e), cells)
            return
        self.loaded += 1
        ch.rows += 1
        if ch.rows >= self.batch_rows:
            self._put()

    def _put(self) -> None:
        """Queue the current chunk for the writer and start the next one."""
        self.writer.put(self.chunk)
        if self.progress is not None:
            self.progress(self.chunk.rows)
        self.chunk = Chunk(self.chunk.index + 1)

    def end(self) -> None:
        """Queue the last chunk."""
        self.writer.put(self.chunk)
        if self.progress is not None:
            self.progress(self.chunk.rows)


def load_file(store, case: str, path, kind: str | None = None, mapping: dict | None = None,
              data_dir=None, progress=None, batch_rows: int | None = None, threaded: bool = True,
              prov: Provenance | None = None, stage: Stage | None = None) -> dict:
    """Load one file into a case and return its summary {file, kind, read, loaded, rejected, rejects, batch}.

    A 交易明细 file on FalkorDB goes the column path: converted now, its transfers written when the
    stage finishes (at once for a single file; after the last file when load_files passes a stage).
    """
    path = Path(path)
    batch_rows = batch_rows or _chunk_rows()
    table = open_table(path)
    try:
        if mapping is not None:
            layout = layout_from_mapping(mapping, table.header, path.name)
        else:
            layout = builtin_layout(kind, table.header, path.name)
        # an Excel sheet is already read whole (calamine): converted here, beside the workers' files
        to_worker = (stage is not None and stage.parallel and columnar_supported(layout) and usable(store)
                     and table.format not in ("xlsx", "xls"))
        conv = converter(layout)
        sha = _sha256(path)
        batch = batch_key(case, layout.kind, sha)
        data = Path(data_dir or os.environ.get("POCHUAN_DATA", "./var"))
        rejects_path = data / "rejects" / f"{batch}_{path.stem}.rejects.csv"
        store.write("load_batch_start", key=batch, case=case, file=str(path.name), kind=layout.kind, sha256=sha,
                    now=_now())
        summary = {"file": str(path), "kind": layout.kind, "layout": layout.name, "format": table.format,
                   "encoding": table.encoding, "rejects": str(rejects_path), "batch": batch}
        if columnar_supported(layout) and usable(store):
            if to_worker:  # load_files finishes it
                table.close()
                stage.submit(path, layout, batch, rejects_path, table.header, progress)
                return summary
            own = stage is None
            if own:
                prov = prov or Provenance()
                stage = Stage(store, case, data, batch_rows, prov)
            rejects = Rejects(rejects_path, table.header)
            try:
                stage.add(table, layout, batch, rejects, progress)
            finally:
                rejects.close()
            if not own:
                return summary  # load_files finishes the stage, then the batch (finish_staged)
            try:
                counts = stage.finish()
            finally:
                prov.flush(store, case, batch_rows)
            return finish_staged(store, summary, stage.done, counts)
        rejects = Rejects(rejects_path, table.header)
        writer = Writer(store, case, batch, batch_rows, prov)
        if threaded:
            writer.start()
        feed = _Feed(conv, writer, rejects, batch, batch_rows, progress)
        try:
            for n, cells in table.rows:
                feed.row(n, cells, len(table.header))
            feed.end()
        finally:
            try:
                writer.close()
            finally:
                rejects.close()
        read, loaded = feed.read, feed.loaded
        store.write("load_batch_finish", key=batch, now=_now(), read=read, loaded=loaded,
                    rejected=rejects.count, rejects=str(rejects.path))
    finally:
        table.close()
    summary.update(read=read, loaded=loaded, rejected=rejects.count, transfers_new=writer.created,
                   transfers_merged=writer.merged)
    return summary


def finish_staged(store, summary: dict, done: dict, counts: dict) -> dict:
    """Record a column-path file's batch as finished: its rows read, loaded and rejected, and the transfers
    its rows created and merged."""
    read, loaded, rejected = done[summary["batch"]]
    made, merged = counts.get(summary["batch"], (0, 0))
    summary.update(read=read, loaded=loaded, rejected=rejected, transfers_new=made, transfers_merged=merged)
    store.write("load_batch_finish", key=summary["batch"], now=_now(), read=summary["read"], loaded=summary["loaded"],
                rejected=summary["rejected"], rejects=summary["rejects"])
    return summary


def load_files(store, case: str, paths, kind: str | None = None, mapping=None, data_dir=None,
               progress: bool = False, user: str = "cli") -> list[dict]:
    """Load files into a case (kind detected from headers unless given) and return one summary per file."""
    case = (case or "").strip()
    if not case:
        raise BadInput("缺少案件编号 missing case number", "pass --case CASE_NO", field="case")
    if kind is not None and mapping is not None:
        raise BadInput("--kind 与 --mapping 不能同时使用 give --kind or --mapping, not both",
                       "a mapping file names its kind", field="kind")
    mp = load_mapping(mapping) if isinstance(mapping, (str, Path)) else mapping
    data = Path(data_dir or os.environ.get("POCHUAN_DATA", "./var"))
    store.write("case_ensure", case=case, title=case, now=_now())
    paths = list(paths)
    out, staged, bars, counts = [], [], [], None
    prov = Provenance()  # entities met in several files get their later provenance once, at the end
    stage = Stage(store, case, data, _chunk_rows(), prov, workers_for(_bytes(paths), len(paths))) if usable(store) else None
    try:
        for p in paths:
            bar = _bar(Path(p)) if progress else None
            try:
                summary = load_file(store, case, p, kind=kind, mapping=mp, data_dir=data,
                                    progress=bar.update if bar is not None else None, prov=prov, stage=stage)
            finally:
                if bar is not None:
                    bars.append(bar)
            if bar is not None and not (stage is not None and stage.in_worker(summary["batch"])):
                bars.pop().close()  # converted and taken: done (the others keep their bars until the load ends)
            if stage is not None and summary["batch"] in stage.counts:
                staged.append(summary)
            else:
                _audit(data, user, case, summary)
            out.append(summary)
    finally:  # also when a later file fails: what earlier files added is kept
        try:
            counts = stage.finish() if stage is not None else {}
        finally:
            for bar in bars:
                bar.close()
            prov.flush(store, case, _chunk_rows())
        for summary in staged:  # what was loaded is recorded, also when another file failed
            if summary["batch"] in stage.done:
                finish_staged(store, summary, stage.done, counts)
                _audit(data, user, case, summary)
        if stage is not None and stage.error is not None:
            raise stage.error
    return out


def _bytes(paths) -> int:
    """Return the total size of the files of a load (0 for a file that is not there: its error comes later)."""
    total = 0
    for p in paths:
        try:
            total += Path(p).stat().st_size
        except OSError:
            pass
    return total


def _audit(data: Path, user: str, case: str, summary: dict) -> None:
    """Record one loaded file in the audit trail."""
    audit.record(data, user or "cli", "import", case, {k: summary[k] for k in
                                                        ("file", "kind", "read", "loaded", "rejected", "batch")})


def _bar(path: Path):
    """Return a tqdm progress bar on stderr counting loaded rows."""
    from tqdm import tqdm

    return tqdm(desc=path.name, unit=" rows", unit_scale=True, leave=False, dynamic_ncols=True)


def default_user() -> str:
    """Return the CLI user for the audit trail: $USER or 'cli'."""
    try:
        return os.environ.get("USER") or getpass.getuser() or "cli"
    except Exception:  # no passwd entry in a container
        return "cli"
