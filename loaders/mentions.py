"""Entities of the column path: gathered from a file's blocks by polars, written once per file.

Cards, owners, counterparties, OWNS, devices and card-device USES are mentioned on most rows of
a bank reply. The column path keeps each block's distinct mentions, aggregates them when the file
ends (first value of each property in row order, first source rows) and writes them with the row
path's packed statements, the records packed by polars. An entity already written by an earlier
file of the load only has that file's batch, sources and missing properties gathered; they are
written once when the load ends (as loaders.writer.Provenance does for the row path).
"""
from __future__ import annotations

import polars as pl

from .chunk import SRC_KEEP
from .writer import RS, US, USES_SRC

__all__ = ["Mentions"]

_CLEAN = "[\x1e\x1f]"
# statement: (key columns, property columns) of the packed records (after key, src, batches)
_STMTS = {"load_card_packed": (["key"], ["owner_name", "owner_id", "bank"]),
          "load_person_packed": (["key"], ["name"]),
          "load_device_packed": (["key"], ["kind"]),
          "load_owns_card_packed": (["a", "b"], [])}


def block_mentions(df: pl.DataFrame, tr: pl.DataFrame) -> dict:
    """Return the distinct mentions of one block's loaded rows (df) and transfer rows (tr), with row order `o`."""
    s = pl.String
    own = df.select((pl.col("_n") * 4).alias("o"), pl.col("card").alias("key"), pl.col("name").alias("owner_name"),
                    pl.col("id").alias("owner_id"), pl.lit(None, dtype=s).alias("bank"), "src")
    cp = tr.select((pl.col("_n") * 4 + 1).alias("o"), pl.col("counter_card").alias("key"),
                   pl.col("counter_name").alias("owner_name"), pl.col("counter_id").alias("owner_id"),
                   pl.col("counter_bank").alias("bank"), "src")
    cards = pl.concat([own, cp]).unique(subset=["key", "owner_name", "owner_id", "bank"], keep="first")
    a = pl.when(pl.col("side") == "out").then(pl.col("card")).otherwise(pl.col("counter_card"))
    devs = pl.concat([tr.filter(pl.col(c).is_not_null()).select(
        (pl.col("_n") * 4 + k).alias("o"), pl.col(c).alias("key"), pl.lit(kind).alias("kind"), a.alias("a"),
        "time", "src") for c, kind, k in (("ip", "IP", 2), ("mac", "MAC", 3))])
    return {"cards": cards, "devs": devs}


def _records(df: pl.DataFrame, keys: list, props: list, batch_col) -> pl.Series:
    """Return one packed record per row: keys, src (comma-joined), batches, properties ('' = absent)."""
    parts = [pl.col(k) for k in keys] + [pl.col("src").list.join(","), batch_col] + [pl.col(p) for p in props]
    clean = [p.cast(pl.String).fill_null("").str.replace_all(_CLEAN, " ") for p in parts]
    return df.select(pl.concat_str(clean, separator=US).alias("r")).to_series()


class Mentions:
    """The mentions of the file being read, and what earlier files of the load already wrote."""

    def __init__(self, send):
        self.send = send  # send(statement, packed data, batch): runs one packed statement
        self.blocks: list[dict] = []
        self.written: dict = {s: set() for s in _STMTS}
        self.later: dict = {s: [] for s in _STMTS}

    def add(self, mentions: dict) -> None:
        """Keep one block's mentions."""
        self.blocks.append(mentions)

    def take(self) -> list[dict]:
        """Return the mentions of the file just read (the reader goes on with the next file)."""
        out, self.blocks = self.blocks, []
        return out

    def file_done(self, blocks: list[dict], batch: str, batch_rows: int) -> None:
        """Aggregate a file's mentions and write them (entities new to the load now, the rest at load end)."""
        if not blocks:
            return
        cards = pl.concat([b["cards"] for b in blocks]).sort("o")
        devs = pl.concat([b["devs"] for b in blocks]).sort("o")
        people = cards.filter(pl.col("owner_id").is_not_null())
        frames = {
            "load_card_packed": _agg(cards, ["key"], ["owner_name", "owner_id", "bank"]),
            "load_person_packed": _agg(people.select("o", pl.col("owner_id").alias("key"),
                                                     pl.col("owner_name").alias("name"), "src"), ["key"], ["name"]),
            "load_device_packed": _agg(devs, ["key"], ["kind"]),
            "load_owns_card_packed": _agg(people.select("o", pl.col("owner_id").alias("a"), pl.col("key").alias("b"),
                                                        "src"), ["a", "b"], []),
        }
        for stmt, agg in frames.items():  # in this order: cards and persons before OWNS
            keys, props = _STMTS[stmt]
            ident = agg.get_column(keys[0]) if len(keys) == 1 else agg.select(
                pl.concat_str(keys, separator=US)).to_series()
            seen = self.written[stmt]
            old = ident.is_in(pl.Series(list(seen), dtype=pl.String).implode()) if seen else pl.Series([False] * agg.height, dtype=pl.Boolean)
            self.later[stmt].append(agg.filter(old).with_columns(pl.lit(batch).alias("batches")))
            new = agg.filter(~old)
            seen.update(ident.filter(~old).to_list())
            self._send(stmt, _records(new, keys, props, pl.lit(batch)), batch, batch_rows)
        self._uses(devs, batch, batch_rows)

    def _uses(self, devs: pl.DataFrame, batch: str, batch_rows: int) -> None:
        """Write the file's USES of each (paying card, device): time span, row count, a few sources, counted once."""
        if not devs.height:
            return
        agg = devs.group_by("a", "key", maintain_order=True).agg(
            pl.col("time").min().alias("first"), pl.col("time").max().alias("last"), pl.len().cast(pl.String).alias("n"),
            pl.col("src").head(USES_SRC))
        parts = [pl.col("a"), pl.col("key"), pl.col("first"), pl.col("last"), pl.col("n"), pl.lit(batch),
                 pl.col("src").list.join(",")]
        rows = agg.select(pl.concat_str([p.fill_null("").str.replace_all(_CLEAN, " ") for p in parts],
                                        separator=US).alias("r")).to_series()
        self._send("load_uses_card_device_packed", rows, batch, batch_rows)

    def load_done(self, batch_rows: int) -> None:
        """Write the batches, sources and missing properties later files added to entities written earlier."""
        for stmt, frames in self.later.items():
            frames = [f for f in frames if f.height]
            if not frames:
                continue
            keys, props = _STMTS[stmt]
            agg = pl.concat(frames).group_by(keys, maintain_order=True).agg(
                *[pl.col(p).drop_nulls().first() for p in props],
                pl.col("src").list.explode(keep_nulls=False, empty_as_null=False).head(SRC_KEEP), pl.col("batches").unique(maintain_order=True).str.join(","))
            self._send(stmt, _records(agg, keys, props, pl.col("batches")), "", batch_rows)
        self.later = {s: [] for s in _STMTS}

    def _send(self, stmt: str, records: pl.Series, batch: str, batch_rows: int) -> None:
        """Send packed records in statements of batch_rows records."""
        for i in range(0, records.len(), batch_rows):
            self.send(stmt, RS.join(records.slice(i, batch_rows).to_list()), batch)


def _agg(m: pl.DataFrame, keys: list, props: list) -> pl.DataFrame:
    """Return one row per entity of mentions in row order: first value of each property, first source rows."""
    return m.group_by(keys, maintain_order=True).agg(*[pl.col(p).drop_nulls().first() for p in props],
                                                     pl.col("src").head(SRC_KEEP))
