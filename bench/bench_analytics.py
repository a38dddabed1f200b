"""Latency of the analytics on a demo case: search, neighbourhood, 4-hop trace, gangs, clusters, alerts.

    .venv/bin/python bench/bench_analytics.py --size large --seed 1 [--graph NAME] [--reuse] [--runs 200] [--out FILE]

Loads the case into graph `bench-SIZE-SEED` (bench/score_demo.load_demo: the loaders when present,
`--via world` to write the generator's world directly) unless --reuse names a graph already loaded,
then times each function many times on random inputs and prints medians and p95. A trivial query
(case_list) is timed in the same run as a baseline: on a shared 2-core machine the ratios are
steadier than the absolute figures.
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

TARGETS = {"search": 0.020, "neighbourhood": 0.050, "trace_4hop": 0.300, "gangs": 10.0, "clusters": 5.0, "alerts": 5.0}


def _time(fn, args_list) -> list[float]:
    """Run fn on each args tuple and return the seconds each took."""
    out = []
    for args in args_list:
        t0 = time.perf_counter()
        fn(*args)
        out.append(time.perf_counter() - t0)
    return out


def _stats(xs: list[float]) -> dict:
    """Return n, median and p95 in milliseconds."""
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return {"n": len(xs), "median_ms": round(statistics.median(xs) * 1000, 1), "p95_ms": round(p95 * 1000, 1),
            "max_ms": round(xs[-1] * 1000, 1)}


def run(store, case: str, runs: int, rng: random.Random) -> dict:
    """Time every analytics function on one loaded case."""
    from graphsvc import analytics
    from graphsvc.gangs import whole_case
    from graphsvc.stats import case_stats

    cards = [r[0] for r in store.graph.query(
        "MATCH (c:BankCard)-[:IN_CASE]->(:Case {key: $case}) RETURN c.key AS key", {"case": case}).result_set]
    persons = [r[0] for r in store.graph.query(
        "MATCH (p:Person)-[:IN_CASE]->(:Case {key: $case}) RETURN p.key, p.name LIMIT 50000", {"case": case}).result_set]
    names = [r[1] for r in store.graph.query(
        "MATCH (p:Person)-[:IN_CASE]->(:Case {key: $case}) RETURN p.key, p.name LIMIT 5000", {"case": case}).result_set if r[1]]
    from graphsvc.trace import report_rows

    firsts = sorted({r["to_card"] for r in report_rows(store, case) if r.get("to_card")})
    out = {"case": case, **case_stats(store, case)}
    out["baseline"] = _stats(_time(lambda: store.read("case_list", limit=10), [()] * runs))
    texts = ([(c,) for c in rng.sample(cards, runs // 4)] + [(c[:10],) for c in rng.sample(cards, runs // 4)]
             + [(p,) for p in rng.sample(persons, runs // 4)] + [(n[:2],) for n in rng.sample(names, runs // 4)])
    out["search"] = _stats(_time(lambda t: analytics.search(store, case, t), texts))
    nb = [("card", c) for c in rng.sample(cards, runs // 2)] + [("person", p) for p in rng.sample(persons, runs // 2)]
    out["neighbourhood"] = _stats(_time(lambda t, k: analytics.neighbourhood(store, case, t, k, hops=1), nb))
    tr = [(c,) for c in rng.choices(firsts, k=runs // 2)] + [(c,) for c in rng.sample(cards, runs // 2)]
    out["trace_4hop"] = _stats(_time(lambda c: analytics.trace(store, case, c, hops=4), tr))
    out["gangs"] = _stats(_time(lambda: whole_case(store, case, opts={"_run": time.time()}), [()] * 3))
    out["gangs"]["found"] = len(whole_case(store, case))
    out["clusters"] = _stats(_time(lambda: analytics.clusters(store, case), [()] * 3))
    out["alerts"] = _stats(_time(lambda: analytics.alerts(store, case), [()] * 3))
    for k, limit in TARGETS.items():
        key = "p95_ms" if limit < 1 else "median_ms"
        out[k]["target_ms"] = limit * 1000
        out[k]["ok"] = out[k][key] <= limit * 1000
        out[k]["x_baseline"] = round(out[k]["median_ms"] / max(out["baseline"]["median_ms"], 0.01), 1)
    return out


def markdown(res: dict, note: str = "") -> str:
    """Return the results as a Markdown section."""
    lines = [f"## {res['case']}: {res.get('transfers', 0):,} transfers, {res.get('cards', 0):,} cards, "
             f"{res.get('persons', 0):,} persons", "", note, "",
             "| what | runs | median ms | p95 ms | target | ok | median / baseline |", "|---|---|---|---|---|---|---|"]
    for k in ("baseline", *TARGETS):
        r = res[k]
        tgt = "" if k == "baseline" else (f"p95 <= {r['target_ms']:.0f} ms" if r["target_ms"] < 1000
                                          else f"<= {r['target_ms'] / 1000:.0f} s")
        lines.append(f"| {k} | {r['n']} | {r['median_ms']} | {r['p95_ms']} | {tgt} | {r.get('ok', '')} | "
                     f"{r.get('x_baseline', 1)} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    """Load (or reuse) a case, time the analytics, print and optionally append Markdown to a file."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="large")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--via", choices=["auto", "loader", "world"], default="auto")
    ap.add_argument("--graph", default=None, help="Graph name (default bench-SIZE-SEED).")
    ap.add_argument("--reuse", action="store_true", help="The graph is already loaded: do not reload.")
    ap.add_argument("--case", default=None, help="Case number when reusing (default DEMO-SIZE-SEED).")
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--out", default=None, help="Append the Markdown table to this file.")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    from graphsvc.settings import load_settings
    from graphsvc.store import open_store

    cfg = load_settings()
    cfg["POCHUAN_GRAPH_NAME"] = a.graph or f"bench-{a.size}-{a.seed}"
    store = open_store(cfg)
    note = ""
    if not a.reuse:
        from score_demo import load_demo

        store.reset()
        t0 = time.perf_counter()
        truth = load_demo(store, a.size, a.seed, a.via)
        note = f"Loaded via {truth['via']} in {time.perf_counter() - t0:.0f} s."
    case = a.case or f"DEMO-{a.size}-{a.seed}"
    res = run(store, case, a.runs, random.Random(a.seed))
    if a.json:
        print(json.dumps(res, indent=1))
    else:
        print(markdown(res, note))
    if a.out:
        with open(a.out, "a", encoding="utf-8") as f:
            f.write(markdown(res, note) + "\n")
    return 0 if all(res[k]["ok"] for k in TARGETS) else 1


if __name__ == "__main__":
    sys.exit(main())
