"""gangs (whole case and seeded), clusters, alerts and paths on the hand-made case."""
from __future__ import annotations

import pytest

from analytics_fixture import build_case
from graphsvc import analytics, scoring
from graphsvc.errors import NotFound


@pytest.fixture
def case(store):
    return build_case(store)


def _roles(g):
    return {(m["type"], m["key"]): m["role"] for m in g["members"]}


def test_whole_case_gang_roles_and_victims(store, case):
    res = analytics.gangs(store, "T1")
    assert len(res["gangs"]) == 1
    g = res["gangs"][0]
    assert g["id"] == "G1" and g["size"] == len(g["members"])
    s = scoring.score_gangs(res["gangs"], case)
    assert s["recall"] == 1.0 and s["precision"] == 1.0 and s["roles"] == 1.0, s["per_gang"]
    assert {v["key"] for v in g["victims"]} == {"220101197001010011", "220101197202020022"}
    assert not {v["key"] for v in g["victims"]} & {m["key"] for m in g["members"]}
    keys = {m["key"] for m in g["members"]}
    assert "6228000000009999" not in keys and "10.0.0.1" not in keys  # employer and public Wi-Fi are hubs
    assert "6228000000000001" not in keys  # the victim's family
    assert g["victim_amount"] == 8000.0 and g["first"] and g["last"]


@pytest.mark.parametrize("seed", ["6222000000000004", "card:6222000000000005", "110101199003030033",
                                  "860000000000001", "person:110101198502020022"])
def test_seeded_gang_from_one_entity(store, case, seed):
    res = analytics.gangs(store, "T1", seeds=[seed])
    g = res["gangs"][0]
    assert g["seed"] == seed
    s = scoring.score_gangs(res["gangs"], case)
    assert s["recall"] == 1.0 and s["precision"] >= 0.9


def test_seed_on_a_hub_returns_no_gang_and_unknown_seed_fails(store, case):
    assert analytics.gangs(store, "T1", seeds=["10.0.0.1"])["gangs"][0]["size"] == 0
    with pytest.raises(NotFound):
        analytics.gangs(store, "T1", seeds=["999999"])


def test_one_gang_as_graph(store, case):
    g = analytics.gang(store, "T1", "G1")
    roles = {n["key"]: n["role"] for n in g["nodes"]}
    assert roles["220101197001010011"] == "受害人" and roles["6222000000000001"] == "一级卡"
    ids = {n["id"] for n in g["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in g["edges"])
    assert any(e["type"] == "TRANSFER" and e["count"] == 2 for e in g["edges"])
    with pytest.raises(NotFound):
        analytics.gang(store, "T1", "G9")


def test_clusters_keep_hubs_apart(store, case):
    res = analytics.clusters(store, "T1")
    s = scoring.score_clusters(res["clusters"], case)
    assert s["found"] == 1 and s["merged"] == 0 and s["hub_joined"] == 0
    assert [h["key"] for h in res["hubs"]] == ["10.0.0.1"]
    top = res["clusters"][0]
    assert top["size"] >= 5 and top["flow"] > 0
    assert all({"type", "key"} <= set(m) for m in top["members"] + top["devices"])
    merged = analytics.clusters(store, "T1", hub=1000)  # without the hub cut the Wi-Fi joins everything
    assert merged["clusters"][0]["size"] > 100


def test_alerts_all_kinds(store, case):
    res = analytics.alerts(store, "T1")
    s = scoring.score_alerts(res["alerts"], case)
    assert s["coverage"] == 1.0, s["missed"]
    kinds = {a["kind"] for a in res["alerts"]}
    assert kinds == {"high_frequency_opening", "watchlist", "holder_mismatch", "cross_case"}
    assert all(a["message"] and a["keys"] for a in res["alerts"])
    hf = [a for a in res["alerts"] if a["kind"] == "high_frequency_opening"]
    assert [a["keys"] for a in hf] == [["11010120000505001X"]]  # 4 cards at 4 banks; nobody else
    strict = analytics.alerts(store, "T1", {"banks": 5})
    assert not [a for a in strict["alerts"] if a["kind"] == "high_frequency_opening"]


def test_paths_shortest_and_filtered(store, case):
    p = analytics.paths(store, "T1", "person:110101198001010011", "card:6222000000000001")
    assert p["length"] == 3 and len(p["paths"]) == 1
    money = analytics.paths(store, "T1", "person:110101198001010011", "card:6222000000000001",
                            rel_types=["TRANSFER", "OWNS"], all_shortest=True)
    assert all(e["type"] in ("TRANSFER", "OWNS") for e in money["edges"])
    assert money["paths"][0][-1] == "card:6222000000000001" and money["length"] == 4
    none = analytics.paths(store, "T1", "card:6222000000000001", "card:6228000000009999", rel_types=["OWNS"])
    assert none["paths"] == [] and none["length"] is None
