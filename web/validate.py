"""Checks of request parameters: every bad value is a 400 that names its field."""
from __future__ import annotations

import re
from datetime import datetime

from flask import request

from graphsvc.errors import BadInput
from graphsvc.model import ENTITY_TYPES, RELS

__all__ = ["text", "integer", "number", "choice", "flag", "when", "rel_types", "node_id", "entity_type",
           "GRAPH_RELS", "only"]

# Relationship types a user may filter on (IN_CASE / OF_CASE / LISTED are bookkeeping).
GRAPH_RELS = tuple(r for r in RELS if r not in ("IN_CASE", "OF_CASE", "LISTED"))
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d")


def only(*allowed: str) -> None:
    """Refuse query parameters the endpoint does not know, naming the first stranger."""
    for name in request.args:
        if name not in allowed:
            raise BadInput(f"unknown parameter {name!r}", f"known: {', '.join(allowed) or 'none'}", field=name)


def _raw(name: str, required: bool):
    """Return a stripped argument or None; 400 when a required one is missing."""
    value = request.args.get(name)
    value = value.strip() if value is not None else None
    if not value:
        if required:
            raise BadInput(f"parameter {name!r} is required", field=name)
        return None
    return value


def text(name: str, required: bool = False, max_len: int = 200, default: str | None = None) -> str | None:
    """Return a short text argument."""
    value = _raw(name, required)
    if value is None:
        return default
    if len(value) > max_len or any(ord(c) < 32 for c in value):
        raise BadInput(f"parameter {name!r} is too long or has control characters", f"at most {max_len}", field=name)
    return value


def integer(name: str, default: int, lo: int, hi: int) -> int:
    """Return an integer argument within [lo, hi]."""
    value = _raw(name, False)
    if value is None:
        return default
    try:
        n = int(value)
    except ValueError:
        raise BadInput(f"parameter {name!r} must be an integer", field=name) from None
    if not lo <= n <= hi:
        raise BadInput(f"parameter {name!r} must be between {lo} and {hi}", field=name)
    return n


def number(name: str, default: float, lo: float, hi: float) -> float:
    """Return a number argument within [lo, hi]."""
    value = _raw(name, False)
    if value is None:
        return default
    try:
        n = float(value)
    except ValueError:
        raise BadInput(f"parameter {name!r} must be a number", field=name) from None
    if not lo <= n <= hi or n != n:
        raise BadInput(f"parameter {name!r} must be between {lo} and {hi}", field=name)
    return n


def choice(name: str, options: tuple, default: str | None = None) -> str | None:
    """Return an argument that must be one of the options."""
    value = _raw(name, default is None)
    if value is None:
        return default
    if value not in options:
        raise BadInput(f"parameter {name!r} must be one of {', '.join(options)}", field=name)
    return value


def flag(name: str) -> bool:
    """Return a yes/no argument (1, true, yes, on)."""
    value = _raw(name, False)
    if value is None:
        return False
    if value.lower() not in ("1", "true", "yes", "on", "0", "false", "no", "off"):
        raise BadInput(f"parameter {name!r} must be true or false", field=name)
    return value.lower() in ("1", "true", "yes", "on")


def when(name: str) -> str | None:
    """Return a time argument as 'YYYY-MM-DD HH:MM:SS' (the graph's format)."""
    value = _raw(name, False)
    if value is None:
        return None
    for fmt in _TIME_FORMATS:
        try:
            return datetime.strptime(value, fmt).strftime("%Y-%m-%d %H:%M:%S")
        except ValueError:
            continue
    raise BadInput(f"parameter {name!r} must be a time like 2024-03-01 12:00:00", field=name)


def rel_types(name: str = "rel") -> list[str] | None:
    """Return relationship types from a comma list (or repeated parameter), checked against the model."""
    raw = [v for item in request.args.getlist(name) for v in item.split(",") if v.strip()]
    if not raw:
        return None
    out = [v.strip().upper() for v in raw]
    bad = [v for v in out if v not in GRAPH_RELS]
    if bad:
        raise BadInput(f"unknown relationship type {bad[0]!r}", f"one of {', '.join(GRAPH_RELS)}", field=name)
    return out


def entity_type(name: str = "type") -> str:
    """Return an entity type name (person, card, phone, device, report, cashpoint)."""
    return choice(name, tuple(ENTITY_TYPES))


_KEY = re.compile(r"^[^\x00-\x1f]{1,120}$")


def node_id(name: str) -> tuple[str, str]:
    """Return (type, key) from an id like 'card:6222...'."""
    value = _raw(name, True)
    kind, sep, key = value.partition(":")
    if not sep or kind not in ENTITY_TYPES or not _KEY.match(key):
        raise BadInput(f"parameter {name!r} must be an id like card:6222021234567890",
                       f"types: {', '.join(ENTITY_TYPES)}", field=name)
    return kind, key
