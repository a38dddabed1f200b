"""The loader's index of stored transfer pairs on FalkorDB: a Bloom filter in one Redis string.

Loaders ask, for every transfer they are about to write, whether its pair (both cards, amount,
time: loaders.convert.pair_key, 16 hex digits) may already be stored; only those are looked up in
the graph. A Redis set answered exactly but at ~1 µs per key on the server (SADD and SMISMEMBER
of a million keys: ~2 s). This filter (2^26 bits, 8 MB, three bits per pair) is read whole and
tested with numpy for large questions (~50 ms per million), large additions rewrite it; a row-path
chunk gets or sets only its bits on the server. A false "may be stored" only costs that lookup:
about 1 in 10,000 pairs with a million stored, 1 in 100 with five million. A marker key says the
filter is complete.
"""
from __future__ import annotations

import hashlib

__all__ = ["PairSet", "Held", "pair_set_key", "known_in", "known_mask"]

_VERSION = b"bloom-26-3"  # the marker's value; anything else (an older exact set, nothing) means: rebuild
_BITS = 1 << 26
_HASHES = 3
_WHOLE = 20_000  # from this many pairs on, the whole string is read (and rewritten), not bit by bit on the server
_GET_BITS = """
local blob, out = ARGV[1], {}
for i = 1, #blob, 4 do
  local b1, b2, b3, b4 = string.byte(blob, i, i + 3)
  out[#out + 1] = redis.call('GETBIT', KEYS[1], ((b1 * 256 + b2) * 256 + b3) * 256 + b4)
end
return table.concat(out)
"""
_SET_BITS = """
local blob = ARGV[1]
for i = 1, #blob, 4 do
  local b1, b2, b3, b4 = string.byte(blob, i, i + 3)
  redis.call('SETBIT', KEYS[1], ((b1 * 256 + b2) * 256 + b3) * 256 + b4, 1)
end
redis.call('SET', KEYS[2], ARGV[2])
"""


def pair_set_key(graph: str) -> str:
    """Return the Redis key of a graph's pair filter marker (the filter itself is this key + ':bloom')."""
    return f"pochuan:pairs:{graph}"


def _ints(pairs):
    """Return pair keys (a list or a polars Series of strings) as uint64: 16 hex digits read as a number (by
    polars), anything else hashed to 8 bytes."""
    import numpy as np
    import polars as pl

    keys = pairs if isinstance(pairs, pl.Series) else pl.Series(pairs, dtype=pl.String)
    hexed = keys.str.contains("^[0-9a-fA-F]{16}$").fill_null(False)
    out = keys.str.to_integer(base=16, dtype=pl.UInt64, strict=False).fill_null(0).to_numpy().astype(np.uint64)
    if hexed.all():
        return out
    odd = (~hexed).arg_true()
    out[odd.to_numpy()] = [_hashed(p) for p in keys.gather(odd).to_list()]
    return out


def _hashed(p: str) -> int:
    """Return a pair key that is not 16 hex digits as a number (int() reads 0x, +, _ and spaces: kept as before)."""
    try:
        if len(p) == 16:
            return int(p, 16)
    except ValueError:
        pass
    return int.from_bytes(hashlib.blake2b(p.encode(), digest_size=8).digest(), "big")


def _bits(pairs):
    """Return the filter bits of each pair, shape (n, _HASHES) (double hashing of the pair's two halves)."""
    import numpy as np

    h = _ints(pairs)
    lo, hi = h & np.uint64(0xFFFFFFFF), (h >> np.uint64(32)) | np.uint64(1)
    k = np.arange(_HASHES, dtype=np.uint64)
    return (lo[:, None] + k[None, :] * hi[:, None]) & np.uint64(_BITS - 1)


def known_in(bits, pairs) -> list[bool]:
    """Return, for each pair key, whether a filter held as a numpy byte array has its bits."""
    return known_mask(bits, pairs).tolist()


def known_mask(bits, pairs):
    """Return known_in as a numpy bool array (pairs: a list or a polars Series)."""
    import numpy as np

    if not len(pairs):
        return np.zeros(0, dtype=bool)
    b = _bits(pairs)
    return ((bits[b >> np.uint64(3)] >> (b & np.uint64(7)).astype(np.uint8)) & 1).all(axis=1)


