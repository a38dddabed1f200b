"""The cypher/ library: one statement per file, loaded and checked once at start-up.

File header, as `//` comments before the statement:
    // What the statement is for, one line or more.
    // params: case, key, limit
A per-backend variant sits beside the portable file as NAME.falkordb.cypher or NAME.neo4j.cypher.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .errors import CypherLibraryError
from .model import LABELS, RELS

__all__ = ["Statement", "Library", "BACKENDS", "need"]

BACKENDS = ("falkordb", "neo4j")
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_LABEL = re.compile(r"(?:[(\[|]\s*\w*\s*|\w)\s*:\s*`?([A-Z][A-Za-z_]*)")
_NEEDED: set[str] = set()


def need(*names: str) -> tuple[str, ...]:
    """Declare statements a module uses, so a missing file fails at start-up, not at query time."""
    _NEEDED.update(names)
    return names


@dataclass(frozen=True)
class Statement:
    """One Cypher statement with its declared parameters."""

    name: str
    backend: str | None  # None: portable
    text: str
    params: frozenset[str]
    doc: str
    path: Path


def _strip(text: str) -> str:
    """Remove string literals and comments so names inside them are not checked."""
    text = re.sub(r"//[^\n]*", "", text)
    return _STRING.sub("''", text)


def parse(path: Path) -> Statement:
    """Read one .cypher file, check its header against its body and return the statement."""
    stem = path.name[: -len(".cypher")]
    name, _, backend = stem.partition(".")
    if backend and backend not in BACKENDS:
        raise CypherLibraryError(f"{path}: unknown backend suffix {backend!r}", f"use one of {BACKENDS}")
    raw = path.read_text(encoding="utf-8")
    doc, declared, body = [], None, []
    for line in raw.splitlines():
        s = line.strip()
        if not body and s.startswith("//"):
            s = s[2:].strip()
            if s.lower().startswith("params:"):
                declared = {p.strip() for p in s[7:].split(",") if p.strip()}
            else:
                doc.append(s)
        elif s or body:
            body.append(line)
    text = "\n".join(body).strip().rstrip(";")
    if declared is None:
        raise CypherLibraryError(f"{path}: no '// params:' header", "declare the parameters, '// params:' if none")
    if not text:
        raise CypherLibraryError(f"{path}: no statement", "write one Cypher statement under the header")
    stripped = _strip(text)
    used = set(_PARAM.findall(stripped))
    if used - declared:
        raise CypherLibraryError(f"{path}: undeclared parameter(s) {sorted(used - declared)}",
                                 "add them to the '// params:' header")
    if declared - used:
        raise CypherLibraryError(f"{path}: declared but unused parameter(s) {sorted(declared - used)}",
                                 "remove them from the header")
    allowed = set(LABELS) | set(RELS)
    bad = {m for m in _LABEL.findall(stripped) if m not in allowed}
    if bad:
        raise CypherLibraryError(f"{path}: label or type outside the schema {sorted(bad)}",
                                 "use only names from graphsvc/model.py")
    return Statement(name, backend or None, text, frozenset(declared), " ".join(doc), path)


class Library:
    """All statements of a cypher/ folder, resolved for one backend."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise CypherLibraryError(f"cypher folder {self.folder} not found", "reinstall pochuan or set the path")
        self.statements: dict[tuple[str, str | None], Statement] = {}
        for path in sorted(self.folder.glob("*.cypher")):
            st = parse(path)
            self.statements[(st.name, st.backend)] = st

    def names(self) -> set[str]:
        """Return every statement name in the folder."""
        return {n for n, _ in self.statements}

    def get(self, name: str, backend: str) -> Statement:
        """Return the backend's variant of a statement, or the portable one."""
        st = self.statements.get((name, backend)) or self.statements.get((name, None))
        if st is None:
            raise CypherLibraryError(f"no cypher/{name}.cypher (or {name}.{backend}.cypher)",
                                     "add the file or fix the name")
        return st

    def schema_names(self) -> list[str]:
        """Return the names of the schema statements (indexes, constraints), each once."""
        return sorted({n for n, _ in self.statements if n.startswith("schema_")})

    def check(self, backend: str, names=None) -> None:
        """Fail now if any needed statement has no text for this backend."""
        missing = [n for n in sorted(names if names is not None else _NEEDED)
                   if (n, backend) not in self.statements and (n, None) not in self.statements]
        if missing:
            raise CypherLibraryError(f"cypher/ lacks statements for {backend}: {', '.join(missing)}",
                                     "add the files (portable or per-backend variant)")

    def for_neo4j(self) -> list[Statement]:
        """Return every statement meant to run on Neo4j (portable files and .neo4j variants)."""
        return [st for (n, b), st in sorted(self.statements.items(), key=lambda kv: (kv[0][0], kv[0][1] or ""))
                if b == "neo4j" or (b is None and (n, "neo4j") not in self.statements)]
