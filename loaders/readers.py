"""Readers of the tables investigators receive: CSV/TSV in any Chinese encoding, .xlsx, .xls.

Rows are streamed (memory stays flat however long the file); the encoding is detected from the
bytes, never from the file name; the delimiter is sniffed. A last line cut short is reported as
a truncated row so that the loader can reject it and still account for every row.
"""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from graphsvc.errors import BadInput

__all__ = ["Table", "open_table", "detect_encoding", "TRUNCATED", "TOO_WIDE", "too_wide", "blank"]

SAMPLE = 1 << 18
TRUNCATED = "文件截断 truncated file"
TOO_WIDE = "列数多于表头 more cells than header columns"
csv.field_size_limit(1 << 24)


@dataclass
class Table:
    """An open table: its header, a row iterator and what was detected."""

    path: Path
    header: list[str]
    rows: Iterator[tuple[int, list]]  # (data row number from 1, cells); cells None when truncated
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    close: callable = field(default=lambda: None)
    tail_ok: bool = True  # the file ends with a line break (else its last row may be cut)


def blank(cells: list) -> bool:
    """Return True for a CSV line with nothing on it (skipped, not counted as a row)."""
    return not cells or (len(cells) == 1 and not cells[0].strip())


def too_wide(cells: list, width: int) -> bool:
    """Return True for a row with more non-empty cells than the header has columns (rejected: TOO_WIDE)."""
    return len(cells) > width and any(c not in (None, "") for c in cells[width:])


def detect_encoding(sample: bytes) -> str:
    """Return utf-8-sig, utf-8, gbk or gb18030 (or charset-normalizer's guess) for a byte sample."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for enc in ("utf-8", "gbk", "gb18030"):
        try:
            codecs.getincrementaldecoder(enc)().decode(sample, final=False)
            return enc
        except UnicodeDecodeError:
            continue
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None:
        raise BadInput("文件编码无法识别 cannot tell the file's text encoding",
                       "save it as UTF-8 or GB18030 CSV, or as .xlsx")
    return best.encoding


def _sniff(text: str, path: Path) -> str:
    """Return the delimiter of a text sample: tab, comma, pipe or semicolon."""
    lines = text.splitlines()[:20]
    if path.suffix.lower() == ".tsv" and lines and "\t" in lines[0]:
        return "\t"
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",\t|;").delimiter
    except csv.Error:
        head = lines[0] if lines else ""
        return max(",\t|;", key=head.count)


def _csv_rows(fh, delimiter: str, width: int, tail_ok: bool) -> Iterator[tuple[int, list]]:
    """Yield (row number, cells), skipping blank lines; the last row is None if the file was cut."""
    reader = csv.reader(fh, delimiter=delimiter)
    n = 0
    prev = None
    for cells in reader:
        if blank(cells):
            continue
        if prev is not None:
            yield prev
        n += 1
        prev = (n, cells)
    if prev is not None:
        if not tail_ok and len(prev[1]) < width:
            yield prev[0], None
        else:
            yield prev


def _open_csv(path: Path) -> Table:
    """Open a CSV/TSV file: encoding from its bytes, delimiter sniffed, header read."""
    with open(path, "rb") as fh:
        sample = fh.read(SAMPLE)
        fh.seek(-min(path.stat().st_size, 1), io.SEEK_END)
        tail_ok = fh.read(1) in (b"\n", b"\r")
    if not sample.strip():
        raise BadInput(f"{path.name}: 文件为空 the file is empty", "check the file")
    enc = detect_encoding(sample)
    text = sample.decode(enc, errors="ignore")
    delim = _sniff(text, path)
    fh = open(path, encoding="gb18030" if enc == "gbk" else enc, newline="", errors="strict")  # GBK is a subset
    reader = csv.reader(fh, delimiter=delim)
    try:
        header = next(h for h in reader if h and any(c.strip() for c in h))
    except StopIteration:
        fh.close()
        raise BadInput(f"{path.name}: 没有表头 no header row", "the first line must name the columns") from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    rows = _guard(_csv_rows(fh, delim, len(header), tail_ok), path, enc)
    fmt = "tsv" if delim == "\t" else "csv"
    return Table(path, header, rows, fmt, "gbk" if enc == "gbk" else enc, delim, fh.close, tail_ok)


def _guard(rows, path: Path, enc: str):
    """Turn a decoding error deep in a file into a clear error naming the file."""
    try:
        for n, cells in rows:
            yield n, cells
    except UnicodeDecodeError as e:
        raise BadInput(f"{path.name}: 第 {e.start} 字节起无法按 {enc} 解码 cannot decode as {enc} at byte {e.start}",
                       "the file mixes encodings; save it again as UTF-8") from None


XLSX_IN_MEMORY_MAX = 32 << 20  # bytes: a smaller workbook is read whole by calamine (6-8x faster than openpyxl)


def _open_xlsx(path: Path) -> Table:
    """Open the first sheet of an .xlsx workbook: calamine when small enough, else openpyxl streaming."""
    if path.stat().st_size <= XLSX_IN_MEMORY_MAX:
        return _open_xlsx_calamine(path)
    return _open_xlsx_streaming(path)


def _open_xlsx_calamine(path: Path) -> Table:
    """Read the first sheet with calamine (Rust): the sheet is held in memory, rows come as lists."""
    import python_calamine as pc

    try:
        sheet = pc.CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        it = iter(sheet.iter_rows())
    except (pc.CalamineError, OSError, ValueError) as e:
        raise BadInput(f"{path.name}: Excel 文件损坏或不完整 the workbook is damaged or truncated ({e})",
                       "open it in Excel and save it again, or export CSV") from None
    return _xlsx_table(path, it, lambda: None)


def _open_xlsx_streaming(path: Path) -> Table:
    """Open the first sheet of an .xlsx workbook in read-only (streaming) mode: memory stays flat."""
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as e:
        raise BadInput(f"{path.name}: Excel 文件损坏或不完整 the workbook is damaged or truncated ({e})",
                       "open it in Excel and save it again, or export CSV") from None
    return _xlsx_table(path, wb.worksheets[0].iter_rows(values_only=True), wb.close)


def _xlsx_table(path: Path, it, close) -> Table:
    """Return the table of a sheet's row iterator: the first non-empty row is the header."""
    header = None
    for row in it:
        if row and any(c not in (None, "") for c in row):
            header = [("" if c is None else str(int(c) if isinstance(c, float) and c.is_integer() else c)).strip()
                      for c in row]  # 2023 and 2023.0 (readers differ) name the same column
            break
    if header is None:
        close()
        raise BadInput(f"{path.name}: 没有表头 no header row", "the first row must name the columns")
    while header and not header[-1]:
        header.pop()

    def rows():
        n = 0
        for row in it:
            if not row or all(c is None or c == "" for c in row):
                continue
            n += 1
            yield n, list(row)

    return Table(path, header, _xlsx_guard(rows(), path), "xlsx", None, None, close)


