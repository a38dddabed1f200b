"""The column path of 交易明细 files on FalkorDB: convert every file of a load, then write it once.

Pass 1, file by file (loaders.pass1; two files at once in worker processes when the load is
large): blocks parsed by polars, normalised and converted a column at a time (loaders.columnar);
rejects written, the entities the rows mention aggregated per file (loaders.mentions), cash events
kept, and each side's transfer row staged to Arrow files under the data directory, split by pair key.
When the last file is read, under the store's write lock, three things run at once: the store
thread writes the load's entities once; pass 2 (loaders.pass2, in the workers when there are some)
merges the staged rows across the whole load a group of pair slices at a time (A's 出 row and B's
进 row become one transfer before anything is written), sets aside the rows whose pair the store may
already hold (graphsvc.pairset) and builds the new transfers' GRAPH.BULK payloads; and, once the
cards are stored, a second store thread writes the cash events and appends each group's transfers
with their card ids, while the set-aside rows go through the row path's merge. Pass 2 holds about
PASS2_ROWS staged rows of a group at a time, not the load.
"""
from __future__ import annotations

import os
import shutil
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from graphsvc.errors import PochuanError
from graphsvc.store import process_gone

from .bulk import TRANSFER_COLUMNS, id_frame
from .chunk import Chunk
from .mentions import Mentions
from .pass1 import SLICES, Converted, Workers, convert_file
from .pass2 import drop_files, prepare_group, transfer_token
from .transfers import SIDES, SRC, add_transfer
from .writer import RS, US, Writer, card_ids, ensure_pairs

__all__ = ["Stage", "usable"]

PASS2_ROWS = 50_000  # rows pass 2 merges at once (memory follows this, not the load; 150,000 cost ~180 MB more, no faster)


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
        self.cash: list = []  # (batch, chunks of cash events) per file, written once the cards are stored
        self.nworkers = workers
        self.workers: Workers | None = None
        self._converting: list = []  # Futures of the files the workers convert, in load order
        self.error: BaseException | None = None  # the first worker file's error (the other files are loaded)
        self._ids = None  # the card ids frame of pass 2

    @property
    def parallel(self) -> bool:
        """True when worker processes convert this load's files (submit(); add() still converts here)."""
        return self.nworkers > 1

    def in_worker(self, batch: str) -> bool:
        """True while this batch's counts wait for finish() (a worker converts its file, or a converted Excel
        sheet waits to be taken in load order)."""
        return batch in self.counts and batch not in self.done

    def _open(self) -> None:
        """Make the staging folder, the store thread and the entity gatherer; check the pair set once per load."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        sweep_stages(self.data_dir)
        self.dir = Path(tempfile.mkdtemp(prefix=f"stage-{os.getpid()}-", dir=self.data_dir))
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
        if self.parallel:  # kept in load order with the workers' files
            self._converting.append(_done(res))
        else:
            self._take(res)
        return res.read, res.loaded

    def submit(self, path: Path, layout, batch: str, rejects_path: Path, header: list, progress=None) -> None:
        """Pass 1 for one file in a worker process; its counts are in `done` once finish() has run."""
        if self.dir is None:
            self._open()
        self.batches.append(batch)
        self.counts[batch] = [0, 0]
        with _worker_deaths():
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
        """Wait for the workers' files and keep them in load order; keep the first file's error in `error`. Once
        at most one file still converts (a core is free), the cards of the files taken are merged meanwhile."""
        futures, self._converting = self._converting, []
        early = None
        for i, fut in enumerate(futures):
            try:
                self._take(_result(fut))
            except Exception as e:  # the other files are loaded; load_files raises it after them
                self.error = self.error or e
            if early is None and self.workers is not None and 0 < sum(not f.done() for f in futures[i + 1:]) <= 1:
                early = self._pool.submit(self.mentions.premerge)  # the store thread, idle until finish
        if early is not None:
            early.result()

    def _entities(self, cards_stored=None) -> None:
        """Write the load's entities once: runs on the store thread."""
        self.mentions.load_done(self.batch_rows, cards_stored)

    def _cash_events(self) -> None:
        """Write the load's cash events (they name its cards: run once those are stored)."""
        for batch, chunks in self.cash:
            w = Writer(self.store, self.case, batch, self.batch_rows, self.prov, check_pairs=False, locked=True)
            for ch in chunks:
                w.write(ch)
            w.close()
        self.cash = []

    def _send(self, stmt: str, data: str, batch: str) -> None:
        """Run one packed statement (loaders.mentions)."""
        extra = {"batch": batch} if "batch" in self.store.statement(stmt).params else {}
        self.store.write(stmt, data=data, rs=RS, us=US, case=self.case, **extra)

    def finish(self) -> dict:
        """Pass 2: write the load's entities and its transfers; return batch -> (created, merged).

        The store thread writes the entities while pass 2 merges the slices into transfers and builds
        their payloads but the card ids (in the worker processes when there are some). Once the cards
        are stored, each group's transfers are appended by a second store thread, beside the entities
        still being written: the server works on both.
        """
        if self.dir is None:
            return {}
        try:
            self._collect()
            with self.store.write_lock(), self.store.appending():  # entities and transfers checked, then appended
                cards = threading.Event()
                entities = self._pool.submit(self._entities, cards.set)
                held = self.store.pairs.hold()  # read once: every group is tested against it as it was
                bloom = self.dir / "pairs.bloom" if held.bits.any() else None  # none stored yet: nothing to test
                if bloom is not None:
                    held.bits.tofile(bloom)
                jobs = [self._run(prepare_group, i, group, self.dir, bloom, self.case, list(self.batches))
                        for i, group in enumerate(self._groups_of_slices())]
                with ThreadPoolExecutor(1, thread_name_prefix="pochuan-transfers") as out:
                    sent: list = []
                    cash = None
                    while jobs:
                        preps = [_result(jobs.pop(0))]
                        while jobs and jobs[0].done():  # the groups ready by now share one save of the pairs
                            preps.append(_result(jobs.pop(0)))
                        if cash is None:
                            _wait(cards, entities)
                            cash = out.submit(self._cash_events)  # before the transfers, beside the entities
                        self._write_groups(preps, held, out, sent)
                    if cash is None:
                        _wait(cards, entities)
                        cash = out.submit(self._cash_events)
                    for fut in sent:
                        fut.result()
                    cash.result()
                entities.result()
            return {b: tuple(c) for b, c in self.counts.items() if b in self.done}
        finally:
            if self.workers is not None:
                self.workers.close()
                self.workers = None
            self._pool.shutdown(wait=True)
            shutil.rmtree(self.dir, ignore_errors=True)

    def _write_groups(self, preps: list, held, out: ThreadPoolExecutor, sent: list) -> None:
        """Write prepared groups (the cards are stored): their pairs into the stored filter, saved once, then their
        transfers."""
        for prep in preps:
            for batch, (made, merged) in prep.counts.items():
                self.counts[batch][0] += made
                self.counts[batch][1] += merged
            if prep.known is not None:
                self._merge_known(pl.read_ipc(prep.known))
                drop_files([prep.known])
        preps = [p for p in preps if p.pairs is not None]
        if not preps:
            return
        for prep in preps:
            held.add(pl.read_ipc(prep.pairs).get_column("pair"))
            drop_files([prep.pairs])
        # saved before the groups' transfers are written (a kill after it only costs lookups), by the thread that
        # writes them: this one goes on preparing payloads (it waited ~1.5 s per large load behind their GRAPH.BULKs)
        sent.append(out.submit(held.save, held.bits.tobytes()))
        for prep in preps:
            ids = self._card_ids(prep.cards)
            for base, n in prep.tokens:
                token = transfer_token(base, ids)
                while len(sent) > 2:  # at most a few payloads wait in memory
                    sent.pop(0).result()
                sent.append(out.submit(self.store.bulk_insert, 0, n, [], [token]))

    def _run(self, fn, *args) -> Future:
        """Run a pass-2 step in a worker process, or here (then the Future is already done)."""
        if self.workers is not None:
            with _worker_deaths():
                return self.workers.run(fn, *args)
        return _done(fn(*args))

    def _card_ids(self, cards: pl.Series):
        """Return the internal ids of the load's cards as a frame of key and id (stored cards looked up once)."""
        ids = self.prov.ids
        if self._ids is None or self._ids.height != len(ids):
            self._ids = id_frame(ids)
        missing = cards.filter(~cards.is_in(self._ids.get_column("key").implode())).to_list()
        if missing:
            card_ids(self.store, ids, missing)
            self._ids = id_frame(ids)
        return self._ids

    def _groups_of_slices(self):
        """Yield the staged files of slices taken together up to PASS2_ROWS rows."""
        group, rows = [], 0
        for k, paths in enumerate(self.files):
            group += paths
            rows += self.sizes[k]
            if group and (rows >= PASS2_ROWS or k == SLICES - 1):
                yield group
                group, rows = [], 0

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


