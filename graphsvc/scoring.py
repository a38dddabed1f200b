"""Score analytics against a demo case's ground truth (truth.json): gangs, roles, clusters, alerts, traces.

Used by bench/score_demo.py and tests/test_quality.py. Member-level scores count persons and cards only,
as the truth file says; each planted gang is matched to the found gang sharing most of its members.
"""
from __future__ import annotations

import time

__all__ = ["score_gangs", "score_clusters", "score_alerts", "score_traces", "score_seeded", "score_case", "summary",
           "failures", "THRESHOLDS"]

_COUNTED = ("person", "card")


def _pc(members) -> set[tuple[str, str]]:
    """Return the (type, key) of the persons and cards among members."""
    return {(m["type"], m["key"]) for m in members if m["type"] in _COUNTED}


def _match(planted: set, found: list[dict]) -> tuple[dict | None, set]:
    """Return the found gang sharing most members with a planted set, and its counted members."""
    best, best_set, best_n = None, set(), 0
    for g in found:
        s = _pc(g["members"])
        n = len(planted & s)
        if n > best_n:
            best, best_set, best_n = g, s, n
    return best, best_set


def score_gangs(found: list[dict], truth: dict) -> dict:
    """Return recall, precision and role accuracy per planted gang and on average."""
    rows = []
    innocent = {("person", k) for k in truth.get("innocent", {}).get("persons", [])} | \
               {("card", k) for k in truth.get("innocent", {}).get("cards", [])}
    for t in truth["gangs"]:
        planted = _pc(t["members"])
        g, got = _match(planted, found)
        hit = planted & got
        role_of = {(m["type"], m["key"]): m.get("role") for m in (g or {}).get("members", [])}
        right = sum(1 for m in t["members"] if (m["type"], m["key"]) in hit and role_of.get((m["type"], m["key"])) == m.get("role"))
        victims = {("person", v["key"]) for v in t.get("victims", [])}
        rows.append({"gang": t["id"], "found": (g or {}).get("id"), "planted": len(planted), "returned": len(got),
                     "recall": len(hit) / len(planted) if planted else 1.0,
                     "precision": len(hit) / len(got) if got else 0.0,
                     "roles": right / len(planted) if planted else 1.0,
                     "victims_as_members": len(victims & got), "innocent_members": len(innocent & got),
                     "wrong_roles": [(m["type"], m["key"], m.get("role"), role_of.get((m["type"], m["key"])))
                                     for m in t["members"] if (m["type"], m["key"]) in hit
                                     and role_of.get((m["type"], m["key"])) != m.get("role")][:10],
                     "missed": sorted(planted - got)[:10]})
    n = len(rows) or 1
    return {"recall": sum(r["recall"] for r in rows) / n, "precision": sum(r["precision"] for r in rows) / n,
            "roles": sum(r["roles"] for r in rows) / n, "gangs_found": len(found), "gangs_planted": len(rows),
            "victims_as_members": sum(r["victims_as_members"] for r in rows), "per_gang": rows}


def score_clusters(found: list[dict], truth: dict, cover: float = 0.9) -> dict:
    """Return how many planted clusters were found (members covered) and whether any was merged or hub-joined."""
    hubs = {(h["type"], h["key"]) for h in truth.get("hubs", [])}
    sets = [{(m["type"], m["key"]) for m in c["members"]} | {(d["type"], d["key"]) for d in c["devices"]} for c in found]
    planted_sets = [{(m["type"], m["key"]) for m in t["members"]} for t in truth["clusters"]]
    found_n, merged, rows = 0, 0, []
    for t, ps in zip(truth["clusters"], planted_sets):
        best = max(sets, key=lambda s: len(ps & s), default=set())
        cov = len(ps & best) / len(ps) if ps else 1.0
        others = sum(1 for o in planted_sets if o is not ps and o & best)
        found_n += cov >= cover
        merged += others > 0
        rows.append({"cluster": t["id"], "coverage": cov, "merged_with": others})
    hub_ids = {h for h in hubs if h[0] in ("device", "phone")}
    hub_joined = sum(1 for c in found if {(d["type"], d["key"]) for d in c["devices"]} & hub_ids)
    return {"found": found_n, "planted": len(planted_sets), "merged": merged, "hub_joined": hub_joined,
            "coverage": sum(r["coverage"] for r in rows) / (len(rows) or 1), "per_cluster": rows}


def score_alerts(found: list[dict], truth: dict, kinds=None) -> dict:
    """Return, per kind, how many planted alerts were raised (a raised alert of that kind holds all its keys)."""
    by_kind = {}
    for a in found:
        by_kind.setdefault(a["kind"], []).append(set(a["keys"]))
    out, missed = {}, []
    for t in truth["alerts"]:
        if kinds and t["kind"] not in kinds:
            continue
        ok = any(set(t["keys"]) <= s for s in by_kind.get(t["kind"], []))
        k = out.setdefault(t["kind"], {"planted": 0, "raised": 0})
        k["planted"] += 1
        k["raised"] += ok
        if not ok:
            missed.append(t)
    planted = sum(v["planted"] for v in out.values())
    raised = sum(v["raised"] for v in out.values())
    return {"coverage": raised / planted if planted else 1.0, "per_kind": out, "missed": missed[:10],
            "raised_total": len(found)}


