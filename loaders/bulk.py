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

import struct

__all__ = ["rows_tokens", "frame_tokens", "records_frame", "TRANSFER_COLUMNS"]

_CLEAN_RE = "[\x00\x1e\x1f]"  # NUL ends a payload string; the separators go as the packed Cypher path sends them
# Transfer records of loaders.transfers (A, B, KEY ... EXTRA), as columns.
TRANSFER_COLUMNS = ["a", "b", "key", "pair", "ts", "time", "amount", "serial", "summary", "channel", "branch", "ip",
                    "mac", "side", "src", "balance", "extra"]
_TRANSFER_TEXT = ["key", "pair", "time", "serial", "summary", "channel", "branch", "ip", "mac", "extra"]


def _header(name: str, props: list[str]) -> bytes:
    """Return the token header of nodes with this label, or relationships of this type, with these properties."""
    return name.encode() + b"\x00" + struct.pack("<I", len(props)) + b"".join(p.encode() + b"\x00" for p in props)


def _array(col: str):
    """Return the payload text of a list-of-strings column (at most 100 elements) as a polars expression."""
    import polars as pl

    lens = [chr(i) for i in range(101)]
    items = pl.col(col).list.head(100)
    return (pl.lit("\x05") + items.list.len().replace_strict(list(range(101)), lens, return_dtype=pl.String)
            + pl.lit("\x00" * 7) + items.list.eval(pl.lit("\x03") + pl.element().str.replace_all(_CLEAN_RE, " ")
                                                   + pl.lit("\x00")).list.join(""))


def rows_tokens(df, name: str, text: list, nums: list = (), ends: tuple | None = None, rows: int = 100_000):
    """Yield (GRAPH.BULK token, count) for nodes (ends None) or relationships (ends: two id columns) of a frame.

    text: (property, column, kind) with kind "str" (empty = absent) or "strs" (a list column);
    nums: (property, column, kind) with kind "long" or "double", null = absent. Rows lacking a number
    go in tokens whose header lacks it, so every record is a fixed-width part (ids, numbers) and its
    text: numpy lays the fixed parts into the text in one insert, with no per-row Python.
    """
    import polars as pl

    nullable = [col for _, col, _ in nums if df.get_column(col).null_count()]
    if not nullable:
        yield from _tokens(df, name, text, list(nums), ends, rows)
        return
    pattern = df.select(pl.concat_str([pl.col(c).is_null().cast(pl.String) for c in nullable]).alias("_p"))
    df = df.with_columns(pattern.to_series())
    for (_,), part in df.partition_by("_p", as_dict=True, maintain_order=True).items():
        present = [n for n in nums if n[1] not in nullable or part.get_column(n[1])[0] is not None]
        yield from _tokens(part.drop("_p"), name, text, present, ends, rows)


def _tokens(df, name: str, text: list, nums: list, ends: tuple | None, rows: int):
    """Yield the tokens of rows that all have every number in nums (rows_tokens)."""
    import numpy as np
    import polars as pl

    header = _header(name, [p for p, _, _ in nums] + [p for p, _, _ in text])
    exprs = []
    for _, col, kind in text:
        if kind == "strs":
            exprs.append(_array(col))
        else:
            c = pl.col(col).cast(pl.String)
            exprs.append(pl.when(c.is_not_null() & (c != "")).then(
                pl.lit("\x03") + c.str.replace_all(_CLEAN_RE, " ") + pl.lit("\x00")).otherwise(pl.lit("\x00")))
    fields = [("a", "<u8"), ("b", "<u8")] if ends else []
    for i, (_, _, kind) in enumerate(nums):
        fields += [(f"t{i}", "u1"), (f"v{i}", "<i8" if kind == "long" else "<f8")]
    dt = np.dtype(fields) if fields else None
    for start in range(0, df.height, rows):
        part = df.slice(start, rows)
        n = part.height
        if exprs:
            t = part.select(pl.concat_str(exprs).alias("t")).to_series()
            lens = t.str.len_bytes().to_numpy()
            body = np.frombuffer(t.str.join("").item().encode(), dtype=np.uint8)
        else:
            lens, body = np.zeros(n, dtype=np.int64), np.zeros(0, dtype=np.uint8)
        if dt is None:
            yield header + body.tobytes(), n
            continue
        fixed = np.zeros(n, dtype=dt)
        if ends:
            fixed["a"] = part.get_column(ends[0]).to_numpy()
            fixed["b"] = part.get_column(ends[1]).to_numpy()
        for i, (_, col, kind) in enumerate(nums):
            fixed[f"t{i}"] = 4 if kind == "long" else 2
            fixed[f"v{i}"] = part.get_column(col).to_numpy()
        starts = np.zeros(n, dtype=np.int64)
        np.cumsum(lens[:-1], out=starts[1:])
        out = np.insert(body, np.repeat(starts, dt.itemsize), fixed.view(np.uint8))
        yield header + out.tobytes(), n


def frame_tokens(df, ids: dict, case: str, rows: int = 100_000):
    """Yield (GRAPH.BULK token, count) for new transfers: a frame of TRANSFER_COLUMNS with `sides`, `srcs` and
    `batches` lists; ids maps card keys to internal node ids."""
    import polars as pl

    keys, id_of = list(ids), pl.Series(list(ids.values()), dtype=pl.UInt64)
    df = df.with_columns(pl.col("a").replace_strict(keys, id_of, return_dtype=pl.UInt64).alias("_ia"),
                         pl.col("b").replace_strict(keys, id_of, return_dtype=pl.UInt64).alias("_ib"),
                         pl.lit([case]).alias("_cases"))
    text = [(c, c, "str") for c in _TRANSFER_TEXT] + [("sides", "sides", "strs"), ("src", "srcs", "strs"),
                                                     ("cases", "_cases", "strs"), ("batches", "batches", "strs")]
    nums = [("ts", "ts", "long"), ("amount", "amount", "double"), ("balance", "balance", "double")]
    yield from rows_tokens(df, "TRANSFER", text, nums, ends=("_ia", "_ib"), rows=rows)


def records_frame(recs: list, batch: str):
    """Return the row path's transfer records (lists in TRANSFER_COLUMNS order) as a frame for frame_tokens."""
    import polars as pl

    s, f, i, ls = pl.String, pl.Float64, pl.Int64, pl.List(pl.String)
    types = {"ts": i, "amount": f, "balance": f, "side": ls, "src": ls}
    schema = {c: types.get(c, s) for c in TRANSFER_COLUMNS}
    return pl.DataFrame(recs, schema=schema, orient="row").rename({"side": "sides", "src": "srcs"}).with_columns(
        pl.lit([batch]).alias("batches"))