def sweep_stages(data_dir: Path) -> list[Path]:
    """Remove the staging folders of loads killed before their end (their process is gone): a large load leaves
    hundreds of MB there. Folders of running loads, this process's and of unknown owners are kept."""
    gone = []
    for d in Path(data_dir).glob("stage-*"):
        parts = d.name.split("-")
        owner = int(parts[1]) if len(parts) >= 3 and parts[1].isdigit() else None
        if owner is None or owner == os.getpid() or not process_gone(owner):  # a pid reused: kept, the safe side
            continue
        shutil.rmtree(d, ignore_errors=True)
        gone.append(d)
    return gone


def _done(value) -> Future:
    """Return a Future already holding value (work done in this process, kept in line with the workers')."""
    fut: Future = Future()
    fut.set_result(value)
    return fut


def _wait(cards: threading.Event, entities: Future) -> None:
    """Wait until the store thread has stored the load's cards (or ended: its error is raised)."""
    while not cards.wait(0.05):
        if entities.done():
            entities.result()
            return


def _result(fut: Future):
    """Return a worker's result; a worker that died (killed, out of memory) becomes an error a user can act on."""
    with _worker_deaths():
        return fut.result()


@contextmanager
def _worker_deaths():
    """Turn a dead worker (killed, out of memory), met waiting for a result or giving it the next step, into an error
    a user can act on."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        yield
    except BrokenProcessPool:
        raise PochuanError("转换进程意外退出 a loader worker process died (killed, or out of memory)",
                           "load the same files again: nothing is counted twice; POCHUAN_LOAD_WORKERS=0 loads in "
                           "one process") from None