def _xlsx_guard(rows, path: Path):
    """Report a workbook cut in the middle as a damaged file naming it."""
    try:
        yield from rows
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as e:
        raise BadInput(f"{path.name}: Excel 文件损坏或不完整 the workbook is damaged or truncated ({e})",
                       "open it in Excel and save it again, or export CSV") from None


def _open_xls(path: Path) -> Table:
    """Open the first sheet of an old .xls workbook with xlrd (dates converted)."""
    try:
        import xlrd
    except ImportError:
        raise BadInput(f"{path.name}: 不支持 .xls .xls is not supported here", "save it as .xlsx or CSV") from None
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as e:
        raise BadInput(f"{path.name}: Excel 文件无法读取 cannot read the workbook ({e})", "save it as .xlsx") from None
    sh = book.sheet_by_index(0)
    header = [str(c).strip() for c in sh.row_values(0)]

    def cell(c):
        if c.ctype == xlrd.XL_CELL_DATE:
            return xlrd.xldate.xldate_as_datetime(c.value, book.datemode)
        return c.value

    def rows():
        n = 0
        for i in range(1, sh.nrows):
            vals = [cell(c) for c in sh.row(i)]
            if all(v in (None, "") for v in vals):
                continue
            n += 1
            yield n, vals

    return Table(path, header, rows(), "xls", None, None, book.release_resources)


def open_table(path: str | Path) -> Table:
    """Open any supported table by looking at its bytes (zip: xlsx, OLE: xls, else text)."""
    path = Path(path)
    if not path.is_file():
        raise BadInput(f"{path}: 文件不存在 no such file", "check the path")
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"PK\x03\x04"):
        return _open_xlsx(path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        return _open_xls(path)
    return _open_csv(path)
