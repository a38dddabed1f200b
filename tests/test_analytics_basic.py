"""search, entity, neighbourhood, trace and freeze on a small hand-made case."""
from __future__ import annotations

import pytest

from analytics_fixture import build_case
from graphsvc import analytics
from graphsvc.errors import BadInput, NotFound


@pytest.fixture
def case(store):
    return build_case(store)


def test_search_exact_and_prefix(store, case):
    res = analytics.search(store, "T1", "6222 0000 0000 0001")
    assert res["results"][0]["key"] == "6222000000000001" and res["results"][0]["score"] == 1.0
    pref = analytics.search(store, "T1", "622200000000000", limit=3)
    assert len(pref["results"]) == 3 and pref["truncated"]
    names = analytics.search(store, "T1", "卡农")
    assert {r["type"] for r in names["results"]} == {"person"}
    assert analytics.search(store, "T1", "aa-bb-cc-00-00-01")["results"][0]["type"] == "device"
    assert analytics.search(store, "NOPE", "6222")["results"] == []
    with pytest.raises(BadInput):
        analytics.search(store, "T1", "  ")


def test_entity_with_provenance(store, case):
    e = analytics.entity(store, "T1", "card", "6222000000000001")
    assert e["props"]["bank"] == "工商银行" and e["provenance"][0]["file"] == "fixture.csv"
    assert set(e["cases"]) == {"T1", "T2"}
    with pytest.raises(NotFound):
        analytics.entity(store, "T1", "card", "999")


def test_neighbourhood_filters_and_cap(store, case):
    g = analytics.neighbourhood(store, "T1", "card", "6222000000000001")
    ids = {n["id"] for n in g["nodes"]}
    assert "card:6222000000000002" in ids and "device:860000000000001" in ids
    assert "person:110101199003030033" in ids  # the dealer who held it
    tr = [e for e in g["edges"] if e["type"] == "TRANSFER" and e["to"] == "card:6222000000000002"][0]
    assert tr["count"] == 2 and tr["sum"] == 5500.0 and tr["first"] == "2024-05-01 10:05:00"
    only = analytics.neighbourhood(store, "T1", "card", "6222000000000001", rel_types=["TRANSFER"], min_amount=2600)
    assert {e["type"] for e in only["edges"]} == {"TRANSFER"}
    assert all(e["sum"] >= 2600 for e in only["edges"])
    cap = analytics.neighbourhood(store, "T1", "card", "6228000000009999", node_cap=10)
    assert len(cap["nodes"]) == 10 and cap["truncated"]
    win = analytics.neighbourhood(store, "T1", "card", "6222000000000002", rel_types="TRANSFER",
                                  since="2024-05-01", until="2024-05-01 10:10:00")
    assert {e["from"] for e in win["edges"]} == {"card:6222000000000001"}


def test_trace_down_time_respecting_with_amounts(store, case):
    g = analytics.trace(store, "T1", "6222000000000001", hops=4)
    by = {n["key"]: n for n in g["nodes"] if n["type"] == "card"}
    assert by["6222000000000001"]["layer"] == 1
    assert by["6222000000000002"]["layer"] == 2 and by["6222000000000004"]["layer"] == 3
    assert by["6222000000000006"]["layer"] == 4 and by["6222000000000005"]["layer"] == 3
    assert all(n["amount"] is not None for n in by.values())
    assert by["6222000000000004"]["amount"] <= by["6222000000000002"]["amount"]
    assert any(n["type"] == "cashpoint" for n in g["nodes"])
    # a report starts at its time: the earlier 999 transfer from card 2 is not followed
    r = analytics.trace(store, "T1", report="R-220101197001010011", hops=4)
    amounts = {n["key"]: n["amount"] for n in r["nodes"] if n["type"] == "card"}
    assert amounts["6222000000000001"] == 5000.0
    assert amounts["6222000000000002"] == 2500.0 and amounts["6222000000000003"] == 2500.0
    # FIFO-capped: card 2 keeps 100 of victim one's money after its 10:20 transfer and passes it on at 11:10
    assert amounts["6222000000000004"] == 2500.0 and amounts["6222000000000006"] == 2500.0
    assert "6228000000000001" not in amounts  # the victim's family is upstream, not downstream
    e = [e for e in r["edges"] if e["from"] == "card:6222000000000002" and e["to"] == "card:6222000000000004"][0]
    assert e["count"] == 2  # the 999 of April is left out; both May transfers aggregated
    tight = analytics.trace(store, "T1", report="R-220101197001010011", hops=4, max_delay_minutes=12)
    assert "6222000000000006" not in {n["key"] for n in tight["nodes"]}


def test_trace_up(store, case):
    g = analytics.trace(store, "T1", "6222000000000006", direction="up", hops=4)
    by = {n["key"]: n for n in g["nodes"]}
    assert by["6222000000000004"]["layer"] == -1 and "6217000000000001" in by
    assert by["6217000000000001"]["amount"] <= 5000
    with pytest.raises(BadInput):
        analytics.trace(store, "T1", "6222000000000006", direction="sideways")


def test_freeze_list_ranked(store, case, tmp_path):
    f = analytics.freeze_list(store, "T1")
    cards = [r["card"] for r in f["rows"]]
    assert cards[0] == "6222000000000001" and "6217000000000001" not in cards
    assert set(cards) >= {"6222000000000002", "6222000000000004", "6222000000000006"}
    row = f["rows"][0]
    assert row["bank"] == "工商银行" and row["owner_name"] == "卡农1" and row["amount"] == 8000.0
    amounts = [r["amount"] for r in f["rows"]]
    assert amounts == sorted(amounts, reverse=True)
    csv_path = analytics.write_freeze(f, tmp_path / "f.csv")
    assert "6222000000000001" in csv_path.read_text(encoding="utf-8-sig")
    xlsx = analytics.write_freeze(f, tmp_path / "f.xlsx")
    import openpyxl

    ws = openpyxl.load_workbook(xlsx).active
    assert ws.cell(2, 1).value == "6222000000000001"