def score_traces(store, case: str, truth: dict, hops: int = 4) -> dict:
    """Trace down from each planted 一级卡 and check every planted 二级/三级 card it feeds is reached."""
    from .trace import trace

    full, total, rows, times = 0, 0, [], []
    for g in truth["gangs"]:
        for first, down in g.get("downstream", {}).items():
            t0 = time.perf_counter()
            res = trace(store, case, first, hops=hops)
            times.append(time.perf_counter() - t0)
            reached = {n["key"] for n in res["nodes"] if n["type"] == "card"}
            miss = set(down) - reached
            total += 1
            full += not miss
            rows.append({"card": first, "planted": len(down), "missed": sorted(miss)})
    return {"reach": full / total if total else 1.0, "traces": total, "fully_reached": full,
            "seconds_max": max(times, default=0.0), "per_card": [r for r in rows if r["missed"]][:10]}


def score_seeded(store, case: str, truth: dict, pick=("二级卡", "卡商", "骨干")) -> dict:
    """Seed from one member of each planted gang (打一个破一串) and score the gang that comes back."""
    from .gangs import gangs

    rows = []
    for t in truth["gangs"]:
        for role in pick:
            m = next((m for m in t["members"] if m.get("role") == role), None)
            if not m:
                continue
            res = gangs(store, case, seeds=[f"{m['type']}:{m['key']}"])
            s = score_gangs(res["gangs"], {"gangs": [t], "innocent": truth.get("innocent", {})})
            rows.append({"gang": t["id"], "seed_role": role, "recall": s["recall"], "precision": s["precision"],
                         "roles": s["roles"]})
    n = len(rows) or 1
    return {"recall": sum(r["recall"] for r in rows) / n, "precision": sum(r["precision"] for r in rows) / n,
            "roles": sum(r["roles"] for r in rows) / n, "seeds": len(rows),
            "worst": sorted(rows, key=lambda r: r["recall"])[:5]}


def score_case(store, case: str, truth: dict, seeded: bool = True, alert_kinds=None) -> dict:
    """Run gangs, clusters, alerts and traces on a loaded demo case and score each against the truth."""
    from .alerts import alerts
    from .clusters import clusters
    from .gangs import whole_case

    out, secs = {"case": case}, {}
    t0 = time.perf_counter()
    found = whole_case(store, case, opts={"_nocache": time.time()})
    secs["gangs"] = time.perf_counter() - t0
    out["gangs"] = score_gangs(found, truth)
    t0 = time.perf_counter()
    out["clusters"] = score_clusters(clusters(store, case)["clusters"], truth)
    secs["clusters"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    out["alerts"] = score_alerts(alerts(store, case)["alerts"], truth, alert_kinds)
    secs["alerts"] = time.perf_counter() - t0
    out["traces"] = score_traces(store, case, truth)
    if seeded:
        out["seeded"] = score_seeded(store, case, truth)
    out["seconds"] = secs
    return out


def summary(s: dict) -> str:
    """Return a few lines a person can read."""
    g, c, a, t = s["gangs"], s["clusters"], s["alerts"], s["traces"]
    lines = [f"case {s['case']}",
             f"gangs: recall {g['recall']:.3f} precision {g['precision']:.3f} roles {g['roles']:.3f} "
             f"({g['gangs_found']} found / {g['gangs_planted']} planted, victims as members {g['victims_as_members']})",
             f"clusters: {c['found']}/{c['planted']} found, merged {c['merged']}, joined through a hub {c['hub_joined']}",
             f"alerts: coverage {a['coverage']:.3f} " + ", ".join(f"{k} {v['raised']}/{v['planted']}"
                                                                for k, v in a['per_kind'].items()),
             f"traces: {t['fully_reached']}/{t['traces']} 一级卡 reach all their planted 二级/三级卡"]
    if "seeded" in s:
        z = s["seeded"]
        lines.append(f"seeded (打一个破一串, {z['seeds']} seeds): recall {z['recall']:.3f} precision {z['precision']:.3f} "
                     f"roles {z['roles']:.3f}")
    lines.append("seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in s["seconds"].items()))
    return "\n".join(lines)


# The quality bar of issue 4.
THRESHOLDS = {"recall": 0.95, "precision": 0.90, "roles": 0.90}


def failures(s: dict) -> list[str]:
    """Return what misses the quality bar (empty when everything passes)."""
    out = []
    g = s["gangs"]
    for k, v in THRESHOLDS.items():
        if g[k] < v:
            out.append(f"gangs {k} {g[k]:.3f} < {v}")
    if g["victims_as_members"]:
        out.append(f"{g['victims_as_members']} victims among gang members")
    c = s["clusters"]
    if c["found"] < c["planted"] or c["merged"] or c["hub_joined"]:
        out.append(f"clusters {c['found']}/{c['planted']} found, {c['merged']} merged, {c['hub_joined']} through a hub")
    if s["alerts"]["coverage"] < 1.0:
        out.append(f"alerts coverage {s['alerts']['coverage']:.3f}: missed {s['alerts']['missed'][:3]}")
    if s["traces"]["reach"] < 1.0:
        out.append(f"traces {s['traces']['fully_reached']}/{s['traces']['traces']} reach all planted layers")
    if "seeded" in s:
        z = s["seeded"]
        if z["recall"] < THRESHOLDS["recall"] or z["precision"] < THRESHOLDS["precision"]:
            out.append(f"seeded recall {z['recall']:.3f} precision {z['precision']:.3f}")
    return out
