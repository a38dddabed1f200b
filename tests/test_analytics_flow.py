"""Flow-only gangs: cases with transfers and nothing else (no reports, owners or devices), e.g. AMLSim."""
from __future__ import annotations

import random

from analytics_fixture import Builder
from graphsvc import analytics
from graphsvc.analytics_flowgangs import partition


def _ring_case(store):
    """A fan-in ring into 9000, a loop 9100 -> 9101 -> 9102 -> 9100, random noise and one busy shop."""
    b = Builder("F1")
    rng = random.Random(4)
    cards = [f"{i:04d}" for i in range(80)]
    for k in cards + ["9000", "9001", "9002", "9003", "9004", "9100", "9101", "9102", "9999"]:
        b.add("BankCard", k, bank="银行")
    for m in ("9001", "9002", "9003", "9004"):
        b.transfer(m, "9000", 900, "2024-03-0%d 10:00:00" % (int(m[-1]) + 1))
    b.transfer("9100", "9101", 500, "2024-06-01 10:00:00")
    b.transfer("9101", "9102", 490, "2024-06-03 10:00:00")
    b.transfer("9102", "9100", 480, "2024-06-05 10:00:00")
    for _ in range(400):
        a, c = rng.sample(cards, 2)
        b.transfer(a, c, rng.randint(10, 500), f"2024-{rng.randint(1, 12):02d}-{rng.randint(10, 28)} 12:00:00")
    for c in cards:
        b.transfer(c, "9999", 20, "2024-05-05 09:00:00")
        b.transfer(c, "9999", 30, "2024-08-05 09:00:00")
    b.transfer("9000", "0001", 100, "2024-01-15 10:00:00")
    b.transfer("9100", "0002", 100, "2024-02-15 10:00:00")
    b.write(store)


def test_seeded_flow_gangs(store):
    _ring_case(store)
    fan = analytics.gangs(store, "F1", seeds=["9000"])
    assert fan["mode"] == "flows"
    got = {m["key"] for m in fan["gangs"][0]["members"]}
    assert {"9000", "9001", "9002", "9003", "9004"} <= got
    loop = analytics.gangs(store, "F1", seeds=["card:9100"])["gangs"][0]
    assert {"9100", "9101", "9102"} <= {m["key"] for m in loop["members"]}
    assert loop["seed"] == "card:9100" and loop["victims"] == []


def test_whole_case_flow_partition_cuts_the_hub(store):
    _ring_case(store)
    res = analytics.gangs(store, "F1")
    members = [{m["key"] for m in g["members"]} for g in res["gangs"]]
    assert res["gangs"] and all("9999" not in m for m in members)  # the shop is a hub, cut before Louvain
    assert any({"9000", "9001", "9002", "9003", "9004"} <= m for m in members)
    one = analytics.gang(store, "F1", res["gangs"][0]["id"])
    ids = {n["id"] for n in one["nodes"]}
    assert one["edges"] and all(e["from"] in ids and e["to"] in ids for e in one["edges"])


def test_networkx_fallback_on_fetched_edges(store):
    """The Neo4j path (edges fetched with portable Cypher, partitioned in Python) run on FalkorDB's edges."""
    _ring_case(store)
    pairs = store.read("flow_pairs", case="F1", max_rows=100000).rows
    assert len(pairs) > 300
    parts = partition(pairs, card_hub=30, min_size=3)
    assert all("9999" not in p for p in parts)
    assert sum(1 for p in parts if {"9100", "9101", "9102"} <= p) == 1


def test_seeded_flow_gang_counts_only_its_case(store):
    """A card shared by two cases: the other case's transfers neither join nor make a member look busy."""
    b = Builder("F1")
    for k in ("9000", "9001"):
        b.add("BankCard", k, cases=["F1", "F2"], bank="银行")
    for k in ("9002", "9003"):
        b.add("BankCard", k, bank="银行")
    others = [f"8{i:03d}" for i in range(25)]
    for k in others:
        b.add("BankCard", k, cases=["F2"], bank="银行")
    for m in ("9001", "9002", "9003"):
        b.transfer(m, "9000", 900, "2024-03-05 10:00:00")
    for i, k in enumerate(others):  # 9001 is busy in F2 only
        b.transfer("9001", k, 50, f"2024-04-{i + 1:02d} 10:00:00", cases=["F2"])
    b.transfer("9000", "8000", 70, "2024-03-06 10:00:00", cases=["F2"])
    b.write(store)
    got = {m["key"] for m in analytics.gangs(store, "F1", seeds=["9000"])["gangs"][0]["members"]}
    assert got == {"9000", "9001", "9002", "9003"}
    assert analytics.gangs(store, "F1", seeds=["7777"])["gangs"][0]["size"] == 1  # an unknown seed: itself only
