"""GRAPH.BULK payloads: nodes and relationships appended to FalkorDB in its bulk loader's binary format.

A Cypher CREATE costs FalkorDB ~25 µs per transfer (query parsing, parameter decoding, 20
properties); the binary format costs ~4 µs. Format (FalkorDB src/bulk_insert/bulk_insert.c): a
header (label or type NUL, uint32 property count, property names NUL-terminated), then per record:
for a relationship its source and destination node ids (uint64), then each property as a type
byte and its value (NULL 0, DOUBLE 2 + 8 bytes, STRING 3 + NUL-terminated UTF-8, LONG 4 + 8 bytes,
ARRAY 5 + int64 length + values). Text and list properties are assembled column-wise by polars, ids
and numbers by numpy as fixed-width parts that one numpy insert lays before each record's text.
"""
from __future__ import annotations

import re
import struct
from dataclasses import dataclass

__all__ = ["str_lists", "rows_tokens", "frame_tokens", "transfer_parts", "end_ids", "Parts", "set_ends", "id_frame", "records_frame", "TRANSFER_COLUMNS"]

_CLEAN_RE = "[\x00\x1e\x1f]"  # NUL ends a payload string; the separators go as the packed Cypher path sends them
# Transfer records of loaders.transfers (A, B, KEY ... EXTRA), as columns.
TRANSFER_COLUMNS = ["a", "b", "key", "pair", "ts", "time", "amount", "serial", "summary", "channel", "branch", "ip",
                    "mac", "side", "src", "balance", "extra"]
_TRANSFER_TEXT = ["key", "pair", "time", "serial", "summary", "channel", "branch", "ip", "mac", "extra"]


def _header(name: str, props: list[str]) -> bytes:
    """Return the token header of nodes with this label, or relationships of this type, with these properties."""
    return name.encode() + b"\x00" + struct.pack("<I", len(props)) + b"".join(p.encode() + b"\x00" for p in props)


_LEN_BYTE = [chr(i) for i in range(101)]  # an array's int64 length, its low byte (the other 7 bytes are NUL)


def _text_exprs(df, text: list) -> list:
    """Return the payload text of each text property as polars expressions: a string (empty: absent) or a list
    of strings (at most 100; joined in one step unless an element is null or holds a reserved byte)."""
    import polars as pl

    probe = []
    for i, (_, col, kind) in enumerate(text):
        if kind == "raw":  # already payload text (a constant list: list_payload)
            continue
        if kind == "strs":
            c = pl.col(col)
            probe += [c.list.len().max().alias(f"longest{i}"),
                      (c.explode().str.contains(_CLEAN_RE) | c.explode().is_null()).any().alias(f"odd{i}")]
        else:  # a column without reserved bytes (the usual case) is taken as it is: ~40% less time
            probe.append(pl.col(col).cast(pl.String).str.contains(_CLEAN_RE).any().alias(f"odd{i}"))
    got = df.select(probe).row(0, named=True) if df.height and probe else {}
    exprs = []
    for i, (_, col, kind) in enumerate(text):
        if kind == "raw":
            exprs.append(pl.col(col))
            continue
        if kind != "strs":
            c = pl.col(col).cast(pl.String)
            clean = c.str.replace_all(_CLEAN_RE, " ") if got.get(f"odd{i}") else c
            exprs.append(pl.when(c.is_not_null() & (c != "")).then(
                pl.lit("\x03") + clean + pl.lit("\x00")).otherwise(pl.lit("\x00")))
            continue
        items = pl.col(col).list.head(100) if (got.get(f"longest{i}") or 0) > 100 else pl.col(col)
        if got.get(f"odd{i}"):  # element by element (a null element is left out)
            items = items.list.drop_nulls()
            body = items.list.eval(pl.lit("\x03") + pl.element().str.replace_all(_CLEAN_RE, " ")
                                   + pl.lit("\x00")).list.join("")
        else:  # each element is \x03 text \x00: one join
            body = pl.when(items.list.len() > 0).then(pl.lit("\x03") + items.list.join("\x00\x03") + pl.lit("\x00"))\
                .otherwise(pl.lit(""))
        size = items.list.len().replace_strict(list(range(101)), _LEN_BYTE, return_dtype=pl.String)
        exprs.append(pl.lit("\x05") + size + pl.lit("\x00" * 7) + body)
    return exprs


def list_payload(values: list[str]) -> str:
    """Return the payload text of one list of strings (what _text_exprs makes of it: a constant column is then a
    literal, not joined row by row)."""
    values = [re.sub(_CLEAN_RE, " ", v) for v in values if v is not None][:100]
    return "\x05" + _LEN_BYTE[len(values)] + "\x00" * 7 + "".join(f"\x03{v}\x00" for v in values)


