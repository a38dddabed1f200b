"""Where a load's CPU goes: wall time and CPU seconds of the loading process, its workers and the server.

The machine's timing noise is large (the loader, two workers and the server share two cores), so a
change is judged against a baseline measured in the same period: give this script two checkouts and
it alternates them, a fresh embedded FalkorDB per load, and prints each run and the medians.

    .venv/bin/python bench/cpu_load.py --dir /tmp/demo-large --runs 3 [--baseline /path/to/old/checkout]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _child(code: Path, folder: Path) -> dict:
    """Load the folder's 交易明细 files with the pochuan at `code`; return wall and CPU seconds per process."""
    sys.path.insert(0, str(code))
    import psutil

    from graphsvc.embedded import EmbeddedServer
    from graphsvc.settings import load_settings
    from graphsvc.store import open_store
    from loaders import load_files

    data = Path(tempfile.mkdtemp(prefix="pochuan-cpu-"))
    try:
        EmbeddedServer(data).ensure()
        cfg = load_settings({})
        cfg.update(POCHUAN_DATA=str(data), POCHUAN_GRAPH_NAME="cpu")
        store = open_store(cfg)
        server = next(p for p in psutil.process_iter(["cmdline"])
                      if "redis-server" in " ".join(p.info["cmdline"] or []) and str(data) in " ".join(p.info["cmdline"] or []))
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.startswith("交易明细"))
        s0, t0, w0 = sum(server.cpu_times()[:2]), os.times(), time.perf_counter()
        res = load_files(store, "CPU", files, data_dir=str(data))
        wall, t1, s1 = time.perf_counter() - w0, os.times(), sum(server.cpu_times()[:2])
        EmbeddedServer(data).stop()
    finally:
        shutil.rmtree(data, ignore_errors=True)
    return {"wall": wall, "main": t1.user - t0.user + t1.system - t0.system,
            "workers": t1.children_user - t0.children_user + t1.children_system - t0.children_system,
            "server": s1 - s0, "rows": sum(r["read"] for r in res)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", required=True, type=Path, help="a demo case folder (pochuan demo-data)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--baseline", type=Path, help="another pochuan checkout, timed alternately with this one")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(_child(Path(args.child[0]), Path(args.child[1]))))
        return
    codes = {"this": ROOT, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    got: dict = {name: [] for name in codes}
    for i in range(args.runs):
        for name, code in codes.items():
            out = subprocess.run([sys.executable, __file__, "--dir", str(args.dir), "--child", str(code), str(args.dir)],
                                 capture_output=True, text=True, check=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            r["total"] = r["main"] + r["workers"] + r["server"]
            got[name].append(r)
            print(f"run {i + 1} {name:8s} wall {r['wall']:5.2f} s  CPU: loader {r['main']:5.2f}  workers "
                  f"{r['workers']:5.2f}  server {r['server']:5.2f}  total {r['total']:5.2f}  "
                  f"({r['rows'] / r['wall']:,.0f} rows/s)", flush=True)
    for name, runs in got.items():
        med = {k: statistics.median(r[k] for r in runs) for k in ("wall", "main", "workers", "server", "total")}
        print(f"median {name:8s} wall {med['wall']:5.2f} s ({runs[0]['rows'] / med['wall']:,.0f} rows/s)  CPU: loader "
              f"{med['main']:5.2f}  workers {med['workers']:5.2f}  server {med['server']:5.2f}  total {med['total']:5.2f}")


if __name__ == "__main__":
    main()
