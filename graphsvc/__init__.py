"""pochuan's graph service: the store, the cypher/ library and the analytics built on them."""
import os as _os
import sys as _sys

# polars' allocator (jemalloc) keeps freed pages 0.5 s (muzzy ones 1 s more) as polars sets it, so a process that
# frees each block's buffers grows with its file; returned after 100 ms, a file loaded in this process stays lower
# and flatter (the 工商 file 1x/2x/4x: 532/576/607 MB -> 459/447/524). The loader's worker processes keep polars'
# setting (WORKER_ALLOCATOR): there the faults of returned pages cost ~1.4 s of a 16 s large load. polars adds
# its own options before these (the last given wins). A value the user set wins everywhere (USER_ALLOCATOR).
ALLOCATOR = "dirty_decay_ms:100,muzzy_decay_ms:0"
WORKER_ALLOCATOR = "dirty_decay_ms:500,muzzy_decay_ms:1000"  # what polars sets when nobody did
USER_ALLOCATOR = _os.environ.get("_RJEM_MALLOC_CONF") or None  # or the loader that started this worker
if USER_ALLOCATOR == WORKER_ALLOCATOR and "polars" in _sys.modules:  # polars was imported first and set its own
    USER_ALLOCATOR = None
if USER_ALLOCATOR is None:
    _os.environ["_RJEM_MALLOC_CONF"] = ALLOCATOR
