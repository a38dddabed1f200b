"""Entities of the column path: gathered from the files' blocks by polars, written once per load.

Cards, owners, counterparties, OWNS, devices and card-device USES are mentioned on most rows of
a bank reply. The column path keeps each block's distinct mentions, aggregates them per file when
the file ends (first value of each property in row order, first source rows), and when the load
ends merges the files' aggregates and writes each entity once: appended with GRAPH.BULK when the
store lacks it, else merged by the row path's packed statements (records packed by polars).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path

import polars as pl

from graphsvc.cypher import need

from .bulk import id_frame, list_payload, rows_tokens
from .chunk import SRC_KEEP
from .writer import RS, US, USES_SRC, node_ids

__all__ = ["Mentions", "aggregate"]

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
                    pl.col("id").alias("owner_id"), pl.lit(None, dtype=s).alias("bank"))
    cp = tr.select((pl.col("_n") * 4 + 1).alias("o"), pl.col("counter_card").alias("key"),
                   pl.col("counter_name").alias("owner_name"), pl.col("counter_id").alias("owner_id"),
                   pl.col("counter_bank").alias("bank"))
    cards = pl.concat([own, cp]).unique(subset=["key", "owner_name", "owner_id", "bank"], keep="first")
    a = pl.when(pl.col("side") == "out").then(pl.col("card")).otherwise(pl.col("counter_card"))
    devs = pl.concat([tr.filter(pl.col(c).is_not_null()).select(
        (pl.col("_n") * 4 + k).alias("o"), pl.col(c).alias("key"), pl.lit(kind).alias("kind"), a.alias("a"),
        "time") for c, kind, k in (("ip", "IP", 2), ("mac", "MAC", 3))]).sort("o")
    uses = devs.group_by("a", "key", maintain_order=True).agg(  # the paying card's USES of each IP and MAC
        pl.col("o").first(), pl.col("time").min().alias("first"), pl.col("time").max().alias("last"),
        pl.len().cast(pl.Int64).alias("n"), (pl.col("o") // 4).head(USES_SRC).alias("rows"))
    devs = devs.select("o", "key", "kind").unique(subset=["key"], keep="first", maintain_order=True)
    return {"cards": cards, "devs": devs, "uses": uses}


def _pack(df: pl.DataFrame, parts: list) -> pl.Series:
    """Return one packed record per row of these expressions ('' = absent, separators inside a value become spaces)."""
    clean = [p.cast(pl.String).fill_null("").str.replace_all(_CLEAN, " ") for p in parts]
    return df.select(pl.concat_str(clean, separator=US).alias("r")).to_series()


def _records(df: pl.DataFrame, keys: list, props: list, batch_col) -> pl.Series:
    """Return the packed records of the load_*_packed statements: keys, src (comma-joined), batches, properties."""
    return _pack(df, [pl.col(k) for k in keys] + [pl.col("src").list.join(","), batch_col] + [pl.col(p) for p in props])


_LABELS = {"load_card_packed": ("BankCard", "load_card_ids"), "load_person_packed": ("Person", "load_person_ids"),
           "load_device_packed": ("Device", "load_device_ids")}
need("load_card_ids", "load_person_ids", "load_device_ids", "load_case_id", "load_labels_any", "load_node_count",
     "load_ids_since")
_ANY = {"BankCard": "cards", "Person": "persons", "Device": "devices"}  # load_labels_any's columns
_NO_IDS = pl.DataFrame(schema={"key": pl.String, "id": pl.UInt64})


def compact(blocks: list[dict]) -> dict:
    """Return the aggregates of these blocks' mentions (blocks, or aggregates of earlier blocks, in row order), from
    which aggregate() gives what it gives for all their rows: per entity its first mention `o`, first non-null
    properties and first SRC_KEEP source rows, USES summed. A file's mentions held in memory are then one row per
    entity, not per row (the 工商 demo file x4: ~190 MB less at the peak of pass 1)."""
    parts, raw = [], []
    for b in blocks:  # consecutive blocks are aggregated together
        if "persons" in b and raw:
            parts.append(_partial(raw))
            raw = []
        (parts if "persons" in b else raw).append(b)
    if raw:
        parts.append(_partial(raw))
    uses = _summed_uses(blocks).select(blocks[0]["uses"].columns)
    if len(parts) == 1:
        return {**parts[0], "uses": uses}

    def merged(what: str, keys: list, props: list) -> pl.DataFrame:
        return pl.concat([p[what] for p in parts]).group_by(keys, maintain_order=True).agg(
            pl.col("o").first(), *[pl.col(c).first(ignore_nulls=True) for c in props],
            pl.col("rows").list.explode(keep_nulls=False, empty_as_null=False).head(SRC_KEEP))

    return {"cards": merged("cards", ["key"], ["owner_name", "owner_id", "bank"]),
            "persons": merged("persons", ["key"], ["name"]), "owns": merged("owns", ["a", "b"], []),
            "devs": merged("devs", ["key"], ["kind"]), "uses": uses}


def _partial(blocks: list[dict]) -> dict:
    """Return consecutive blocks' mentions as the aggregates compact() merges: cards, persons, OWNS pairs, devices."""
    cards = pl.concat([b["cards"] for b in blocks]).sort("o")
    people = cards.filter(pl.col("owner_id").is_not_null())
    return {"cards": _agg(cards, ["key"], ["owner_name", "owner_id", "bank"], first=True),
            "persons": _agg(people.select("o", pl.col("owner_id").alias("key"), pl.col("owner_name").alias("name")),
                            ["key"], ["name"], first=True),
            "owns": _agg(people.select("o", pl.col("owner_id").alias("a"), pl.col("key").alias("b")), ["a", "b"], [],
                         first=True),
            "devs": _agg(pl.concat([b["devs"] for b in blocks]).sort("o"), ["key"], ["kind"], first=True)}


