"""Pass 1 of the column path: one 交易明细 file converted and staged, in the loading process or a worker.

A file's conversion needs no store: its rejects are written, its entity mentions aggregated and
spilled, its cash events kept and each side's transfer row staged to Arrow files split by pair
key. So a load of several large files converts two at once in worker processes (spawned: polars
runs threads, which do not survive a fork) while the loading process collects the results (and
converts an Excel sheet itself: it has read the sheet whole to learn its columns).
Rows keep their load order across files: `o` = file number << 40 | row order in the file.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Converted", "convert_file", "file_of", "Workers", "SLICES", "workers_for"]

SLICES = 32  # staged rows are split by their pair key: pass 2 holds a few of these slices at a time
COMPACT_BLOCKS = 8  # blocks of entity mentions held before they are compacted into one
STAGE_ROWS = 100_000  # transfer rows a file's conversion holds before staging them (~30 MB)
PARALLEL_BYTES = 32 << 20  # a load of fewer bytes of 交易明细 converts in the loading process (spawning costs ~0.5 s)
WORKER_THREADS = "1"  # polars threads per worker (POLARS_MAX_THREADS, unless set): two workers fill the cores, and
# polars' parallel algorithms cost CPU of their own (~1 s less CPU on the large demo case with one thread each)
# OPENBLAS_NUM_THREADS=1 too (unless set): numpy's BLAS threads spin ~20 ms at import and ~0.1 s after any call,
# and a worker has no matrix to multiply
WORKER_NICE = 10  # workers yield the cores to the loading process and the server, which write what they prepare:
# the server then works through the finish instead of waiting for it and writing alone at the end (~0.6 s less)
_SHIFT = 40


@dataclass
class Converted:
    """What pass 1 made of one file."""

    no: int
    batch: str
    read: int = 0
    loaded: int = 0
    rejected: int = 0
    cash: list = field(default_factory=list)  # Chunks of cash events (written once the cards are stored)
    mentions: dict | None = None  # loaders.mentions.aggregate paths
    staged: list = field(default_factory=list)  # (slice, Arrow path, rows)


def convert_file(table, layout, batch: str, no: int, stage_dir: Path, rejects, progress=None) -> Converted:
    """Convert one open 交易明细 table: rejects written, mentions aggregated, cash kept, transfer rows staged."""
    import polars as pl

    from .chunk import Chunk
    from .columnar import convert_block
    from .frames import blocks
    from .mentions import aggregate, compact

    out = Converted(no, batch)
    order = no << _SHIFT
    seen = []
    ch = Chunk(0)  # the file's cash events, merged: a few statements per file, not per block
    held: list = []  # transfer rows of the last blocks, staged together (fewer, larger files for pass 2)
    for block in blocks(table, len(table.header)):
        before = ch.rows
        tr, mentions, rej = convert_block(block, layout, batch, ch)
        out.read += len(block.numbers) + len(block.rejected)
        for n, why, cells in rej:
            rejects.add(n, why, cells)
        if mentions is not None:
            seen.append(mentions)
            if len(seen) >= COMPACT_BLOCKS:  # memory follows the file's entities, not its rows
                seen = [compact(seen)]
        if tr is not None:
            tr = tr.with_columns(pl.int_range(order, order + tr.height, dtype=pl.Int64).alias("o"),  # o >> 40: the file
                                 (pl.col("pair").str.slice(0, 2).str.to_integer(base=16) % SLICES).alias("_slice"))
            order += tr.height
            held.append(tr)
            if sum(f.height for f in held) >= STAGE_ROWS:
                _spill(held, no, Path(stage_dir), out)
        if progress is not None:
            progress(ch.rows - before)
    _spill(held, no, Path(stage_dir), out)
    out.loaded = ch.rows
    if ch.cash or ch.nodes:
        out.cash.append(ch)
    out.rejected = rejects.count
    out.mentions = aggregate(seen, batch, Path(stage_dir) / f"m{no:05d}")
    return out


def file_of(order):
    """Return the file number of a row order `o` (an int or a polars expression)."""
    return order // (1 << _SHIFT)


def _spill(held: list, no: int, stage_dir: Path, out: Converted) -> None:
    """Stage held transfer rows: one Arrow file per slice of their pair keys."""
    import polars as pl

    if not held:
        return
    rows = pl.concat(held)
    held.clear()
    for (k,), part in rows.partition_by("_slice", as_dict=True, include_key=False).items():
        path = stage_dir / f"{k:02d}-{no:05d}-{len(out.staged):06d}.arrow"
        part.write_ipc(path)
        out.staged.append((k, path, part.height))


def workers_for(total_bytes: int, files: int = 2) -> int:
    """Return how many worker processes convert a load's files (setting POCHUAN_LOAD_WORKERS); auto: two when
    there are two files or more to convert at once and enough bytes to pay for starting them."""
    raw = os.environ.get("POCHUAN_LOAD_WORKERS", "auto").strip().lower()
    if raw not in ("", "auto"):
        try:
            return max(0, int(raw))
        except ValueError:
            return 0
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return min(2, cpus) if cpus > 1 and files > 1 and total_bytes >= PARALLEL_BYTES else 0


_QUEUE = None  # in a worker: where it reports rows converted
_LOCK = threading.Lock()


def _init(queue) -> None:
    """Set up a worker process: its progress queue, its lower priority."""
    global _QUEUE
    _QUEUE = queue
    os.nice(WORKER_NICE)


def _job(path: str, layout, batch: str, no: int, stage_dir: str, rejects_path: str, header: list) -> Converted:
    """Convert one file in a worker process (the table is opened again here)."""
    from .readers import open_table
    from .rejects import Rejects

    table = open_table(Path(path))
    rejects = Rejects(Path(rejects_path), header)
    try:
        return convert_file(table, layout, batch, no, Path(stage_dir), rejects,
                            lambda rows: _QUEUE.put((no, rows)))
    finally:
        rejects.close()
        table.close()


class Workers:
    """Worker processes converting files, and a thread passing their progress to each file's callback."""

    def __init__(self, n: int):
        ctx = mp.get_context("spawn")
        self.queue = ctx.SimpleQueue()
        self.pool = ProcessPoolExecutor(n, mp_context=ctx, initializer=_init, initargs=(self.queue,))
        self.progress: dict = {}
        self._thread = threading.Thread(target=self._relay, name="pochuan-progress", daemon=True)
        self._thread.start()

    def submit(self, path: Path, layout, batch: str, no: int, stage_dir: Path, rejects_path: Path, header: list,
               progress=None):
        """Start converting a file; return its Future (of a Converted)."""
        if progress is not None:
            self.progress[no] = progress
        return self.run(_job, str(path), layout, batch, no, str(stage_dir), str(rejects_path), list(header))

    def run(self, fn, *args):
        """Run any picklable step in a worker; return its Future (a worker started now gets WORKER_THREADS and
        polars' own allocator setting, unless the user set them)."""
        import graphsvc

        env = {k: v for k, v in (("POLARS_MAX_THREADS", WORKER_THREADS), ("OPENBLAS_NUM_THREADS", "1"))
               if k not in os.environ}
        if graphsvc.USER_ALLOCATOR is None:
            env["_RJEM_MALLOC_CONF"] = graphsvc.WORKER_ALLOCATOR
        with _LOCK:  # the pool starts a worker inside submit(): it inherits the environment of that moment
            saved = {k: os.environ.get(k) for k in env}
            os.environ.update(env)
            try:
                return self.pool.submit(fn, *args)
            finally:
                for k, v in saved.items():
                    if v is None:
                        os.environ.pop(k, None)
                    else:
                        os.environ[k] = v

    def _relay(self) -> None:
        """Pass (file number, rows) reports to the files' progress callbacks until told to stop."""
        while True:
            item = self.queue.get()
            if item is None:
                return
            cb = self.progress.get(item[0])
            if cb is not None:
                cb(item[1])

    def close(self) -> None:
        """Stop the workers (waiting for their files) and the relay."""
        try:
            self.pool.shutdown(wait=True, cancel_futures=True)
        finally:
            self.queue.put(None)
            self._thread.join(timeout=5)
