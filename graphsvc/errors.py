"""Errors a user can act on: what failed and what to do, in one line."""
from __future__ import annotations

__all__ = ["PochuanError", "StoreUnavailable", "QueryError", "CypherLibraryError", "NotFound", "BadInput"]


class PochuanError(Exception):
    """Base of every error pochuan reports to a user as one line with a hint."""

    status = 500

    def __init__(self, message: str, hint: str = ""):
        message, hint = " ".join(str(message).split()), " ".join(str(hint).split())
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message

    def __reduce__(self):
        """Pickle with the hint (an error raised in a loader's worker process reaches the user whole)."""
        return self.__class__, (self.message, self.hint), self.__dict__


class StoreUnavailable(PochuanError):
    """The graph store cannot be reached or started."""

    status = 503


class QueryError(PochuanError):
    """A query failed inside the store."""


class CypherLibraryError(PochuanError):
    """The cypher/ library is inconsistent: missing file, undeclared parameter."""


class NotFound(PochuanError):
    """An entity, case or gang asked for does not exist."""

    status = 404


class BadInput(PochuanError):
    """A value given by the user is not acceptable."""

    status = 400

    def __init__(self, message: str, hint: str = "", field: str | None = None):
        super().__init__(message, hint)
        self.field = field
