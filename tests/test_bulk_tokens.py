"""GRAPH.BULK payloads decode back to the frame they were built from (format of FalkorDB's bulk loader)."""
from __future__ import annotations

import struct

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from loaders.bulk import rows_tokens


def _decode(token: bytes, rels: bool) -> list[dict]:
    """Decode a token as FalkorDB's bulk_insert.c reads it: header, then records."""
    token = bytes(token)  # a numpy byte array as the loaders send it
    end = token.index(b"\x00")
    pos = end + 1
    (count,) = struct.unpack_from("<I", token, pos)
    pos += 4
    names = []
    for _ in range(count):
        end = token.index(b"\x00", pos)
        names.append(token[pos:end].decode())
        pos = end + 1

    def value(pos):
        kind = token[pos]
        pos += 1
        if kind == 0:
            return None, pos
        if kind in (2, 4):
            return struct.unpack_from("<d" if kind == 2 else "<q", token, pos)[0], pos + 8
        if kind == 3:
            end = token.index(b"\x00", pos)
            return token[pos:end].decode(), end + 1
        assert kind == 5, kind
        (n,) = struct.unpack_from("<q", token, pos)
        pos += 8
        items = []
        for _ in range(n):
            v, pos = value(pos)
            items.append(v)
        return items, pos

    out = []
    while pos < len(token):
        rec = {}
        if rels:
            rec["_a"], rec["_b"] = struct.unpack_from("<QQ", token, pos)
            pos += 16
        for name in names:
            rec[name], pos = value(pos)
        out.append({k: v for k, v in rec.items() if v is not None})
    return out


def test_tokens_decode_to_their_rows():
    df = pl.DataFrame({
        "ia": pl.Series([1, 2, 3, 2**40, 5], dtype=pl.UInt64), "ib": pl.Series([9, 8, 7, 6, 5], dtype=pl.UInt64),
        "key": ["k1", "交易\x00零", "", None, "k5"],
        "tags": [["a", "乙"], [], ["x\x1ey"], ["z"] * 3, ["w"]],
        "ts": [10, 20, 30, 40, 50],
        "amount": [1.5, None, 3.25, None, -0.5],
        "n": [None, 7, 8, None, 9]})
    text = [("key", "key", "str"), ("tags", "tags", "strs")]
    nums = [("ts", "ts", "long"), ("amount", "amount", "double"), ("count", "n", "long")]
    got, rows = [], 0
    for token, n in rows_tokens(df, "TRANSFER", text, nums, ends=("ia", "ib"), rows=2):
        recs = _decode(token, True)
        assert len(recs) == n and bytes(token).startswith(b"TRANSFER\x00")
        got += recs
        rows += n
    want = []
    for r in df.iter_rows(named=True):
        rec = {"_a": r["ia"], "_b": r["ib"], "ts": r["ts"], "amount": r["amount"], "count": r["n"],
               "key": (r["key"] or "").replace("\x00", " ") or None,
               "tags": [t.replace("\x1e", " ") for t in r["tags"]]}
        want.append({k: v for k, v in rec.items() if v is not None})
    assert rows == 5 and sorted(got, key=lambda r: r["ts"]) == want


def test_node_tokens_without_numbers():
    df = pl.DataFrame({"key": ["c1", "c2"], "src": [["b#1"], ["b#2", "b#3"]]})
    (token, n), = rows_tokens(df, "BankCard", [("key", "key", "str"), ("src", "src", "strs")])
    assert n == 2 and _decode(token, False) == [{"key": "c1", "src": ["b#1"]}, {"key": "c2", "src": ["b#2", "b#3"]}]


def test_ids_written_into_a_payload_built_without_them():
    import numpy as np

    from loaders.bulk import frame_parts, set_ends

    df = pl.DataFrame({"ia": pl.Series([3, 4, 5], dtype=pl.UInt64), "ib": pl.Series([7, 8, 2**63], dtype=pl.UInt64),
                       "key": ["x", "", "长的键"], "ts": [1, 2, 3]})
    (frame, parts), = frame_parts(df, "T", [("key", "key", "str")], [("ts", "ts", "long")], rels=True)
    zero = np.zeros(1, dtype=np.uint64)
    token = bytearray(parts.array(zero, zero))
    set_ends(token, parts.records(), df["ia"].to_numpy(), df["ib"].to_numpy())
    assert bytes(token) == bytes(parts.array(df["ia"].to_numpy(), df["ib"].to_numpy()))
    assert [(r["_a"], r["_b"]) for r in _decode(bytes(token), True)] == [(3, 7), (4, 8), (5, 2**63)]


def test_list_properties_joined_or_element_by_element():
    """Lists of plain strings are joined in one step, others element by element: both decode alike (at most 100)."""
    clean = pl.DataFrame({"key": ["a", "b", "c", "d"], "src": [[], ["x"], ["p", "q", "交易"], [f"e{i}" for i in range(150)]]})
    odd = pl.DataFrame({"key": ["a", "b"], "src": [["x", None, "y"], ["m\x1fn"]]}, schema={"key": pl.String, "src": pl.List(pl.String)})
    (token, n), = rows_tokens(clean, "BankCard", [("key", "key", "str"), ("src", "src", "strs")])
    assert n == 4 and _decode(token, False) == [{"key": "a", "src": []}, {"key": "b", "src": ["x"]},
                                               {"key": "c", "src": ["p", "q", "交易"]},
                                               {"key": "d", "src": [f"e{i}" for i in range(100)]}]
    (token, n), = rows_tokens(odd, "BankCard", [("key", "key", "str"), ("src", "src", "strs")])
    assert n == 2 and _decode(token, False) == [{"key": "a", "src": ["x", "y"]}, {"key": "b", "src": ["m n"]}]


def test_relationship_tokens_without_properties():
    """Relationships with ids only (IN_CASE) are 16 bytes each."""
    df = pl.DataFrame({"a": pl.Series([1, 2, 3], dtype=pl.UInt64), "b": pl.Series([9, 9, 9], dtype=pl.UInt64)})
    (token, n), = rows_tokens(df, "IN_CASE", [], ends=("a", "b"))
    assert n == 3 and [(r["_a"], r["_b"]) for r in _decode(token, True)] == [(1, 9), (2, 9), (3, 9)]


def test_a_constant_list_given_as_payload_text_decodes_as_the_list():
    """A list the same on every row (a transfer's case) goes as one literal: it decodes as the list column would."""
    from loaders.bulk import list_payload

    df = pl.DataFrame({"key": ["a", "b"], "cases": [["案\x1f1"], ["案\x1f1"]]})
    as_list, = rows_tokens(df, "T", [("key", "key", "str"), ("cases", "cases", "strs")])
    raw = df.with_columns(pl.lit(list_payload(["案\x1f1"])).alias("cases"))
    as_raw, = rows_tokens(raw, "T", [("key", "key", "str"), ("cases", "cases", "raw")])
    assert bytes(as_raw[0]) == bytes(as_list[0]) and _decode(as_raw[0], False)[1] == {"key": "b", "cases": ["案 1"]}
    assert list_payload([]) == "\x05" + "\x00" * 8


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.text(alphabet=st.sampled_from("ab#1,案\x1f\x00 "), max_size=6), max_size=4), max_size=30))
def test_str_lists_is_the_series_polars_builds_from_the_lists(values):
    """Lists of strings joined and split come out as polars builds them from Python lists (empty lists, empty
    strings, and the separator inside a string included)."""
    from loaders.bulk import str_lists

    got = str_lists(values)
    assert got.dtype == pl.List(pl.String) and got.to_list() == values