@dataclass
class Parts:
    """The GRAPH.BULK records of up to `rows` rows, their fixed-width parts (end node ids, numbers) left as NUL
    placeholders in the text polars assembled: numpy writes them in place, ids possibly later (set_ends)."""

    header: bytes
    body: object  # numpy uint8: every record, its fixed part as placeholders, one after the other
    lens: object  # numpy int64: bytes of each record
    nums: object  # numpy uint8 (n, width): each record's numbers (type byte and value)
    start: int  # first row of the frame
    n: int
    rels: bool  # the records begin with their two end node ids

    def array(self, a=None, b=None):
        """Return the payload as a numpy byte array (sent, or written to a file, without a copy to bytes), with the
        records' end node ids (uint64 arrays) for relationships (else zeros)."""
        import numpy as np

        out = np.empty(len(self.header) + len(self.body), dtype=np.uint8)
        out[:len(self.header)] = np.frombuffer(self.header, dtype=np.uint8)
        out[len(self.header):] = self.body
        at = self.records()
        if self.nums.shape[1]:
            _put(out, at + (16 if self.rels else 0), self.nums)
        if self.rels and a is not None:
            set_ends(out, at, a, b)
        return out

    def records(self):
        """Return where each record starts in the payload (numpy int64)."""
        import numpy as np

        at = np.zeros(self.n, dtype=np.int64)
        np.cumsum(self.lens[:-1], out=at[1:])
        return at + len(self.header)


def _put(buf, at, fixed) -> None:
    """Write each record's fixed-width bytes (numpy uint8, one row per record) where it starts in buf."""
    import numpy as np

    buf[(at[:, None] + np.arange(fixed.shape[1], dtype=np.int64)[None, :]).ravel()] = fixed.ravel()


def set_ends(token, records, a, b) -> None:
    """Write the end node ids of a payload built with zero ids (records: where each record starts)."""
    import numpy as np

    ends = np.empty((len(records), 2), dtype="<u8")
    ends[:, 0], ends[:, 1] = a, b
    _put(np.frombuffer(token, dtype=np.uint8), records, ends.view(np.uint8).reshape(len(records), 16))


def rows_tokens(df, name: str, text: list, nums: list = (), ends: tuple | None = None, rows: int = 100_000):
    """Yield (GRAPH.BULK payload, count) for nodes (ends None) or relationships (ends: two id columns) of a frame; a
    payload is a numpy byte array, sent as it is (a copy to bytes cost the loading process ~0.2 s of its GIL).

    text: (property, column, kind) with kind "str" (empty = absent), "strs" (a list column) or "raw" (payload text
    already, e.g. list_payload of a constant list);
    nums: (property, column, kind) with kind "long" or "double", null = absent.
    """
    for part, parts in frame_parts(df, name, text, nums, rows, rels=bool(ends)):
        if ends:
            piece = part.slice(parts.start, parts.n)
            yield parts.array(piece.get_column(ends[0]).to_numpy(), piece.get_column(ends[1]).to_numpy()), parts.n
        else:
            yield parts.array(), parts.n


def frame_parts(df, name: str, text: list, nums: list, rows: int = 100_000, rels: bool = False):
    """Yield (frame, Parts of rows start..start+n of that frame): rows lacking a number go in parts whose header
    lacks it, so every record is a fixed-width part (ids, numbers) and its text, laid out by numpy alone."""
    import polars as pl

    nullable = [col for _, col, _ in nums if df.get_column(col).null_count()]
    if not nullable:
        for parts in _parts(df, name, text, list(nums), rows, rels):
            yield df, parts
        return
    pattern = df.select(pl.concat_str([pl.col(c).is_null().cast(pl.String) for c in nullable]).alias("_p"))
    df = df.with_columns(pattern.to_series())
    for (_,), part in df.partition_by("_p", as_dict=True, maintain_order=True).items():
        present = [n for n in nums if n[1] not in nullable or part.get_column(n[1])[0] is not None]
        part = part.drop("_p")
        for parts in _parts(part, name, text, present, rows, rels):
            yield part, parts


