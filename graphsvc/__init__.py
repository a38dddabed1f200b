"""pochuan's graph service: the store, the cypher/ library and the analytics built on them."""
import os as _os

# polars' allocator (jemalloc) keeps freed pages 0.5 s (muzzy ones 1 s more) as polars sets it, so a loader freeing
# each block's buffers grows with its file; returned after 100 ms it stays lower and flatter (the 工商 file
# 1x/2x/4x: 532/576/607 MB -> 452/457/514; the large demo case with its workers ~1,430 -> ~1,270 MB) for as long a
# load. polars adds its own options before these (the last given wins); when polars was imported first, the worker
# processes still get them. A value the user set wins.
ALLOCATOR = "dirty_decay_ms:100,muzzy_decay_ms:0"
_POLARS_OWN = "dirty_decay_ms:500,muzzy_decay_ms:1000"  # what polars sets when nobody did
if _os.environ.get("_RJEM_MALLOC_CONF", "") in ("", _POLARS_OWN):
    _os.environ["_RJEM_MALLOC_CONF"] = ALLOCATOR