def _summed_uses(blocks: list[dict]) -> pl.DataFrame:
    """Return the blocks' USES per (paying card, device) in row order: first row, first and last time, rows
    summed, first source rows."""
    return pl.concat([b["uses"] for b in blocks]).sort("o").group_by("a", "key", maintain_order=True).agg(
        pl.col("o").first(), pl.col("first").min(), pl.col("last").max(), pl.col("n").sum(),
        pl.col("rows").list.explode(keep_nulls=False, empty_as_null=False).head(USES_SRC))


def aggregate(blocks: list[dict], batch: str, prefix: Path) -> dict | None:
    """Aggregate one file's block mentions and spill them to Arrow files named from prefix; return their paths."""
    if not blocks:
        return None
    whole = compact(blocks)
    b = pl.lit(batch).alias("batch")

    def done(what: str) -> pl.DataFrame:  # entities in the order of their first mention
        return whole[what].sort("o", maintain_order=True).drop("o").with_columns(b)

    aggs = {"load_card_packed": done("cards"), "load_person_packed": done("persons"), "load_device_packed": done("devs"),
            "load_owns_card_packed": done("owns"), "uses": whole["uses"].drop("o").with_columns(b)}
    paths = {}
    for what, frame in aggs.items():
        paths[what] = Path(f"{prefix}-{what}.arrow")
        frame.write_ipc(paths[what])
    return paths