def _parts(df, name: str, text: list, nums: list, rows: int, rels: bool):
    """Yield the Parts of rows that all have every number in nums."""
    import numpy as np
    import polars as pl

    header = _header(name, [p for p, _, _ in nums] + [p for p, _, _ in text])
    fields = []
    for i, (_, _, kind) in enumerate(nums):
        fields += [(f"t{i}", "u1"), (f"v{i}", "<i8" if kind == "long" else "<f8")]
    dt = np.dtype(fields) if fields else None
    width = (16 if rels else 0) + (dt.itemsize if dt is not None else 0)
    exprs = _text_exprs(df, text)
    if exprs and width:
        exprs.insert(0, pl.lit("\x00" * width))  # placeholders, then the text
    for start in range(0, df.height, rows):
        part = df.slice(start, rows)
        n = part.height
        if exprs:
            t = part.select(pl.concat_str(exprs).alias("t")).to_series()
            lens = t.str.len_bytes().to_numpy().astype(np.int64)
            body = np.frombuffer(t.str.join("").cast(pl.Binary).item(), dtype=np.uint8)  # bytes without a str copy
        else:  # placeholders only
            lens, body = np.full(n, width, dtype=np.int64), np.zeros(n * width, dtype=np.uint8)
        fixed = np.zeros(n, dtype=dt) if dt is not None else None
        for i, (_, col, kind) in enumerate(nums):
            fixed[f"t{i}"] = 4 if kind == "long" else 2
            fixed[f"v{i}"] = part.get_column(col).to_numpy()
        nums_bytes = fixed.view(np.uint8).reshape(n, dt.itemsize) if dt is not None else np.zeros((n, 0), np.uint8)
        yield Parts(header, body, lens, nums_bytes, start, n, rels)


_TRANSFER_STRS = [("sides", "sides", "strs"), ("src", "srcs", "strs"), ("cases", "_cases", "raw"),
                  ("batches", "batches", "strs")]
_TRANSFER_NUMS = [("ts", "ts", "long"), ("amount", "amount", "double"), ("balance", "balance", "double")]


def frame_tokens(df, ids, case: str, rows: int = 100_000):
    """Yield (GRAPH.BULK payload as a numpy byte array, count) for new transfers: a frame of TRANSFER_COLUMNS with
    `sides`, `srcs` and `batches` lists; ids maps card keys to internal node ids (a dict, or a frame of key and id)."""
    for part, parts in transfer_parts(df, case, rows):
        piece = part.slice(parts.start, parts.n)
        a, b = end_ids(piece, ids)
        yield parts.array(a, b), parts.n


def transfer_parts(df, case: str, rows: int = 25_000):
    """Yield (frame, Parts) of new transfers (frame_tokens without the card ids)."""
    import polars as pl

    df = df.with_columns(pl.lit(list_payload([case])).alias("_cases"))
    text = [(c, c, "str") for c in _TRANSFER_TEXT] + _TRANSFER_STRS
    yield from frame_parts(df, "TRANSFER", text, _TRANSFER_NUMS, rows, rels=True)


def id_frame(ids: dict):
    """Return key -> internal id (cards, persons, devices) as a frame of `key` and `id`: what end_ids maps the cards
    with, and the ends of the entities' relationships (loaders.mentions)."""
    import polars as pl

    return pl.DataFrame({"key": pl.Series(list(ids), dtype=pl.String),
                         "id": pl.Series(list(ids.values()), dtype=pl.UInt64)})


def end_ids(df, ids):
    """Return the internal ids of the cards in columns a and b (numpy uint64); ids: a dict or a frame key, id.

    A join, not replace_strict (which builds its map of every card per call: ~10 ms); a column sorted by its
    cards (a, as pass 2 writes them) is looked up once per run of the same card."""
    import numpy as np
    import polars as pl

    frame = id_frame(ids) if isinstance(ids, dict) else ids
    frame = frame.select("key", pl.col("id").cast(pl.UInt64))
    out = []
    for c in ("a", "b"):
        col = df.get_column(c)
        runs = col.rle()
        keys, lens = (runs.struct.field("value"), runs.struct.field("len")) if runs.len() * 4 <= col.len() else (col, None)
        got = keys.to_frame("key").join(frame, on="key", how="left", maintain_order="left").get_column("id")
        if got.null_count():
            raise KeyError(f"no internal id for card {keys.filter(got.is_null())[0]!r}")
        got = got.to_numpy()
        out.append(np.repeat(got, lens.to_numpy()) if lens is not None else got)
    return out[0], out[1]


def records_frame(recs: list, batch: str):
    """Return the row path's transfer records (lists in TRANSFER_COLUMNS order) as a frame for frame_tokens."""
    import polars as pl

    s, f, i, ls = pl.String, pl.Float64, pl.Int64, pl.List(pl.String)
    types = {"ts": i, "amount": f, "balance": f, "side": ls, "src": ls}
    schema = {c: types.get(c, s) for c in TRANSFER_COLUMNS}
    return pl.DataFrame(recs, schema=schema, orient="row").rename({"side": "sides", "src": "srcs"}).with_columns(
        pl.lit([batch]).alias("batches"))


def str_lists(values: list):
    """Return lists of strings (a Python list of them) as a polars List(String) Series: joined and split, which is
    ~30x faster than polars building it from the Python lists (0.36 against 0.012 s for 32,698 cash events)."""
    import polars as pl

    sep = "\x1f"
    if any(not v or any(sep in x for x in v) for v in values):  # an empty list, or the separator inside: as given
        return pl.Series(values, dtype=pl.List(pl.String))
    return pl.Series([sep.join(v) for v in values], dtype=pl.String).str.split(sep)
