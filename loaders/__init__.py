"""Loaders: case seizures of every kind into the graph, every row loaded or rejected with a reason."""
from __future__ import annotations

import graphsvc  # noqa: F401  (sets the allocator of polars before it is imported)

__all__ = ["load_files"]


def load_files(store, case, paths, kind=None, mapping=None, data_dir=None, progress=False, user="cli"):
    """Load files into a case; see loaders.api.load_files."""
    from .api import load_files as _load

    return _load(store, case, paths, kind=kind, mapping=mapping, data_dir=data_dir, progress=progress, user=user)