class Mentions:
    """The entities a load's files mention: aggregated per file (spilled to Arrow files), written at its end.

    Entities new to the store are appended with GRAPH.BULK (with their IN_CASE, and the OWNS and
    USES that touch them, which cannot exist yet); the others merge through the packed statements.
    """

    def __init__(self, store, case: str, send, ids: dict):
        self.store, self.case, self.send = store, case, send  # send(statement, packed data, batch)
        self.ids = ids  # card key -> internal id, shared with the transfers' writer
        self.files: list[dict] = []  # per file in load order: its aggregate() paths (memory: one file's)
        self.created: dict = {}  # label -> the entities this load appended: a frame of key and id
        self._cards_frame = None  # the cards of `ids` as a frame (_end_ids)
        self._case_id = None
        self._cards = (0, None)  # (files, their cards merged): premerge()

    def premerge(self, n: int | None = None) -> None:
        """Merge the cards of the (first n) files taken so far (a core is free while the last file converts): the
        load's cards, which its transfers wait for, are then stored sooner."""
        n = len(self.files) if n is None else n
        frames = [_src(pl.read_ipc(f["load_card_packed"])) for f in self.files[:n] if f]
        self._cards = (n, _merged("load_card_packed", frames) if frames else None)  # None: merged with the rest

    def load_done(self, batch_rows: int, cards_stored=None) -> None:
        """Write every entity of the load once (cards and persons before OWNS and USES); call cards_stored() once
        every card the load names is stored and in `ids` (its transfers can then be written beside the rest)."""
        (_, cards), later = self._cards, [f for f in self.files[self._cards[0]:] if f]
        files, self.files, self._cards = [f for f in self.files if f], [], (0, None)

        def read(what: str, of: list = files) -> pl.DataFrame:
            return pl.concat([_src(pl.read_ipc(f[what])) for f in of])

        def merged(stmt: str) -> pl.DataFrame:
            if stmt == "load_card_packed" and cards is not None:  # the premerged files', then the later files'
                return _merged(stmt, [cards, read(stmt, later)] if later else [cards])
            return _merged(stmt, [read(stmt)])

        if not files:
            return
        self.created = {label: _NO_IDS for label, _ in _LABELS.values()}
        self._cards_frame = None
        self.stored = self.store.read("load_labels_any").one()  # label -> holds any node (under the loader lock)
        with ThreadPoolExecutor(1, thread_name_prefix="pochuan-merge") as ahead:
            frames = [partial(merged, stmt) for stmt in _STMTS] + [partial(read, "uses")]
            self._write(ahead, frames, batch_rows, cards_stored)

    def _write(self, ahead: ThreadPoolExecutor, frames: list, batch_rows: int, cards_stored) -> None:
        """Write the merged entities of each statement in turn, then the USES: the next frame is made by `ahead`
        while one is written, so the server need not wait for it (two frames at a time: memory)."""
        nxt = ahead.submit(frames[0])
        for i, stmt in enumerate(_STMTS):
            keys, props = _STMTS[stmt]
            agg = nxt.result()
            nxt = ahead.submit(frames[i + 1])
            if stmt in _LABELS:
                agg = self._create_nodes(stmt, agg)
            else:
                agg = self._create_rels("OWNS", agg, ("Person", "a"), ("BankCard", "b"))
            if stmt == "load_card_packed" and cards_stored is not None:
                cards_stored()  # new cards appended, stored ones' ids read: the rest only merges properties
            self._send(stmt, _records(agg, keys, props, pl.col("batches").list.join(",")), "", batch_rows)
        self._uses(nxt.result(), batch_rows)

    def _node_ids(self, stmt: str, keys: list) -> dict:
        """Return key -> internal id of the stored entities of a packed statement's label with these keys."""
        return node_ids(self.store, _LABELS[stmt][1], keys)

    def _appended_ids(self, stmt: str, first: int, keys: pl.Series) -> pl.DataFrame:
        """Return the key and internal id of nodes just appended: read in one scan of the ids from `first` on (about
        half the server time of a lookup per key); a key not found there (its id reused after a deletion) looked up by
        key. As frames: dicts of every entity cost the loading process ~0.3 s of its GIL on a large load."""
        got = self.store.read("load_ids_since", max_rows=1, first=first, label=_LABELS[stmt][0]).one()
        have, ids = got["keys"], got["ids"]
        if isinstance(have, str):  # FalkorDB's joined form
            have = pl.Series([have]).str.split("|").explode() if got["n"] else []
            ids = pl.Series([ids]).str.split(",").explode().cast(pl.UInt64) if got["n"] else []
        found = (pl.DataFrame({"key": pl.Series(have, dtype=pl.String), "id": pl.Series(ids, dtype=pl.UInt64)})
                 .unique("key", keep="last", maintain_order=True) if len(have) == len(ids) == got["n"] else _NO_IDS)
        made = keys.to_frame("key").join(found, on="key", how="inner", maintain_order="left")
        if made.height < keys.len():
            lost = keys.filter(~keys.is_in(made.get_column("key").implode())).to_list()
            made = pl.concat([made, id_frame(self._node_ids(stmt, lost))])
        return made

    def _create_nodes(self, stmt: str, new: pl.DataFrame) -> pl.DataFrame:
        """Append the entities the store lacks (GRAPH.BULK, then their IN_CASE); return the ones it holds."""
        if not new.height:
            return new
        label = _LABELS[stmt][0]
        have = self._node_ids(stmt, new.get_column("key").to_list()) if self.stored[_ANY[label]] else {}
        if label == "BankCard":
            self.ids.update(have)  # the transfers name stored cards too
        fresh = new.filter(~pl.col("key").is_in(pl.Series(list(have), dtype=pl.String).implode()))
        if not fresh.height:
            return new
        props = _STMTS[stmt][1]
        # in key order: pass 2 reads the transfers sorted by their cards' keys, so their ends then come in id order
        fresh = fresh.sort("key").with_columns(pl.lit(list_payload([self.case])).alias("_cases"))
        text = [("key", "key", "str"), *[(p, p, "str") for p in props], ("batches", "batches", "strs"),
                ("src", "src", "strs"), ("cases", "_cases", "raw")]
        first = self.store.read("load_node_count").one()["n"]  # the appended nodes' ids start here
        for token, n in rows_tokens(fresh, label, text):
            self.store.bulk_insert(n, 0, [token], [])
        made = self._appended_ids(stmt, first, fresh.get_column("key"))
        self.created[label] = pl.concat([self.created[label], made])
        if label == "BankCard":
            self.ids.update(zip(made.get_column("key").to_list(), made.get_column("id").to_list()))
        if self._case_id is None:
            self._case_id = self.store.read("load_case_id", case=self.case).one()["id"]
        ends = made.select(pl.col("id").alias("a"), pl.lit(self._case_id, dtype=pl.UInt64).alias("b"))
        for token, n in rows_tokens(ends, "IN_CASE", [], ends=("a", "b")):
            self.store.bulk_insert(0, n, [], [token])
        return new.filter(pl.col("key").is_in(pl.Series(list(have), dtype=pl.String).implode()))

    def _create_rels(self, rtype: str, rels: pl.DataFrame, a: tuple, b: tuple, text=(), nums=()):
        """Append the relationships touching an entity this load created (they cannot exist); return the rest."""
        if not rels.height or not (self.created[a[0]].height or self.created[b[0]].height):
            return rels
        touch = (pl.col(a[1]).is_in(self.created[a[0]].get_column("key").implode())
                 | pl.col(b[1]).is_in(self.created[b[0]].get_column("key").implode()))
        fresh = rels.filter(touch)
        if not fresh.height:
            return rels
        fresh = fresh.with_columns(self._end_ids(fresh.get_column(a[1]), a[0]).alias("_ia"),
                                   self._end_ids(fresh.get_column(b[1]), b[0]).alias("_ib"),
                                   pl.lit(list_payload([self.case])).alias("_cases"))
        txt = [*text, ("cases", "_cases", "raw"), ("batches", "batches", "strs"), ("src", "src", "strs")]
        fresh = fresh.sort("_ia", "_ib")  # relationships in their ends' id order: ~15% less server time
        for token, n in rows_tokens(fresh, rtype, txt, list(nums), ends=("_ia", "_ib")):
            self.store.bulk_insert(0, n, [], [token])
        return rels.filter(~touch)

    def _end_ids(self, keys: pl.Series, label: str) -> pl.Series:
        """Return the internal ids of a relationship's ends: appended by this load, else stored (cards: any the
        load knows; the others looked up once). A join on frames: the Python dicts and lists of every entity's id
        cost the loading process ~0.5 s of its GIL on a large load."""
        if label == "BankCard":
            if self._cards_frame is None or self._cards_frame.height != len(self.ids):
                self._cards_frame = id_frame(self.ids)
            frame = self._cards_frame
        else:
            frame = self.created[label]
        got = keys.to_frame("key").join(frame, on="key", how="left", maintain_order="left").get_column("id")
        if got.null_count():
            stmt = next(k for k, v in _LABELS.items() if v[0] == label)
            found = self._node_ids(stmt, keys.filter(got.is_null()).unique().to_list())
            if label == "BankCard":
                self.ids.update(found)
            more = keys.to_frame("key").join(id_frame(found), on="key", how="left", maintain_order="left")
            got = got.fill_null(more.get_column("id"))
            if got.null_count():
                raise KeyError(f"no internal id for {label} {keys.filter(got.is_null())[0]!r}")
        return got.alias("id")

    def _uses(self, uses: pl.DataFrame, batch_rows: int) -> None:
        """Write USES of (paying card, device): a new one appended whole, an old one merged file by file.

        A stored USES adds each file's row count once (its `marks`), so its merges go per batch.
        """
        if not uses.height:
            return
        whole = uses.group_by("a", "key", maintain_order=True).agg(
            pl.col("first").min(), pl.col("last").max(), pl.col("n").sum(), *_sources())
        rest = self._create_rels("USES", whole, ("BankCard", "a"), ("Device", "key"),
                                 text=[("first", "first", "str"), ("last", "last", "str"), ("marks", "batches", "strs")],
                                 nums=[("count", "n", "long")])
        if rest.height < whole.height:
            uses = uses.join(rest.select("a", "key"), on=["a", "key"], how="semi", maintain_order="left")
        parts = [pl.col("a"), pl.col("key"), pl.col("first"), pl.col("last"), pl.col("n"), pl.col("batch"),
                 pl.col("src").list.join(",")]
        for (batch,), part in uses.partition_by("batch", as_dict=True, maintain_order=True).items():
            self._send("load_uses_card_device_packed", _pack(part, parts), batch, batch_rows)

    def _send(self, stmt: str, records: pl.Series, batch: str, batch_rows: int) -> None:
        """Send packed records in statements of batch_rows records."""
        for i in range(0, records.len(), batch_rows):
            self.send(stmt, RS.join(records.slice(i, batch_rows).to_list()), batch)


