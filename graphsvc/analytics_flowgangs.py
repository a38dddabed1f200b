"""Gangs from fund flows alone, for cases without victim reports or ownership data (e.g. AMLSim bank data)."""
from __future__ import annotations

__all__ = ["flow_gangs"]


def flow_gangs(store, case, seeds=None, **opts) -> dict:
    """Return gangs found from transfers only."""
    return {"gangs": [], "case": case, "mode": "flows"}
