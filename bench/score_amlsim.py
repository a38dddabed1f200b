"""Score gang-from-seed (打一个破一串) on IBM AMLSim's amlsim-10k rings: recall and precision per ring.

    .venv/bin/python bench/score_amlsim.py [--rings N] [--json]

Loads ../shared/datasets/amlsim-10k into the graph `score-amlsim` (through the loaders' amlsim mapping
when it exists, else straight from the CSV files: account id -> card key, one TRANSFER per transaction),
seeds from each ring's hub account (alert_members_generator.csv isMain=true) and compares the returned
gang with the ring's accounts. Cite AMLSim (IBM, Apache-2.0) with these figures.
"""
from __future__ import annotations

import argparse
import calendar
import csv
import json
import os
import sys
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("POCHUAN_DATASETS") or ROOT.parent / "shared" / "datasets") / "amlsim-10k"
CASE = "AMLSIM-10K"

__all__ = ["load_amlsim", "rings", "score", "main"]

_NODES = "UNWIND $rows AS r CREATE (n:BankCard) SET n = r"
_TX = ("UNWIND $rows AS r MATCH (a:BankCard {key: r.a}) MATCH (b:BankCard {key: r.b}) "
       "CREATE (a)-[x:TRANSFER]->(b) SET x = r.p")
_IN_CASE = "MERGE (c:Case {key: $case}) WITH c MATCH (n:BankCard) CREATE (n)-[:IN_CASE]->(c)"


def _ts(s: str) -> int:
    """Return wall-clock seconds of an ISO time."""
    return calendar.timegm(datetime.strptime(s[:19], "%Y-%m-%dT%H:%M:%S").timetuple())


def load_amlsim(store, data: Path = DATA, case: str = CASE, via: str = "auto") -> str:
    """Load the dataset (loaders' mapping when present, else directly); return how it was loaded."""
    mappings = sorted((ROOT / "loaders" / "mappings").glob("amlsim*.yaml"))
    try:
        from loaders import load_files
    except ImportError:
        load_files = None
    if via == "loader" or (via == "auto" and load_files and mappings):
        load_files(store, case, [data / "accounts.csv"], mapping=str(mappings[0]))
        load_files(store, case, [data / "transactions.csv"],
                   mapping=str(next((m for m in mappings if "trans" in m.name), mappings[0])))
        return "loader"
    prov = {"cases": [case], "batches": ["amlsim"], "src": []}
    with open(data / "accounts.csv", newline="") as f:
        rows = [{"key": r["acct_id"], "owner_name": f"{r['first_name']} {r['last_name']}", "bank": r["bank_id"], **prov}
                for r in csv.DictReader(f)]
    for i in range(0, len(rows), 20000):
        store.graph.query(_NODES, {"rows": rows[i:i + 20000]})
    store.ensure_schema()
    store.graph.query(_IN_CASE, {"case": case})
    with open(data / "transactions.csv", newline="") as f:
        tx = [{"a": r["orig_acct"], "b": r["bene_acct"],
               "p": {"key": r["tran_id"], "ts": _ts(r["tran_timestamp"]), "time": r["tran_timestamp"][:19].replace("T", " "),
                     "amount": float(r["base_amt"]), "cases": [case]}} for r in csv.DictReader(f)]
    for i in range(0, len(tx), 20000):
        store.graph.query(_TX, {"rows": tx[i:i + 20000]})
    return "direct"


def rings(data: Path = DATA) -> list[dict]:
    """Return each ring: id, kind, hub account, member accounts and those tied to the hub by ring transfers."""
    out = defaultdict(lambda: {"members": set()})
    with open(data / "alert_members_generator.csv", newline="") as f:
        for r in csv.DictReader(f):
            g = out[r["alertID"]]
            g["id"], g["kind"] = r["alertID"], r["reason"]
            g["members"].add(r["accountID"])
            if r["isMain"] == "true":
                g["hub"] = r["accountID"]
    tied = _tied(data)
    for g in out.values():
        g["tied"] = _component(g.get("hub"), tied.get(g.get("id"), []))
    return [g for g in out.values() if "hub" in g]


