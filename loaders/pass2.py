"""Pass 2 of the column path, the parts that need no store: merging staged rows and building transfer payloads.

Both run in the loader's worker processes when it has them (loaders.pass1.Workers), else in the
loading process: a group of pair slices is merged into transfers (A's 出 row and B's 进 row become
one) after setting aside the rows whose pair the store may hold; once the cards are stored, the
merged transfers become GRAPH.BULK payloads naming their cards by internal id.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Prepared", "prepare_group", "derive", "transfer_token", "drop_files", "FILL"]

FILL = ("serial", "ip", "mac", "summary", "channel", "branch")  # a transfer takes these from any of its rows


@dataclass
class Prepared:
    """One group of slices after pass 2's merge: spilled rows and counts per file."""

    known: Path | None = None  # rows of pairs the store may hold (the row path merges them)
    pairs: Path | None = None  # the pairs of the new transfers
    tokens: list = field(default_factory=list)  # (files' path without suffix, transfers) per payload
    counts: dict = field(default_factory=dict)  # batch -> [created, merged]
    cards: object = None  # the cards the new transfers name (a polars Series)


def prepare_group(i: int, paths: list, stage_dir: Path, bloom: Path | None, case: str, batches: list) -> Prepared:
    """Merge one group of staged slices (their rows read in load order; the pair filter read from a file, None when
    the store holds no transfer) and build the new transfers' payloads but their card ids, all spilled to files.
    batches: the load's, by file."""
    import numpy as np
    import polars as pl

    from graphsvc.pairset import known_mask

    from .bulk import transfer_parts

    # by the cards' keys: the order in which a load creates its cards, so the transfers are appended in their ends'
    # id order (the server then takes ~15% less time over relationships than in row order; measured on 200,000 of
    # them); then each pair's rows together, in load order (what the merge needs: ~3x faster than by hashing)
    rows = derive(pl.concat([pl.read_ipc(p) for p in paths], rechunk=False).sort("a", "b", "pair", "o"), batches)
    drop_files(paths)  # read once: removed now, not all at the load's end (where it delayed the return by ~0.25 s)
    out = Prepared()
    known = None
    if bloom is not None:
        pairs = rows.get_column("pair").unique()
        known = pairs.filter(pl.Series(known_mask(np.fromfile(bloom, dtype=np.uint8), pairs), dtype=pl.Boolean))
    if known is not None and known.len():
        is_old = pl.col("pair").is_in(known.implode())
        out.known = Path(stage_dir) / f"known-{i:03d}.arrow"
        rows.filter(is_old).write_ipc(out.known)
        rows = rows.filter(~is_old)
    if rows.height:
        tx = _merge(rows, out.counts)
        out.pairs = Path(stage_dir) / f"pairs-{i:03d}.arrow"
        tx.select("pair").write_ipc(out.pairs)
        out.cards = pl.concat([tx.get_column("a"), tx.get_column("b")]).unique()
        for j, (frame, parts) in enumerate(transfer_parts(tx, case)):
            base = Path(stage_dir) / f"tx-{i:03d}-{j:03d}"
            parts.array().tofile(f"{base}.bin")  # zero card ids: written in later
            np.save(f"{base}.npy", parts.records())
            frame.slice(parts.start, parts.n).select("a", "b").write_ipc(f"{base}.arrow")
            out.tokens.append((base, parts.n))
    return out


def derive(rows, batches: list):
    """Return staged rows with what pass 1 leaves out (a third less to write and read): each row's file (batch),
    key (its 交易流水号, else its pair), time text (from its epoch seconds: the one form) and source row."""
    import polars as pl

    from .pass1 import file_of

    batch = file_of(pl.col("o")).replace_strict(list(range(len(batches))), batches, return_dtype=pl.String)
    return rows.with_columns(batch.alias("batch"),
                             pl.when(pl.col("serial") != "").then(pl.col("serial")).otherwise(pl.col("pair")).alias("key"),
                             pl.from_epoch("ts", "s").dt.strftime("%Y-%m-%d %H:%M:%S").alias("time"),
                             (batch + "#" + pl.col("n").cast(pl.String)).alias("src"))


def _merge(rows, counts: dict):
    """Return new rows merged into transfers (same key, or the other side of the pair); count them per file."""
    import polars as pl

    from .chunk import SRC_KEEP

    rows = rows.with_columns(_groups(rows))  # ascending ids keep their sorted flag: polars then slices, not hashes
    fills = [pl.col(c).filter(pl.col(c) != "").first().fill_null("").alias(c) for c in FILL]
    tx = rows.group_by("g", maintain_order=True).agg(
        pl.col("a", "b", "key", "pair", "ts", "time", "amount", "balance", "extra", "batch").first(), *fills,
        pl.col("side").unique(maintain_order=True).alias("sides"), pl.col("src").head(SRC_KEEP).alias("srcs"),
        pl.col("batch").unique(maintain_order=True).alias("batches"))
    made = dict(tx.group_by("batch").len().iter_rows())  # a transfer counts for the file of its first row
    for batch, n in rows.group_by("batch").len().iter_rows():
        c = counts.setdefault(batch, [0, 0])
        c[0] += made.get(batch, 0)
        c[1] += n - made.get(batch, 0)
    return tx


def _groups(rows):
    """Return each row's transfer as ids ascending with the rows (sorted by pair, then load order), or, when some
    pair's rows carry several keys, ids in no order; merging as loaders.transfers.add_transfer does.

    A row joins the first earlier transfer of its pair with the same key, or lacking its side;
    pairs whose rows share one key (the usual case: one 交易流水号 on both sides) are one run of rows each.
    """
    import polars as pl

    start = (pl.col("pair") != pl.col("pair").shift(1)).fill_null(True)
    marks = rows.select(start.alias("start"), ((pl.col("key") != pl.col("key").shift(1)) & ~start).alias("other"))
    run = marks.get_column("start").cum_sum().cast(pl.Int64).alias("g")
    other = marks.get_column("other")
    if not other.any():
        return run.set_sorted()
    at = run.is_in(run.filter(other).unique().implode()).arg_true()  # the rows of pairs with several keys
    subs, open_ = [], {}
    for r, key, side in zip(run.gather(at).to_list(), rows.get_column("key").gather(at).to_list(),
                            rows.get_column("side").gather(at).to_list()):
        groups = open_.setdefault(r, [])
        for k, g in enumerate(groups):
            if g[0] == key or side not in g[1]:
                g[1].add(side)
                subs.append(k)
                break
        else:
            groups.append([key, {side}])
            subs.append(len(groups) - 1)
    return (run * (1 << 32)).scatter(at, run.gather(at) * (1 << 32) + pl.Series(subs, dtype=pl.Int64))


def transfer_token(base: Path, ids) -> bytearray:
    """Return one GRAPH.BULK payload of new transfers spilled by prepare_group, its cards named by id."""
    import numpy as np
    import polars as pl

    from .bulk import end_ids, set_ends

    path = Path(f"{base}.bin")
    token = bytearray(path.stat().st_size)
    with open(path, "rb") as fh:  # read into the buffer sent: one copy, not two
        fh.readinto(token)
    a, b = end_ids(pl.read_ipc(f"{base}.arrow"), ids)
    set_ends(token, np.load(f"{base}.npy"), a, b)
    drop_files([path, f"{base}.npy", f"{base}.arrow"])
    return token


def drop_files(paths) -> None:
    """Remove staged files read for the last time (what a failure leaves, the stage folder's removal takes)."""
    for p in paths:
        try:
            os.unlink(p)
        except OSError:
            pass
