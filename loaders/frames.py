"""Blocks of rows as columns: a CSV/TSV file parsed by polars a block at a time, or any Table's rows.

The column loader (loaders.columnar) works on blocks of ~100,000 rows: polars parses a block of
bytes in compiled code, which costs a fraction of Python's csv module per row. Rows are numbered
exactly as the row reader numbers them (blank lines skipped), and a block polars would read
differently from Python's csv module (more cells than the header, a line of separators only) is
parsed by the csv module instead, so both paths see the same rows.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from typing import Iterator

from graphsvc.errors import BadInput

from .readers import TOO_WIDE, TRUNCATED, Table, blank, too_wide

__all__ = ["Block", "blocks", "BLOCK_BYTES", "BLOCK_ROWS"]

BLOCK_BYTES = 8 << 20  # bytes of a CSV file parsed at once (memory per block, not per file)
BLOCK_ROWS = 40_000  # rows per block of an Excel sheet (cells come typed, not as text)
_UTF8 = ("utf-8", "utf-8-sig", "utf8", "ascii")
_LINE_STARTS = (b" ", b"\t", b",", b"|", b";")
_SEPARATOR_LINE = re.compile(rb"(?m)^[ \t]*[,\t|;][ \t,|;]*\r?$")


@dataclass
class Block:
    """Rows of a file: their numbers, their cells column by column, and rows refused before conversion."""

    numbers: list[int]
    columns: list  # one per header column: a polars String Series (text cells) or a list of typed cells (Excel)
    rejected: list  # (row number, reason, cells)

    def cells(self, i: int) -> list:
        """Return the original cells of the i-th row of the block (for its rejects line)."""
        return [c[i] for c in self.columns]


def blocks(table: Table, width: int) -> Iterator[Block]:
    """Yield the blocks of an open table (CSV/TSV through polars, anything else row by row)."""
    if table.format in ("csv", "tsv") and table.delimiter:
        table.close()
        yield from _csv_blocks(table, width)
    else:
        yield from _row_blocks(table, width)


def _row_blocks(table: Table, width: int) -> Iterator[Block]:
    """Yield blocks of BLOCK_ROWS rows from the table's row iterator (Excel, .xls, cut CSV files)."""
    text = table.format in ("csv", "tsv")  # cells are strings: polars can normalise them
    nums, rows, rejected = [], [], []
    for n, cells in table.rows:
        if cells is None:
            rejected.append((n, TRUNCATED, []))
            continue
        if too_wide(cells, width):
            rejected.append((n, TOO_WIDE, cells))
            continue
        nums.append(n)
        rows.append(cells)
        if len(rows) >= BLOCK_ROWS:
            yield _from_rows(nums, rows, rejected, width, text)
            nums, rows, rejected = [], [], []
    if rows or rejected:
        yield _from_rows(nums, rows, rejected, width, text)


def _from_rows(nums: list, rows: list, rejected: list, width: int, text: bool) -> Block:
    """Return a block of rows given as lists of cells (short rows padded with None); a column of text cells only
    (every column of a CSV file, most of an Excel sheet's) becomes a polars String Series, normalised by polars."""
    import polars as pl

    cols = [[r[i] if i < len(r) else None for r in rows] for i in range(width)]
    cols = [pl.Series(f"c{i}", [v if v != "" else None for v in c], dtype=pl.String)
            if text or all(v.__class__ is str or v is None for v in c) else c for i, c in enumerate(cols)]
    return Block(nums, cols, rejected)


def _data_start(raw: bytes) -> int:
    """Return the offset of the first data line: after the first line that is not blank (the header)."""
    pos = 0
    while True:
        end = raw.find(b"\n", pos)
        if end < 0:
            return len(raw)
        if raw[pos:end].strip():
            return end + 1
        pos = end + 1


def _cut(buf: bytes) -> int:
    """Return the end of the last whole line of buf that is not inside a quoted field, or -1."""
    end = buf.rfind(b"\n")
    while end >= 0:
        if buf.count(b'"', 0, end) % 2 == 0:
            return end + 1
        end = buf.rfind(b"\n", 0, end)
    return -1