def _redis_order(bits):
    """Return filter bits as Redis GETBIT/SETBIT offsets (Redis numbers bits from the high end of each byte;
    the numpy reading of the whole string from the low end)."""
    import numpy as np

    return (bits & ~np.uint64(7)) | (np.uint64(7) - (bits & np.uint64(7)))


class PairSet:
    """The pair filter of one graph, on a Redis client that returns bytes."""

    def __init__(self, conn, graph: str):
        self.conn, self.marker = conn, pair_set_key(graph)
        self.key = f"{self.marker}:bloom"

    def _filter(self):
        """Return the stored filter as a writable numpy byte array of _BITS / 8 bytes."""
        import numpy as np

        raw = self.conn.get(self.key) or b""
        out = np.zeros(_BITS // 8, dtype=np.uint8)
        out[:len(raw)] = np.frombuffer(raw, dtype=np.uint8)[:_BITS // 8]
        return out

    def known(self, pairs: list[str]) -> list[bool]:
        """Return, for each pair key, whether a transfer with it may be stored (True also ~1 in 10,000 times
        for one that is not: the caller then looks it up)."""
        import numpy as np

        if not pairs:
            return []
        if len(pairs) < _WHOLE:  # a row-path chunk: its bits, not the 8 MB string
            bits = _bits(pairs)
            got = self.conn.eval(_GET_BITS, 1, self.key, _redis_order(bits.ravel()).astype(">u4").tobytes())
            hit = np.frombuffer(got, dtype=np.uint8).reshape(bits.shape) - ord("0")
            return hit.all(axis=1).tolist()
        return self.hold().known(pairs)

    def add(self, pairs: list[str]) -> None:
        """Add pair keys (before their transfers are written: a crash in between only costs lookups)."""
        if not pairs:
            return
        if len(pairs) >= _WHOLE:  # the caller holds the loader lock: nobody else writes the filter meanwhile
            held = self.hold()
            held.add(pairs)
            held.save()
            return
        bits = _bits(pairs).ravel()
        self.conn.eval(_SET_BITS, 2, self.key, self.marker, _redis_order(bits).astype(">u4").tobytes(), _VERSION)

    def hold(self) -> "Held":
        """Return the filter read once, to test and add to in memory and save once (the caller holds the loader
        lock until it has saved)."""
        return Held(self, self._filter())

    def ready(self) -> bool:
        """Return True when the filter is complete (its marker names this filter's layout)."""
        import redis

        try:
            return self.conn.get(self.marker) == _VERSION
        except redis.exceptions.ResponseError:  # the exact Redis set of earlier versions: rebuild
            return False

    def clear(self) -> None:
        """Delete the filter and its marker (the graph was dropped, or the filter is rebuilt)."""
        self.conn.execute_command("DEL", self.marker, self.key)


class Held:
    """A pair filter read whole by a loader holding the lock: a load's questions and additions cost no round trip."""

    def __init__(self, pairs: PairSet, bits):
        self.pairs, self.bits = pairs, bits

    def known(self, pairs: list[str]) -> list[bool]:
        """Return, for each pair key, whether a transfer with it may be stored (or was added here)."""
        return known_in(self.bits, pairs)

    def add(self, pairs) -> None:
        """Add pair keys (a list or a polars Series) in memory; save() stores them (before their transfers are
        written)."""
        import numpy as np

        if len(pairs):
            b = _bits(pairs).ravel()
            at, bit = b >> np.uint64(3), (b & np.uint64(7)).astype(np.uint8)
            for j in range(8):  # one bit position at a time: repeated bytes then set the same bit (bitwise_or.at: ~30%
                idx = at[bit == j]  # slower on a large load's million pairs)
                self.bits[idx] |= np.uint8(1 << j)

    def save(self, bits: bytes | None = None) -> None:
        """OR the filter (or bits, a copy of it taken earlier: another thread saves while pairs are added here) into
        the stored one (bits others set meanwhile are kept) and set the marker, in one transaction."""
        tmp = f"{self.pairs.key}:tmp"
        pipe = self.pairs.conn.pipeline(transaction=True)
        pipe.set(tmp, self.bits.tobytes() if bits is None else bits)
        pipe.execute_command("BITOP", "OR", self.pairs.key, self.pairs.key, tmp)
        pipe.delete(tmp)
        pipe.set(self.pairs.marker, _VERSION)
        pipe.execute()
