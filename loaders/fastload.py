"""The column path of 交易明细 files on FalkorDB: convert every file of a load, then write it once.

Pass 1, file by file (loaders.pass1; two files at once in worker processes when the load is
large): blocks parsed by polars, normalised and converted a column at a time (loaders.columnar);
rejects written, the entities the rows mention aggregated per file (loaders.mentions), cash events
kept, and each side's transfer row staged to Arrow files under the data directory, split by pair key.
When the last file is read, under the store's write lock: the store thread writes the load's
entities once, then its cash events; meanwhile pass 2 merges the staged rows across the whole load
slice by slice (A's 出 row and B's 进 row become one transfer before anything is written), sets
aside the rows whose pair the store may already hold (graphsvc.pairset) and spills the merged new
transfers. Once the cards are stored, the set-aside rows go through the row path's merge and the
new transfers are appended with GRAPH.BULK (loaders.bulk). Pass 2 holds about PASS2_ROWS staged
rows at a time, not the load.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from .bulk import TRANSFER_COLUMNS, frame_tokens
from .chunk import SRC_KEEP, Chunk
from .mentions import Mentions
from .pass1 import SLICES, Converted, Workers, convert_file
from .transfers import SIDES, SRC, add_transfer
from .writer import RS, US, Writer, card_ids, ensure_pairs

__all__ = ["Stage", "usable"]

PASS2_ROWS = 50_000  # rows pass 2 merges at once (memory follows this, not the load; 150,000 cost ~180 MB more, no faster)
_FILL = ("serial", "ip", "mac", "summary", "channel", "branch")


def usable(store) -> bool:
    """Return True when the column path is on (POCHUAN_COLUMNAR) and can write to this store (FalkorDB:
    GRAPH.BULK and the pair set)."""
    return getattr(store, "backend", "") == "falkordb" and os.environ.get("POCHUAN_COLUMNAR", "1").strip() != "0"


class Stage:
    """The 交易明细 files of one load: converted in pass 1 (loaders.pass1), their transfers written in pass 2."""

    def __init__(self, store, case: str, data_dir: Path, batch_rows: int, prov, workers: int = 0):
        self.store, self.case, self.batch_rows, self.prov = store, case, batch_rows, prov
        self.data_dir = Path(data_dir)
        self.dir: Path | None = None  # opened by the first 交易明细 file: a load of other kinds costs nothing
        self.files: list[list[Path]] = [[] for _ in range(SLICES)]
        self.sizes = [0] * SLICES
        self.batches: list[str] = []
        self.counts: dict = {}  # batch -> [created, merged]
        self.done: dict = {}  # batch -> (read, loaded, rejected) of its file
        self.cash: list = []  # (batch, chunks of cash events) per file, written after the entities
        self.nworkers = workers
        self.workers: Workers | None = None
        self._converting: list = []  # Futures of the files the workers convert, in load order
        self.error: BaseException | None = None  # the first worker file's error (the other files are loaded)
        self._pending: list = []

    @property
    def parallel(self) -> bool:
        """True when worker processes convert this load's files (add() then only starts them)."""
        return self.nworkers > 1

    def _open(self) -> None:
        """Make the staging folder, the store thread and the entity gatherer; check the pair set once per load."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.dir = Path(tempfile.mkdtemp(prefix="stage-", dir=self.data_dir))
        ensure_pairs(self.store)  # the file writers skip the check
        self.mentions = Mentions(self.store, self.case, self._send, self.prov.ids)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="pochuan-store")  # store writes overlap reading
        if self.parallel:
            self.workers = Workers(self.nworkers)

    def add(self, table, layout, batch: str, rejects, progress=None) -> tuple[int, int]:
        """Pass 1 for one file in this process: return (read, loaded); rejects written, the rest kept for pass 2."""
        if self.dir is None:
            self._open()
        self.batches.append(batch)
        self.counts[batch] = [0, 0]
        res = convert_file(table, layout, batch, len(self.batches) - 1, self.dir, rejects, progress)
        self._take(res)
        return res.read, res.loaded

    def submit(self, path: Path, layout, batch: str, rejects_path: Path, header: list, progress=None) -> None:
        """Pass 1 for one file in a worker process; its counts are in `done` once finish() has run."""
        if self.dir is None:
            self._open()
        self.batches.append(batch)
        self.counts[batch] = [0, 0]
        self._converting.append(self.workers.submit(path, layout, batch, len(self.batches) - 1, self.dir,
                                                    rejects_path, header, progress))

    def _take(self, res: Converted) -> None:
        """Keep what pass 1 made of a file for pass 2."""
        self.done[res.batch] = (res.read, res.loaded, res.rejected)
        self.mentions.files.append(res.mentions)
        self.cash.append((res.batch, res.cash))
        for k, path, rows in res.staged:
            self.files[k].append(path)
            self.sizes[k] += rows

    def _collect(self) -> None:
        """Wait for the workers' files and keep them in load order; keep the first file's error in `error`."""
        futures, self._converting = self._converting, []
        try:
            for fut in futures:
                try:
                    self._take(fut.result())
                except Exception as e:  # the other files are loaded; load_files raises it after them
                    self.error = self.error or e
        finally:
            if self.workers is not None:
                self.workers.close()
                self.workers = None

    def _entities(self) -> None:
        """Write the load's entities once, then its cash events (they name its cards): runs on the store thread."""
        self.mentions.load_done(self.batch_rows)
        for batch, chunks in self.cash:
            w = Writer(self.store, self.case, batch, self.batch_rows, self.prov, check_pairs=False, locked=True)
            for ch in chunks:
                w.write(ch)
            w.close()
        self.cash = []

    def _submit(self, fn, *args) -> None:
        """Run a store task on the store thread, after the tasks before it; raise an earlier task's error."""
        for fut in [f for f in self._pending if f.done()]:
            self._pending.remove(fut)
            fut.result()
        self._pending.append(self._pool.submit(fn, *args))

    def _drain(self) -> None:
        """Wait for every store task; raise the first error."""
        pending, self._pending = self._pending, []
        for fut in pending:
            fut.result()

    def _send(self, stmt: str, data: str, batch: str) -> None:
        """Run one packed statement (loaders.mentions)."""
        extra = {"batch": batch} if "batch" in self.store.statement(stmt).params else {}
        self.store.write(stmt, data=data, rs=RS, us=US, case=self.case, **extra)

    def finish(self) -> dict:
        """Pass 2: write the staged transfers slice by slice; return batch -> (created, merged).

        While the store thread writes the entities, the slices are merged into transfers and spilled;
        then the store thread appends one slice's transfers while the next one's records are built.
        """
        if self.dir is None:
            return {}
        try:
            self._collect()
            self._drain()
            with self.store.write_lock():  # entities and transfers are checked, then appended
                entities = self._pool.submit(self._entities)
                held = self.store.pairs.hold()  # read once: pass 2 asks and adds in memory
                ready = [self._prepare(i, pl.concat([pl.read_ipc(p) for p in group]).sort("o"), held)
                         for i, group in enumerate(self._groups_of_slices())]
                held.add(pl.concat([pl.read_ipc(new, columns=["pair"]) for _, new in ready if new is not None]
                                   or [pl.DataFrame({"pair": []}, schema={"pair": pl.String})])
                         .get_column("pair").to_list())
                held.save()  # before any transfer of this load is written (a kill after it only costs lookups)
                entities.result()  # the cards are stored: their ids can be read
                for known, new in ready:
                    if known is not None:
                        self._merge_known(pl.read_ipc(known))
                    if new is not None:
                        self._create(pl.read_ipc(new))
                self._drain()
            return {b: tuple(c) for b, c in self.counts.items() if b in self.done}
        finally:
            if self.workers is not None:
                self.workers.close()
            self._pool.shutdown(wait=True)
            shutil.rmtree(self.dir, ignore_errors=True)

    def _groups_of_slices(self):
        """Yield the staged files of slices taken together up to PASS2_ROWS rows."""
        group, rows = [], 0
        for k, paths in enumerate(self.files):
            group += paths
            rows += self.sizes[k]
            if group and (rows >= PASS2_ROWS or k == SLICES - 1):
                yield group
                group, rows = [], 0

    def _prepare(self, i: int, rows: pl.DataFrame, held) -> tuple[Path | None, Path | None]:
        """Split one slice's rows: those of pairs the store may hold (merged later through the row path) and
        the new ones, merged here into transfers; both spilled. Return their paths (None when empty)."""
        pairs = rows.get_column("pair").unique().to_list()
        known = {p for p, k in zip(pairs, held.known(pairs)) if k}
        old = None
        if known:
            is_old = pl.col("pair").is_in(pl.Series(list(known), dtype=pl.String).implode())
            old = self.dir / f"known-{i:03d}.arrow"
            rows.filter(is_old).write_ipc(old)
            rows = rows.filter(~is_old)
        if not rows.height:
            return old, None
        new = self.dir / f"new-{i:03d}.arrow"
        self._merge(rows).write_ipc(new)
        return old, new

    def _merge_known(self, rows: pl.DataFrame) -> None:
        """Send rows of pairs the store may hold file by file through the row path (lookup, then merge or create)."""
        for batch in self.batches:
            part = rows.filter(pl.col("batch") == batch)
            if not part.height:
                continue
            ch = Chunk(0)
            for r in part.select(TRANSFER_COLUMNS).iter_rows():  # the row path's record layout
                rec = list(r)
                rec[SIDES], rec[SRC] = [rec[SIDES]], [rec[SRC]]  # one side and one source row per staged row
                add_transfer(ch, rec)
            w = Writer(self.store, self.case, batch, self.batch_rows, self.prov, check_pairs=False, locked=True)
            w._transfers(ch.transfers)
            self.counts[batch][0] += w.created
            self.counts[batch][1] += part.height - w.created

    def _merge(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Return new rows merged into transfers (same key, or the other side of the pair); count them per file."""
        gid = _groups(rows)
        rows = rows.with_columns(pl.Series("g", gid, dtype=pl.Int64))
        fills = [pl.col(c).filter(pl.col(c) != "").first().fill_null("").alias(c) for c in _FILL]
        tx = rows.group_by("g", maintain_order=True).agg(
            pl.col("a", "b", "key", "pair", "ts", "time", "amount", "balance", "extra", "batch").first(), *fills,
            pl.col("side").unique(maintain_order=True).alias("sides"), pl.col("src").head(SRC_KEEP).alias("srcs"),
            pl.col("batch").unique(maintain_order=True).alias("batches"))
        made = dict(tx.group_by("batch").len().iter_rows())  # a transfer counts for the file of its first row
        for batch, n in rows.group_by("batch").len().iter_rows():
            self.counts[batch][0] += made.get(batch, 0)
            self.counts[batch][1] += n - made.get(batch, 0)
        return tx

    def _create(self, tx: pl.DataFrame) -> None:
        """Append merged new transfers (their pairs are in the saved filter) with GRAPH.BULK on the store thread."""
        ids = self.prov.ids
        card_ids(self.store, ids, set(tx.get_column("a").unique().to_list()) | set(tx.get_column("b").unique().to_list()))
        for token, n in frame_tokens(tx, ids, self.case):  # FalkorDB appends one while the next is built
            while len(self._pending) > 2:  # at most a few tokens wait in memory
                self._pending.pop(0).result()
            self._submit(self.store.bulk_insert, 0, n, [], [token])


def _groups(rows: pl.DataFrame) -> list[int]:
    """Return each row's transfer (the order `o` of its first row), merging as loaders.transfers.add_transfer does.

    A row joins the first earlier transfer of its pair with the same key, or lacking its side;
    pairs whose rows share one key (the usual case: one 交易流水号 on both sides) need no loop.
    """
    multi = rows.group_by("pair").agg(pl.col("key").n_unique().alias("k")).filter(pl.col("k") > 1)
    first = rows.group_by("pair", maintain_order=True).agg(pl.col("o").first().alias("g"))
    gid = rows.join(first, on="pair", how="left", maintain_order="left").get_column("g").to_list()
    if not multi.height:
        return gid
    mset = set(multi.get_column("pair").to_list())
    open_: dict = {}
    pos = {o: i for i, o in enumerate(rows.get_column("o").to_list())}
    sel = rows.filter(pl.col("pair").is_in(pl.Series(list(mset), dtype=pl.String).implode()))
    for o, pair, key, side in sel.select("o", "pair", "key", "side").iter_rows():
        groups = open_.setdefault(pair, [])
        for g in groups:
            if g[1] == key or side not in g[2]:
                g[2].add(side)
                gid[pos[o]] = g[0]
                break
        else:
            groups.append([o, key, {side}])
            gid[pos[o]] = o
    return gid