def _merged(stmt: str, frames: list) -> pl.DataFrame:
    """Return the entities of a packed statement merged from files' aggregates (a `batch` each) or merged frames
    (`batches`), in load order: first non-null properties, first source rows, batches."""
    keys, props = _STMTS[stmt]
    frames = [f if "batches" in f.columns else f.with_columns(pl.concat_list("batch").alias("batches")).drop("batch")
              for f in frames]
    return pl.concat(frames).group_by(keys, maintain_order=True).agg(
        *[pl.col(p).first(ignore_nulls=True) for p in props], *_sources(lists=True))


def _sources(lists: bool = False) -> list:
    """Return the aggregations of one entity's rows from several files: its first source rows, its batches (from
    a `batch` per row, or `batches` lists when lists)."""
    batches = (pl.col("batches").list.explode() if lists else pl.col("batch").alias("batches"))
    return [pl.col("src").list.explode(keep_nulls=False, empty_as_null=False).head(SRC_KEEP),
            batches.unique(maintain_order=True)]


def _agg(m: pl.DataFrame, keys: list, props: list, first: bool = False) -> pl.DataFrame:
    """Return one row per entity of mentions in row order: (its first mention `o`), first value of each property,
    first source rows."""
    return m.group_by(keys, maintain_order=True).agg(*([pl.col("o").first()] if first else []),
                                                     *[pl.col(p).first(ignore_nulls=True) for p in props],
                                                     (pl.col("o") // 4).head(SRC_KEEP).alias("rows"))


def _src(agg: pl.DataFrame) -> pl.DataFrame:
    """Return a file's aggregate with its source rows as "<batch>#<row>" (kept as numbers until then: memory)."""
    batch = agg.get_column("batch")[0] if agg.height else ""
    rows = pl.col("rows").cast(pl.List(pl.String))  # joined and split again: ~5x faster than list.eval
    src = (pl.lit(f"{batch}#") + rows.list.join(f"\x1f{batch}#")).str.split("\x1f")
    return agg.with_columns(pl.when(rows.list.len() > 0).then(src).otherwise(rows).alias("src")).drop("rows")
