"""The rejects CSV of one file: every row that could not be loaded, with its number and reason."""
from __future__ import annotations

import csv
from pathlib import Path

from . import normalize as nz

__all__ = ["Rejects"]


class Rejects:
    """The rejects CSV of one file: 行号 row, 原因 reason, then the original cells."""

    def __init__(self, path: Path, header: list[str]):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.fh = open(self.path, "w", encoding="utf-8-sig", newline="")
        self.w = csv.writer(self.fh)
        self.w.writerow(["行号 row", "原因 reason", *header])
        self.count = 0

    def add(self, n: int, reason: str, cells) -> None:
        """Write one rejected row."""
        self.count += 1
        self.w.writerow([n, reason, *(nz.text(c) for c in (cells or []))])

    def close(self) -> None:
        """Flush and close the file."""
        self.fh.close()