def _tied(data: Path) -> dict:
    """Return each ring's own transfers (alert_transactions.csv) as (from, to) pairs, for scoring only."""
    out = defaultdict(list)
    path = data / "alert_transactions.csv"
    if path.exists():
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                out[r["alert_id"]].append((r["orig_acct"], r["bene_acct"]))
    return out


def _component(hub: str | None, pairs: list) -> set:
    """Return the accounts joined to the hub through the ring's own transfers (either direction)."""
    adj = defaultdict(set)
    for a, b in pairs:
        adj[a].add(b)
        adj[b].add(a)
    seen, todo = {hub}, [hub]
    while todo:
        todo = [y for x in todo for y in adj[x] if y not in seen and not seen.add(y)]
    return seen


def score(store, ring_list, case: str = CASE) -> dict:
    """Seed from each ring's hub and return mean recall and precision, per kind too."""
    from graphsvc.analytics import gangs

    rows, t0, took = [], time.perf_counter(), []
    for g in ring_list:
        t1 = time.perf_counter()
        got = {m["key"] for m in gangs(store, case, seeds=[g["hub"]])["gangs"][0]["members"]}
        took.append(time.perf_counter() - t1)
        hit = len(got & g["members"])
        tied = g.get("tied", set()) & g["members"] or {g["hub"]}
        rows.append({"ring": g["id"], "kind": g["kind"], "size": len(g["members"]), "returned": len(got),
                     "recall": hit / len(g["members"]), "precision": hit / len(got) if got else 0.0,
                     "recall_tied": len(got & tied) / len(tied)})
    kinds = defaultdict(list)
    for r in rows:
        kinds[r["kind"]].append(r)
    mean = lambda rs, k: sum(r[k] for r in rs) / len(rs) if rs else 0.0  # noqa: E731
    return {"rings": len(rows), "recall": mean(rows, "recall"), "precision": mean(rows, "precision"),
            "recall_tied": mean(rows, "recall_tied"),
            "tied_share": sum(len(g.get("tied", set()) & g["members"]) for g in ring_list)
            / max(sum(len(g["members"]) for g in ring_list), 1),
            "per_kind": {k: {"rings": len(v), "recall": mean(v, "recall"), "precision": mean(v, "precision"),
                             "recall_tied": mean(v, "recall_tied")}
                         for k, v in kinds.items()},
            "seconds_per_seed": (time.perf_counter() - t0) / max(len(rows), 1),
            "seed_seconds_median": sorted(took)[len(took) // 2] if took else 0.0, "seed_seconds_max": max(took, default=0.0),
            "worst": sorted(rows, key=lambda r: r["recall"])[:5]}


def main(argv=None) -> int:
    """Load, score and print; exit 1 when mean recall is under 0.95."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rings", type=int, default=0, help="Score only the first N rings (0: all).")
    ap.add_argument("--via", choices=["auto", "loader", "direct"], default="auto")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    from graphsvc.settings import load_settings
    from graphsvc.store import open_store

    cfg = load_settings()
    cfg["POCHUAN_GRAPH_NAME"] = "score-amlsim"
    store = open_store(cfg)
    store.reset()
    via = load_amlsim(store, via=a.via)
    rl = rings()
    s = score(store, rl[: a.rings] if a.rings else rl)
    s["via"] = via
    if a.json:
        print(json.dumps(s, indent=1, default=str))
    else:
        print(f"AMLSim amlsim-10k, loaded {via}: {s['rings']} rings seeded from their hub: recall {s['recall']:.3f} "
              f"precision {s['precision']:.3f} ({s['seconds_per_seed']:.2f} s per seed, "
              f"median {s['seed_seconds_median']:.2f}, max {s['seed_seconds_max']:.2f})")
        print(f"  recall over the members tied to the hub by the ring's own transfers ({s['tied_share']:.1%} of "
              f"members): {s['recall_tied']:.3f}")
        for k, v in s["per_kind"].items():
            print(f"  {k}: {v['rings']} rings, recall {v['recall']:.3f} (tied {v['recall_tied']:.3f}), "
                  f"precision {v['precision']:.3f}")
    return 0 if s["recall"] >= 0.95 else 1


if __name__ == "__main__":
    sys.exit(main())
