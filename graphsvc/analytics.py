"""Investigative analytics (打一个破一串): the public functions web views, exports and the CLI share.

Every function takes (store, case, ...) and returns plain data in the shapes of graphsvc/shapes.py.
The work is split by topic into modules; this one re-exports them.
"""
from __future__ import annotations

from .alerts import alerts
from .clusters import HUB_DEGREE, clusters
from .freeze import FREEZE_COLUMNS, freeze_list, write_freeze
from .gangs import gang, gangs
from .neighbourhood import neighbourhood
from .paths import paths
from .search import entity, search
from .trace import trace

__all__ = ["search", "entity", "neighbourhood", "trace", "freeze_list", "write_freeze", "FREEZE_COLUMNS", "paths",
           "gangs", "gang", "clusters", "alerts", "HUB_DEGREE"]
