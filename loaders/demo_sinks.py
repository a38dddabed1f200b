"""Output files of the demo case: CSV/TSV in a given encoding, or .xlsx, written row by row, byte-stable.

A seed must give the same bytes, so .xlsx files get fixed document times and are re-zipped with fixed
entry dates (openpyxl stamps both with the current time).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from pathlib import Path

__all__ = ["Sink", "FIXED_TIME"]

FIXED_TIME = dt.datetime(2024, 1, 1, 0, 0, 0)


class Sink:
    """One table file: header, rows, planted bad rows recorded for truth.json."""

    def __init__(self, root: Path, name: str, kind: str, header: list, encoding: str | None = "utf-8"):
        self.root, self.name, self.kind, self.header = root, name, kind, header
        self.path = root / name
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fmt = self.path.suffix.lstrip(".")
        self.encoding = None if self.fmt == "xlsx" else encoding
        self.rows, self.bad = 0, []
        if self.fmt == "xlsx":
            from openpyxl import Workbook

            self._wb = Workbook(write_only=True)
            self._wb.properties.created = self._wb.properties.modified = FIXED_TIME
            self._ws = self._wb.create_sheet("Sheet1")
            self._ws.append(header)
            self.write = self._ws.append
        else:
            self._fh = open(self.path, "w", encoding=encoding, newline="")
            w = csv.writer(self._fh, delimiter="\t" if self.fmt == "tsv" else ",", lineterminator="\r\n")
            w.writerow(header)
            self.write = w.writerow

    def row(self, values):
        """Write one data row."""
        self.write(values)
        self.rows += 1

    def bad_row(self, values, reason: str):
        """Write one deliberately bad row and remember its number (1-based, header not counted)."""
        self.row(values)
        self.bad.append({"row": self.rows, "reason": reason})

    def truncated_row(self, values, reason: str):
        """End a text file with a row cut off in the middle (no line end), like an interrupted export."""
        self._fh.write(",".join(values))
        self.rows += 1
        self.bad.append({"row": self.rows, "reason": reason})

    def close(self) -> dict:
        """Finish the file and return its truth.json entry."""
        if self.fmt == "xlsx":
            self._wb.save(self.path)
            _restamp(self.path)
        else:
            self._fh.close()
        return {"file": self.path.relative_to(self.root).as_posix(), "kind": self.kind, "format": self.fmt,
                "encoding": self.encoding, "header": self.header, "rows": self.rows, "bad_rows": len(self.bad),
                "bad": self.bad}


def _restamp(path: Path):
    """Rewrite an .xlsx zip with fixed entry dates and document times so equal content gives equal bytes."""
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries:
            if name == "docProps/core.xml":
                data = _fix_core(data)
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            out.writestr(info, data)
    path.write_bytes(buf.getvalue())


def _fix_core(data: bytes) -> bytes:
    """Replace the created/modified stamps of docProps/core.xml by the fixed time."""
    import re

    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)", rb"\g<1>" + stamp + rb"\g<2>", data)
