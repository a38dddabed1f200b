"""GRAPH.BULK payloads: new transfers appended to FalkorDB in its bulk loader's binary format.

A Cypher CREATE costs FalkorDB ~25 µs per transfer (query parsing, parameter decoding, 20
properties); the binary format costs ~4 µs. Format (FalkorDB src/bulk_insert/bulk_insert.c): a
header (type name NUL, uint32 property count, property names NUL-terminated), then per
relationship: source and destination node ids (uint64) and each property as a type byte and its
value (NULL 0, DOUBLE 2 + 8 bytes, STRING 3 + NUL-terminated UTF-8, LONG 4 + 8 bytes, ARRAY 5 +
int64 length + values). Strings and short arrays are written as text and encoded once per record.
"""
from __future__ import annotations

import re
import struct

from .transfers import (A, AMOUNT, B, BALANCE, BRANCH, CHANNEL, EXTRA, IP, KEY, MAC, PAIR, SERIAL, SIDES, SRC,
                        SUMMARY, TIME, TS)

__all__ = ["transfer_tokens", "TRANSFER_PROPS"]

# Property order of the payload: text fields, lists, then the fixed-size numbers.
_TEXT = (("key", KEY), ("pair", PAIR), ("time", TIME), ("serial", SERIAL), ("summary", SUMMARY),
         ("channel", CHANNEL), ("branch", BRANCH), ("ip", IP), ("mac", MAC), ("extra", EXTRA))
TRANSFER_PROPS = [n for n, _ in _TEXT] + ["sides", "src", "cases", "batches", "ts", "amount", "balance"]
_IDS = struct.Struct("<QQ")
_NUMS = struct.Struct("<bqbd")  # LONG ts, DOUBLE amount
_DOUBLE = struct.Struct("<bd")
_DIRTY = re.compile("[\x00\x1e\x1f]")
_CLEAN = str.maketrans({"\x00": " ", "\x1e": " ", "\x1f": " "})  # as the Cypher path packs them
MAX_TOKEN = 256 << 20  # bytes per GRAPH.BULK argument, well under Redis' 512 MB


def _header(props: list[str]) -> bytes:
    """Return the token header of TRANSFER relationships with these properties."""
    return b"TRANSFER\x00" + struct.pack("<I", len(props)) + b"".join(p.encode() + b"\x00" for p in props)


def _strs(values) -> str:
    """Return an array of strings as payload text (its length fits one byte of the int64: < 128)."""
    return "\x05" + chr(len(values)) + "\x00" * 7 + "".join("\x03" + v.translate(_CLEAN) + "\x00" for v in values)


def _text(v) -> str:
    """Return a nullable text property as payload text."""
    return "\x03" + v.translate(_CLEAN) + "\x00" if v else "\x00"


def transfer_tokens(recs: list, ids: dict, case: str, batch: str) -> list[tuple[bytes, int]]:
    """Return GRAPH.BULK relationship tokens, with their record counts, for new transfer records."""
    tail = _strs([case]) + _strs([batch])
    header = _header(TRANSFER_PROPS)
    tokens, parts, size = [], [header], len(header)
    ids_pack, nums_pack, dbl_pack = _IDS.pack, _NUMS.pack, _DOUBLE.pack
    cols = [i for _, i in _TEXT]
    for r in recs:
        vals = [r[i] for i in cols]
        if _DIRTY.search("".join([v for v in vals if v])):  # rare: a NUL or separator inside a value
            text = "".join([_text(v) for v in vals])
        else:
            text = "".join(["\x03" + v + "\x00" if v else "\x00" for v in vals])
        text += _strs(r[SIDES][:100]) + _strs(r[SRC][:100]) + tail
        bal = r[BALANCE]
        rec = b"".join((ids_pack(ids[r[A]], ids[r[B]]), text.encode(), nums_pack(4, r[TS], 2, r[AMOUNT]),
                        b"\x00" if bal is None else dbl_pack(2, bal)))
        parts.append(rec)
        size += len(rec)
        if size > MAX_TOKEN:
            tokens.append((b"".join(parts), len(parts) - 1))
            parts, size = [header], len(header)
    if len(parts) > 1:
        tokens.append((b"".join(parts), len(parts) - 1))
    return tokens


def _array(col: str):
    """Return the payload text of a list-of-strings column (at most 100 elements) as a polars expression."""
    import polars as pl

    lens = [chr(i) for i in range(101)]
    items = pl.col(col).list.head(100)
    return (pl.lit("\x05") + items.list.len().replace_strict(list(range(101)), lens, return_dtype=pl.String)
            + pl.lit("\x00" * 7) + items.list.eval(pl.lit("\x03") + pl.element().str.replace_all(_CLEAN_RE, " ")
                                                   + pl.lit("\x00")).list.join(""))


_CLEAN_RE = "[\x00\x1e\x1f]"