def _csv_blocks(table: Table, width: int) -> Iterator[Block]:
    """Yield blocks of a CSV/TSV file parsed by polars; numbered as the row reader numbers them."""
    enc = "gb18030" if table.encoding == "gbk" else (table.encoding or "utf-8")
    n = 0
    with open(table.path, "rb") as fh:
        head = fh.read(1 << 20)
        start = _data_start(head)
        fh.seek(start)
        offset, rest = start, b""
        while True:
            data = fh.read(BLOCK_BYTES)
            buf = rest + data
            if not buf:
                return
            cut = len(buf) if not data and table.tail_ok else _cut(buf)
            if cut < 0 and data:  # one quoted field longer than a block: read on
                rest = buf
                continue
            cut = max(cut, 0)
            part, rest = buf[:cut], buf[cut:]
            try:  # polars reads UTF-8 bytes and checks them (a block it refuses is decoded by the csv module's path)
                data = part if enc in _UTF8 else part.decode(enc).encode("utf-8")
                block = _parse(data, table.delimiter, width, n)
            except UnicodeDecodeError as e:
                at = offset + e.start
                raise BadInput(f"{table.path.name}: 第 {at} 字节起无法按 {table.encoding} 解码 cannot decode as "
                               f"{table.encoding} at byte {at}", "the file mixes encodings; save it again as UTF-8") from None
            offset += cut
            if block.numbers:
                n = block.numbers[-1]
            if block.rejected:
                n = max(n, block.rejected[-1][0])
            yield block
            if not data:
                if rest:  # the file ends without a line break: its last line may be cut
                    yield _tail(rest.decode(enc, errors="replace"), table.delimiter, width, n)
                return


def _tail(text: str, delim: str, width: int, n0: int) -> Block:
    """Return the last line of a file that lacks a final line break, rejected as cut when it lacks cells
    (as the row reader does)."""
    rows = [c for c in csv.reader(io.StringIO(text, newline=""), delimiter=delim) if not blank(c)]
    if not rows:
        return Block([], [[] for _ in range(width)], [])
    cells = rows[-1]
    if len(rows) == 1 and len(cells) < width:
        return Block([], [[] for _ in range(width)], [(n0 + 1, TRUNCATED, [])])
    return _parse(text.encode("utf-8"), delim, width, n0)


def _separator_line(data: bytes) -> bool:
    """Return True when a line holds separators and spaces only (the regex runs only where a line starts with
    one of them: scanning 8 MB with it costs ~40 ms)."""
    if data[:1] not in _LINE_STARTS and not any(b"\n" + c in data for c in _LINE_STARTS):
        return False
    return _SEPARATOR_LINE.search(data) is not None


def _parse(utf8: bytes, delim: str, width: int, n0: int) -> Block:
    """Parse one block of UTF-8 text with polars, or with the csv module where polars would read it otherwise."""
    import polars as pl

    names = [f"c{i}" for i in range(width)]
    try:
        df = pl.read_csv(utf8, has_header=False, separator=delim, quote_char='"',
                         schema={c: pl.String for c in names}, truncate_ragged_lines=False, raise_if_empty=False)
    except (pl.exceptions.ComputeError, pl.exceptions.SchemaError):  # bad UTF-8, a row too wide (SchemaError: the first)
        df = None
    if df is not None:
        first = pl.col("c0")
        empty = df.select((first.is_null() | (first.str.strip_chars() == "")) & pl.all_horizontal(
            [pl.col(c).is_null() for c in names[1:]] or [pl.lit(True)])).to_series()
        # a blank line is skipped, a line of separators is a row (of empty cells): polars reads both as an empty
        # row, so a block with empty rows and a line of separators goes to the csv module (searched only then)
        if not empty.any() or not _separator_line(utf8):
            df = df.filter(~empty)
            nums = list(range(n0 + 1, n0 + 1 + df.height))
            return Block(nums, df.get_columns(), [])
    nums, rows, rejected, n = [], [], [], n0
    for cells in csv.reader(io.StringIO(utf8.decode("utf-8"), newline=""), delimiter=delim):
        if blank(cells):
            continue
        n += 1
        if too_wide(cells, width):
            rejected.append((n, TOO_WIDE, cells))
            continue
        nums.append(n)
        rows.append(cells)
    return _from_rows(nums, rows, rejected, width, True)
