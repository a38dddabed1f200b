"""One chunk of work for the writer: entities, relationships, transfers and cash events of N rows.

Rows are merged here (in Python, cheap) so that the store sees each entity once per chunk.
"""
from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Chunk", "SRC_KEEP"]

SRC_KEEP = 20  # provenance rows kept per entity or relationship (docs/data-model.md)


@dataclass
class Chunk:
    """Everything a run of rows adds to the graph, merged by key."""

    index: int
    nodes: dict = field(default_factory=dict)      # label -> key -> {"set", "fill", "src"}
    rels: dict = field(default_factory=dict)       # statement -> (a, b) -> {"set", "src", ...}
    transfers: list = field(default_factory=list)  # packed transfer records (see writer.TRANSFER_COLS)
    cash: list = field(default_factory=list)       # dicts for load_cash_create
    rows: int = 0
    seen: set = field(default_factory=set)         # converters' memo: entity mentions already added

    def node(self, label: str, key: str, src: str, set_: dict | None = None, fill: dict | None = None) -> None:
        """Add an entity mention: `set_` overwrites properties, `fill` only fills missing ones."""
        bucket = self.nodes.setdefault(label, {})
        n = bucket.get(key)
        if n is None:
            n = bucket[key] = {"key": key, "set": {}, "fill": {}, "src": []}
        if set_:
            n["set"].update({k: v for k, v in set_.items() if v not in (None, "")})
        if fill:
            for k, v in fill.items():
                if v not in (None, "") and k not in n["fill"]:
                    n["fill"][k] = v
        if len(n["src"]) < SRC_KEEP:
            n["src"].append(src)

    def rel(self, stmt: str, a: str, b: str, src: str, set_: dict | None = None) -> None:
        """Add a relationship mention (OWNS, HOLDS, RESERVED...) between two keys."""
        bucket = self.rels.setdefault(stmt, {})
        r = bucket.get((a, b))
        if r is None:
            r = bucket[(a, b)] = {"a": a, "b": b, "set": {}, "src": []}
        if set_:
            r["set"].update({k: v for k, v in set_.items() if v not in (None, "")})
        if len(r["src"]) < SRC_KEEP:
            r["src"].append(src)

    def use(self, stmt: str, a: str, b: str, src: str, first: str | None, last: str | None, mark: str) -> None:
        """Add a USES mention with its time span; counts add up once per chunk (mark)."""
        bucket = self.rels.setdefault(stmt, {})
        r = bucket.get((a, b))
        if r is None:
            r = bucket[(a, b)] = {"a": a, "b": b, "src": [], "first": first, "last": last or first, "n": 0,
                                  "mark": mark}
        else:
            if first and (r["first"] is None or first < r["first"]):
                r["first"] = first
            last = last or first
            if last and (r["last"] is None or last > r["last"]):
                r["last"] = last
        r["n"] += 1
        if len(r["src"]) < SRC_KEEP:
            r["src"].append(src)
