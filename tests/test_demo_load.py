"""The small demo case goes through the loaders: every row is read, each planted bad row and only those rejected."""
from __future__ import annotations

import csv
import json

import pytest

from loaders.demo import generate

try:
    from loaders import load_files            # the contract's entry point
except ImportError:                            # the loaders not wired into the package yet
    load_files = pytest.importorskip("loaders.api").load_files


@pytest.fixture(scope="module")
def case_dir(tmp_path_factory):
    """The small demo case of seed 1."""
    out = tmp_path_factory.mktemp("demo-load")
    generate(out, "small", 1)
    return out


def test_small_case_loads_with_exactly_the_planted_rejects(store, case_dir, tmp_path):
    """read = rows = loaded + rejected for every file, and the rejected rows are the planted bad rows."""
    truth = json.loads((case_dir / "truth.json").read_text("utf-8"))
    entries = {e["file"]: e for e in truth["files"]}
    paths = [case_dir / f for f in entries]
    summaries = load_files(store, truth["case"], paths, data_dir=tmp_path)
    problems = []
    for s, path in zip(summaries, paths):
        e = entries[path.name]
        assert s["kind"] == e["kind"], (path.name, s["kind"])
        assert s["read"] == e["rows"] == s["loaded"] + s["rejected"], (path.name, s)
        with open(s["rejects"], encoding="utf-8-sig", newline="") as fh:
            rejected = {int(r[0]): r[1] for r in list(csv.reader(fh))[1:]}
        planted = {b["row"]: b["reason"] for b in e["bad"]}
        if set(rejected) != set(planted):
            problems.append((path.name, {n: rejected[n] for n in set(rejected) - set(planted)},
                             sorted(set(planted) - set(rejected))))
    assert not problems, problems
    new = sum(s.get("transfers_new") or 0 for s in summaries if s["kind"] == "transfers")
    assert new == truth["counts"]["transfers"], "both sides of a transfer must make one TRANSFER"
    _assert_planted_keys_are_nodes(store, truth)
    second = truth["second_case"]
    for s in load_files(store, second["case"], [case_dir / e["file"] for e in second["files"]], data_dir=tmp_path):
        assert s["rejected"] == 0 and s["read"] == s["loaded"], s


def _assert_planted_keys_are_nodes(store, truth):
    """Every key truth.json names (members, victims, clusters, hubs, alerts) is a node the loaders made."""
    want = {"person": set(), "card": set(), "phone": set(), "device": set()}
    for g in truth["gangs"]:
        for m in g["members"] + g["victims"]:
            want[m["type"]].add(m["key"])
    for c in truth["clusters"]:
        for m in c["members"] + c["devices"]:
            want[m["type"]].add(m["key"])
    for h in truth["hubs"]:
        want[h["type"]].add(h["key"])
    for a in truth["alerts"]:
        if a["kind"] != "cross_case":
            want[a["type"]].add(a["keys"][0])
    params = {f"{t}s": sorted(v) for t, v in want.items()}
    rows = store.read("nodes_get", **params, reports=[], cashpoints=[], max_rows=1_000_000).rows
    got = {(r["label"], r["key"]) for r in rows}
    labels = {"person": "Person", "card": "BankCard", "phone": "Phone", "device": "Device"}
    missing = [(t, k) for t, keys in want.items() for k in sorted(keys) if (labels[t], k) not in got]
    assert not missing, missing[:20]
