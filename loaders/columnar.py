"""Column-at-a-time normalisation of a block of rows: each distinct value is normalised once.

A bank reply repeats its card, name, ID, bank and device on thousands of rows; normalising a
column through a memo of its distinct values costs a dict lookup per cell instead of a call. The
result per row is what convert._extractor returns for it, or None when the row must take the
row-by-row path (a required value that does not parse, a required field missing): that path
then rejects it with the same reason as before.
"""
from __future__ import annotations

from . import normalize as nz
from .mapping import Layout, kind_spec

__all__ = ["block_extractor", "BLOCK_ROWS"]

BLOCK_ROWS = 10000
_BAD = object()  # a value its normaliser refused


def _column(raw: list, norm) -> list:
    """Return the normalised column: None where absent, _BAD where the normaliser refused the value."""
    if norm is nz.text:
        return [(v.strip() or None) if v.__class__ is str else (None if v is None or v == "" else nz.text(v))
                for v in raw]
    memo: dict = {}
    for v in set(raw):
        if v is None or (v.strip() == "" if v.__class__ is str else v == ""):
            memo[v] = None
            continue
        try:
            memo[v] = norm(v)
        except nz.BadValue:
            memo[v] = _BAD
    return list(map(memo.__getitem__, raw))


def block_extractor(layout: Layout):
    """Return a function: list of rows' cells -> per row, its fields (dict) or None (row-by-row path)."""
    required = kind_spec(layout.kind)["required"]
    req_fields = {a for alts in required for a in alts}
    plan = []
    for f, g in layout.getters.items():
        plain = g.index is not None and g.template is None and g.values is None and not g.prefix
        plan.append((f, g, g.index if plain else None, layout.normalizers[f], f in req_fields))
    extras = layout.extras

    def extract_block(cells_list: list) -> list:
        names, cols, slow = [], [], set()
        for f, g, i, norm, req in plan:
            if i is not None:
                raw = [c[i] if i < len(c) else None for c in cells_list]
            else:
                raw = [g.get(c) for c in cells_list]
            vals = _column(raw, norm)
            if req:
                slow.update(k for k, v in enumerate(vals) if v is _BAD)
            names.append(f)
            cols.append(vals)
        out = []
        for k, row in enumerate(zip(*cols)):
            if k in slow:
                out.append(None)
                continue
            r = {f: v for f, v in zip(names, row) if v is not None and v is not _BAD}
            if not all(any(a in r for a in alts) for alts in required):
                out.append(None)
                continue
            if extras:
                cells, n = cells_list[k], len(cells_list[k])
                ex = {h: nz.text(cells[i]) for h, i in extras if i < n and cells[i] not in (None, "")}
                if ex:
                    r["_extra"] = ex
            out.append(r)
        return out

    return extract_block