def frame_tokens(df, ids: dict, case: str, rows: int = 100_000):
    """Yield (GRAPH.BULK token, count) for new transfers given as a polars frame (columns of loaders.columnar).

    Text and list properties are assembled column-wise by polars; ids and numbers by numpy; one
    join per record puts them together (the only per-row Python work).
    """
    import numpy as np
    import polars as pl

    header = _header(TRANSFER_PROPS)
    text = [pl.when(pl.col(c).is_not_null() & (pl.col(c) != "")).then(
        pl.lit("\x03") + pl.col(c).str.replace_all(_CLEAN_RE, " ") + pl.lit("\x00")).otherwise(pl.lit("\x00"))
        for c, _ in _TEXT]
    tail = _strs([case])
    keys = list(ids)
    id_of = pl.Series(list(ids.values()), dtype=pl.UInt64)
    tail_dt = np.dtype([("t1", "u1"), ("ts", "<i8"), ("t2", "u1"), ("amt", "<f8"), ("t3", "u1"), ("bal", "<f8")])
    for start in range(0, df.height, rows):
        part = df.slice(start, rows)
        t = part.select(pl.concat_str([*text, _array("sides"), _array("srcs"), pl.lit(tail), _array("batches")])
                        .alias("t")).to_series().to_list()
        ab = np.empty((part.height, 2), dtype="<u8")
        ab[:, 0] = part.get_column("a").replace_strict(keys, id_of, return_dtype=pl.UInt64).to_numpy()
        ab[:, 1] = part.get_column("b").replace_strict(keys, id_of, return_dtype=pl.UInt64).to_numpy()
        nums = np.zeros(part.height, dtype=tail_dt)
        nums["t1"], nums["t2"], nums["t3"] = 4, 2, 2
        nums["ts"] = part.get_column("ts").to_numpy()
        nums["amt"] = part.get_column("amount").to_numpy()
        bal = part.get_column("balance")
        nums["bal"] = bal.fill_null(0.0).to_numpy()
        has_bal = bal.is_not_null().to_list()
        abb, nb = ab.tobytes(), nums.tobytes()
        out = [header]
        for i, (s, hb) in enumerate(zip(t, has_bal)):
            out.append(abb[16 * i:16 * i + 16])
            out.append(s.encode())
            out.append(nb[27 * i:27 * i + 27] if hb else nb[27 * i:27 * i + 18] + b"\x00")
        yield b"".join(out), part.height


def rows_tokens(df, name: str, text: list, nums: list = (), ends: tuple | None = None, rows: int = 100_000):
    """Yield (GRAPH.BULK token, count) for nodes (ends None) or relationships (ends: two id columns) of a frame.

    text: (property, column, kind) with kind "str" (empty = absent) or "strs" (a list column);
    nums: (property, column, kind) with kind "long" or "double", never null. Text is assembled by
    polars, ids and numbers by numpy, one join per record.
    """
    import numpy as np
    import polars as pl

    props = [p for p, _, _ in text] + [p for p, _, _ in nums]
    header = name.encode() + b"\x00" + struct.pack("<I", len(props)) + b"".join(p.encode() + b"\x00" for p in props)
    exprs = []
    for _, col, kind in text:
        if kind == "strs":
            exprs.append(_array(col))
        else:
            c = pl.col(col).cast(pl.String)
            exprs.append(pl.when(c.is_not_null() & (c != "")).then(
                pl.lit("\x03") + c.str.replace_all(_CLEAN_RE, " ") + pl.lit("\x00")).otherwise(pl.lit("\x00")))
    fields = []
    for i, (_, _, kind) in enumerate(nums):
        fields += [(f"t{i}", "u1"), (f"v{i}", "<i8" if kind == "long" else "<f8")]
    dt = np.dtype(fields) if fields else None
    for start in range(0, df.height, rows):
        part = df.slice(start, rows)
        t = part.select(pl.concat_str(exprs).alias("t")).to_series().to_list() if exprs else [""] * part.height
        ab = b""
        if ends:
            arr = np.empty((part.height, 2), dtype="<u8")
            arr[:, 0] = part.get_column(ends[0]).to_numpy()
            arr[:, 1] = part.get_column(ends[1]).to_numpy()
            ab = arr.tobytes()
        nb, width = b"", 0
        if dt is not None:
            arr = np.zeros(part.height, dtype=dt)
            for i, (_, col, kind) in enumerate(nums):
                arr[f"t{i}"] = 4 if kind == "long" else 2
                arr[f"v{i}"] = part.get_column(col).to_numpy()
            nb, width = arr.tobytes(), dt.itemsize
        out = [header]
        for i, s in enumerate(t):
            if ends:
                out.append(ab[16 * i:16 * i + 16])
            out.append(s.encode())
            if width:
                out.append(nb[width * i:width * (i + 1)])
        yield b"".join(out), part.height
