"""Score pochuan's analytics on a demo case against its truth.json (issue 4's quality bar).

    .venv/bin/python bench/score_demo.py --size small --seed 1 [--via loader|world] [--no-seeded] [--json]

--via loader (the default when loaders.load_files exists): write the files with `pochuan demo-data`'s
generator and load them with the loaders, second case included (cross_case alerts).
--via world: write the generator's in-memory world straight into the graph (bench/score_world.py).
Uses the embedded store under $POCHUAN_DATA (default ./var), graph `score-SIZE-SEED`, replaced each run.
Exit code 1 when a figure misses the bar.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

__all__ = ["load_demo", "main"]


def _loader():
    """Return loaders.load_files, or None while the loaders are not there."""
    try:
        from loaders import load_files
        return load_files
    except ImportError:
        return None


def load_demo(store, size: str, seed: int, via: str = "auto", workdir=None) -> dict:
    """Put the demo case of a size and seed into the store; return its truth (with 'via' set)."""
    load_files = _loader()
    if via == "auto":
        via = "loader" if load_files else "world"
    if via == "loader":
        from loaders.demo import generate

        out = Path(workdir or tempfile.mkdtemp(prefix="pochuan-demo-")) / f"{size}-{seed}"
        generate(out, size, seed)
        truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
        files = [out / f["file"] for f in truth["files"]]
        load_files(store, truth["case"], files)
        sc = truth.get("second_case")
        if sc:
            load_files(store, sc["case"], [out / f["file"] for f in sc["files"]])
    else:
        from loaders.demo import _truth_people, build_world
        from score_world import write_world

        w = build_world(size, seed)
        write_world(store, w)
        _truth_people(w)
        truth = w.truth
    truth["via"] = via
    return truth


def main(argv=None) -> int:
    """Load, score, print; return 1 if the bar is missed."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="small")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--via", choices=["auto", "loader", "world"], default="auto")
    ap.add_argument("--no-seeded", action="store_true", help="Skip the seeded (打一个破一串) runs.")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    from graphsvc import scoring
    from graphsvc.settings import load_settings
    from graphsvc.store import open_store

    cfg = load_settings()
    cfg["POCHUAN_GRAPH_NAME"] = f"score-{a.size}-{a.seed}"
    store = open_store(cfg)
    store.reset()
    t0 = time.perf_counter()
    truth = load_demo(store, a.size, a.seed, a.via)
    loaded = time.perf_counter() - t0
    kinds = None if truth["via"] == "loader" else {"high_frequency_opening", "watchlist", "holder_mismatch"}
    s = scoring.score_case(store, truth["case"], truth, seeded=not a.no_seeded, alert_kinds=kinds)
    s["via"], s["load_seconds"], s["failures"] = truth["via"], round(loaded, 1), scoring.failures(s)
    if a.json:
        print(json.dumps(s, ensure_ascii=False, indent=1, default=str))
    else:
        print(scoring.summary(s) + f"\nloaded via {truth['via']} in {loaded:.1f} s")
        print("PASS" if not s["failures"] else "FAIL: " + "; ".join(s["failures"]))
    return 1 if s["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
