"""交易明细: every direction encoding, cash, devices, counterparties, bad rows, both sides, reloads."""
from __future__ import annotations

import csv

import pytest
from test_load_util import CARD_A, CARD_B, CARD_C, ID_A, ID_B, TX_HEAD, counts, dump, entity, rels_of, tx_row, write_table

from graphsvc.errors import PochuanError
from loaders import load_files

BASE = ["交易卡号", "交易户名", "交易时间"]
TAIL = ["交易对手账卡号", "对手户名", "交易流水号"]


def _load(store, settings, paths, case="C1", **kw):
    return load_files(store, case, [str(p) for p in paths], data_dir=settings["POCHUAN_DATA"], **kw)


# Each layout writes the same two rows of card A: paid 100.00 to B, received 50.00 from C.
DIRECTIONS = {
    "jc": (BASE + ["交易金额", "收付标志"] + TAIL,
           [[CARD_A, "甲", "2023-01-01 10:00:00", "100.00", "出", CARD_B, "乙", "S1"],
            [CARD_A, "甲", "2023-01-01 11:00:00", "50.00", "进", CARD_C, "丙", "S2"]]),
    "jd": (BASE + ["交易金额", "借贷标志"] + TAIL,
           [[CARD_A, "甲", "2023-01-01 10:00:00", "100.00", "借", CARD_B, "乙", "S1"],
            [CARD_A, "甲", "2023-01-01 11:00:00", "50.00", "贷", CARD_C, "丙", "S2"]]),
    "dc": (BASE + ["交易金额", "借贷标志"] + TAIL,
           [[CARD_A, "甲", "2023-01-01 10:00:00", "100.00", "D", CARD_B, "乙", "S1"],
            [CARD_A, "甲", "2023-01-01 11:00:00", "50.00", "C", CARD_C, "丙", "S2"]]),
    "12": (BASE + ["交易金额", "借贷标志"] + TAIL,
           [[CARD_A, "甲", "2023-01-01 10:00:00", "100.00", "1", CARD_B, "乙", "S1"],
            [CARD_A, "甲", "2023-01-01 11:00:00", "50.00", "2", CARD_C, "丙", "S2"]]),
    "two": (BASE + ["支出", "存入"] + TAIL,
            [[CARD_A, "甲", "2023-01-01 10:00:00", "100.00", "", CARD_B, "乙", "S1"],
             [CARD_A, "甲", "2023-01-01 11:00:00", "", "50.00", CARD_C, "丙", "S2"]]),
    "sign": (BASE + ["交易金额"] + TAIL,
             [[CARD_A, "甲", "2023-01-01 10:00:00", "-100.00", CARD_B, "乙", "S1"],
              [CARD_A, "甲", "2023-01-01 11:00:00", "50.00", CARD_C, "丙", "S2"]]),
}


@pytest.mark.parametrize("layout", list(DIRECTIONS))
def test_direction_encodings(store, settings, tmp_path, layout):
    head, rows = DIRECTIONS[layout]
    res = _load(store, settings, [write_table(tmp_path / "t.csv", head, rows)])[0]
    assert res["kind"] == "transfers" and res["loaded"] == 2, res
    out = rels_of(store, CARD_A, "TRANSFER")
    assert [(o["to"], o["props"]["amount"], o["props"]["sides"]) for o in out] == [(CARD_B, 100.0, ["out"])]
    inn = rels_of(store, CARD_C, "TRANSFER")
    assert [(o["to"], o["props"]["amount"], o["props"]["sides"]) for o in inn] == [(CARD_A, 50.0, ["in"])]
    assert entity(store, CARD_B)["props"]["owner_name"] == "乙"


def test_cash_devices_and_counterparty(store, settings, tmp_path):
    rows = [tx_row(ip=" 113.205.200.221 ", mac="d2-34-b8-5a-6b-7a", cp_id=ID_A, cp_bank="招商银行"),
            tx_row(serial="S2", cash="现金", cp="", cp_name="", cp_bank="", branch="工行 营业部", summary="ATM取款",
                   amount="2000"),
            tx_row(serial="", cash="转账", cp="", cp_name="", cp_bank="", branch="", flag="进", amount="500",
                   summary="现金存入"),
            tx_row(serial="S4", pid="", ip="113.205.200.221", time="2023-01-02 10:00:00")]
    res = _load(store, settings, [write_table(tmp_path / "t.csv", TX_HEAD, rows)])[0]
    assert res["loaded"] == 4
    tr = rels_of(store, CARD_A, "TRANSFER")
    assert len(tr) == 2 and {t["props"]["ip"] for t in tr} == {"113.205.200.221"}
    uses = {o["to"]: o["props"] for o in rels_of(store, CARD_A, "USES")}
    assert set(uses) == {"113.205.200.221", "D2:34:B8:5A:6B:7A"}
    assert uses["113.205.200.221"]["count"] == 2 and uses["113.205.200.221"]["last"] == "2023-01-02 10:00:00"
    assert entity(store, "113.205.200.221")["props"]["kind"] == "IP"
    cash = {o["to"]: o["props"] for o in rels_of(store, CARD_A, "CASH")}
    assert cash["工行 营业部"]["direction"] == "out" and cash["工行 营业部"]["amount"] == 2000.0
    assert cash["未知网点"]["direction"] == "in" and cash["未知网点"]["amount"] == 500.0
    b = entity(store, CARD_B)["props"]
    assert b["owner_id"] == ID_A and b["bank"] == "招商银行" and b["owner_name"] == "任晶琴"
    assert CARD_B in {o["to"] for o in rels_of(store, ID_A, "OWNS")}
    assert CARD_A in {o["to"] for o in rels_of(store, ID_B, "OWNS")}


def test_bad_rows_rejected_with_reasons(store, settings, tmp_path):
    rows = [tx_row(),
            tx_row(serial="S2", pid="11010519600703241Y"),          # bad ID check digit on an optional column: kept
            tx_row(serial="S3", time="2023-02-30 25:61:00"),       # unparsable time
            tx_row(serial="S4", card="", ),                          # missing card number
            tx_row(serial="S5", amount="壹仟贰佰元"),                  # non-numeric amount
            tx_row(serial="S6", flag="?"),                          # unknown direction
            tx_row(serial="S7", card="62A2"),                       # card number with letters
            ]
    f = write_table(tmp_path / "t.csv", TX_HEAD, rows)
    with open(f, "ab") as fh:  # a line cut short: the file was truncated
        fh.write(f"{CARD_A},{CARD_A},方".encode())
    res = _load(store, settings, [f])[0]
    assert res["read"] == 8 and res["loaded"] == 2 and res["rejected"] == 6
    assert res["read"] == res["loaded"] + res["rejected"]
    rej = list(csv.reader(open(res["rejects"], encoding="utf-8-sig")))
    assert rej[0][:2] == ["行号 row", "原因 reason"] and rej[0][2:] == TX_HEAD
    reasons = {int(r[0]): r[1] for r in rej[1:]}
    assert set(reasons) == {3, 4, 5, 6, 7, 8}
    assert "交易时间无法解析" in reasons[3] and "unparsable time" in reasons[3]
    assert reasons[4].startswith("缺少交易卡号 missing card number")
    assert "不是数字" in reasons[5] and "收付标志" in reasons[6] and "非数字" in reasons[7]
    assert reasons[8] == "文件截断 truncated file"
    assert rej[1][2:] == rows[2]  # the original row follows the reason
    assert entity(store, CARD_A)["props"].get("owner_id") == ID_B


def test_bad_id_rejects_a_person_row(store, settings, tmp_path):
    f = write_table(tmp_path / "p.csv", ["姓名", "身份证号"], [["甲", ID_A], ["乙", "11010519600703241Y"], ["丙", ""]])
    res = _load(store, settings, [f])[0]
    assert (res["read"], res["loaded"], res["rejected"]) == (3, 1, 2)
    reasons = [r[1] for r in list(csv.reader(open(res["rejects"], encoding="utf-8-sig")))[1:]]
    assert reasons[0].startswith("身份证校验位错误 bad ID check digit") and reasons[1].startswith("缺少证件号码")


def test_wrong_kind_missing_column_and_damaged_files(store, settings, tmp_path):
    tx = write_table(tmp_path / "交易.csv", TX_HEAD, [tx_row()])
    with pytest.raises(PochuanError, match="交易.csv.*缺少必需列.*(受害人证件号码|victim_id)"):
        _load(store, settings, [tx], kind="victims")
    no_time = write_table(tmp_path / "缺列.csv", [h for h in TX_HEAD if h != "交易时间"], [tx_row()[:4] + tx_row()[5:]])
    with pytest.raises(PochuanError, match="缺列.csv.*cannot tell the kind"):
        _load(store, settings, [no_time])
    with pytest.raises(PochuanError, match="缺列.csv.*交易时间"):
        _load(store, settings, [no_time], kind="transfers")
    xlsx = write_table(tmp_path / "交易.xlsx", TX_HEAD, [tx_row()] * 50)
    cut = tmp_path / "截断.xlsx"
    cut.write_bytes(xlsx.read_bytes()[: xlsx.stat().st_size // 2])
    with pytest.raises(PochuanError, match="截断.xlsx.*(损坏|truncated)"):
        _load(store, settings, [cut])


def test_double_load_and_overlap_add_nothing(store, settings, tmp_path):
    rows = [tx_row(serial=f"S{i}", amount=f"{100 + i}.00", ip="10.0.0.1") for i in range(30)]
    a = write_table(tmp_path / "a.csv", TX_HEAD, rows)
    b = write_table(tmp_path / "b.csv", TX_HEAD, rows[10:] + [tx_row(serial="S99", amount="1.00")])
    _load(store, settings, [a])
    first = dump(store)
    again = _load(store, settings, [a])[0]
    assert again["transfers_new"] == 0 and dump(store) == first
    res = _load(store, settings, [b])[0]
    assert res["transfers_new"] == 1 and res["transfers_merged"] == 20
    assert counts(store)["TRANSFER"] == 31
    t = [o for o in rels_of(store, CARD_A, "TRANSFER") if o["props"]["serial"] == "S15"][0]["props"]
    assert len(t["batches"]) == 2 and len(t["src"]) == 2 and t["sides"] == ["out"]
    uses = rels_of(store, CARD_A, "USES")[0]["props"]
    assert uses["count"] == 50  # 30 rows of a.csv, 20 of b.csv: the reload of a.csv counted nothing


def test_both_sides_are_one_transfer(store, settings, tmp_path):
    out_side = write_table(tmp_path / "工行.csv", TX_HEAD, [
        tx_row(serial="S1"), tx_row(serial="", amount="77.00", time="2023-01-03 09:00:00"),
        tx_row(serial="X-1", amount="88.00", time="2023-01-04 09:00:00")])
    in_side = write_table(tmp_path / "招行.csv", TX_HEAD, [
        tx_row(card=CARD_B, cp=CARD_A, flag="进", serial="S1", name="任晶琴", cp_name="方静怡"),
        tx_row(card=CARD_B, cp=CARD_A, flag="进", serial="", amount="77.00", time="2023-01-03 09:00:00"),
        tx_row(card=CARD_B, cp=CARD_A, flag="进", serial="Y-9", amount="88.00", time="2023-01-04 09:00:00")],
        "gbk")
    _load(store, settings, [out_side, in_side])
    tr = rels_of(store, CARD_A, "TRANSFER")
    assert len(tr) == 3 and all(sorted(t["props"]["sides"]) == ["in", "out"] for t in tr)
    assert all(len(t["props"]["src"]) == 2 and len(t["props"]["batches"]) == 2 for t in tr)
    assert not rels_of(store, CARD_B, "TRANSFER")
    # the same both-sides pair inside one file is merged too
    both = write_table(tmp_path / "同行.csv", TX_HEAD, [
        tx_row(card=CARD_C, cp=CARD_B, serial="Z1"), tx_row(card=CARD_B, cp=CARD_C, flag="进", serial="Z1")])
    res = _load(store, settings, [both])[0]
    assert res["transfers_new"] == 1
    assert sorted(rels_of(store, CARD_C, "TRANSFER")[0]["props"]["sides"]) == ["in", "out"]


def test_same_file_in_two_cases(store, settings, tmp_path):
    f = write_table(tmp_path / "t.csv", TX_HEAD, [tx_row()])
    _load(store, settings, [f], case="C1")
    before = counts(store)
    _load(store, settings, [f], case="C2")
    after = counts(store)
    assert after["TRANSFER"] == before["TRANSFER"] and after["BankCard"] == before["BankCard"]
    assert sorted(entity(store, CARD_A)["props"]["cases"]) == ["C1", "C2"]
    assert {o["to"] for o in rels_of(store, CARD_A, "IN_CASE")} == {"C1", "C2"}
    assert sorted(rels_of(store, CARD_A, "TRANSFER")[0]["props"]["cases"]) == ["C1", "C2"]


def test_separator_characters_in_cells_are_harmless(store, settings, tmp_path):
    f = write_table(tmp_path / "t.csv", TX_HEAD, [tx_row(summary="转\x1e账\x1f"), tx_row(serial="S2", amount="5")])
    res = _load(store, settings, [f])[0]
    assert res["loaded"] == 2 and res["transfers_new"] == 2
    assert {o["props"]["summary"] for o in rels_of(store, CARD_A, "TRANSFER")} == {"转 账", "转账"}


def test_pair_set_stale_or_missing_still_loads_exactly(store, settings, tmp_path):
    """The Redis set of pair keys only saves lookups: a stale or lost set never loses or doubles a transfer."""
    if store.backend != "falkordb":
        pytest.skip("the pair set exists on FalkorDB only")
    out_side = write_table(tmp_path / "a.csv", TX_HEAD, [tx_row(serial=f"S{i}", amount=f"{10 + i}") for i in range(5)])
    in_side = write_table(tmp_path / "b.csv", TX_HEAD, [
        tx_row(card=CARD_B, cp=CARD_A, flag="进", serial=f"S{i}", amount=f"{10 + i}") for i in range(5)])
    _load(store, settings, [out_side, in_side])
    clean = dump(store)
    # stale: the set claims transfers the graph lacks (a crash after SADD, or a graph deleted by hand)
    store.execute_raw("GRAPH.DELETE", store.graph_name)  # the pair set stays behind
    store.ensure_schema()
    res = _load(store, settings, [out_side, in_side])
    assert [r["transfers_new"] for r in res] == [5, 0] and counts(store)["TRANSFER"] == 5
    assert dump(store) == clean
    # lost: the graph holds transfers but the set is gone: it is rebuilt from the graph before loading
    store.execute_raw("DEL", store.pair_key())
    res = _load(store, settings, [in_side])[0]
    assert res["transfers_new"] == 0 and res["transfers_merged"] == 5 and counts(store)["TRANSFER"] == 5
    assert all(store.pairs_known([t["props"]["pair"] for t in rels_of(store, CARD_A, "TRANSFER")]))


def test_one_load_of_many_files_equals_one_load_per_file(store, settings, tmp_path):
    """Entities met again in later files get those files' provenance at the end of the load: same graph."""
    files = [write_table(tmp_path / f"{i}.csv", TX_HEAD, [
        tx_row(serial=f"S{i}", amount=f"{i + 1}", cp_id=ID_A if i else "", cp_name="" if i == 1 else "任晶琴",
               ip=f"10.0.0.{i % 2}"),
        tx_row(card=CARD_B, cp=CARD_C, serial=f"T{i}", name="任晶琴" if i == 2 else "", pid=ID_A)])
        for i in range(3)]
    _load(store, settings, files)
    together = dump(store)
    b = entity(store, CARD_B)["props"]
    assert len(b["batches"]) == 3 and len(b["src"]) == 6 and b["owner_name"] == "任晶琴"
    store.reset()
    for f in files:
        _load(store, settings, [f])
    assert dump(store) == together


def test_reload_of_a_side_with_its_own_serial_adds_nothing(store, settings, tmp_path):
    """Each bank gives its own 交易流水号: the merged transfer keeps A's as key, B's row is still known on reload."""
    out_side = write_table(tmp_path / "a.csv", TX_HEAD, [tx_row(serial="SA1"), tx_row(serial="SA2", amount="9.00")])
    in_side = write_table(tmp_path / "b.csv", TX_HEAD, [
        tx_row(card=CARD_B, cp=CARD_A, flag="进", serial="SB1"),
        tx_row(card=CARD_B, cp=CARD_A, flag="进", serial="SB2", amount="9.00")])
    _load(store, settings, [out_side, in_side])
    clean = dump(store)
    assert counts(store)["TRANSFER"] == 2
    res = _load(store, settings, [in_side])[0]
    assert res["transfers_new"] == 0 and counts(store)["TRANSFER"] == 2
    _load(store, settings, [out_side, in_side])
    assert dump(store) == clean


def test_cash_events_appended_in_bulk_equal_the_cypher_ones(store, settings, tmp_path, monkeypatch):
    """FalkorDB appends new cash events with GRAPH.BULK: the same relationships, properties and types as the
    Cypher statement (still used on Neo4j) creates; a second load of the file adds nothing."""
    if store.backend != "falkordb":
        pytest.skip("GRAPH.BULK: FalkorDB only")
    from test_load_columnar import _graph

    from loaders.writer import Writer

    rows = [tx_row(serial="S2", cash="现金", cp="", cp_name="", cp_bank="", branch="工行 营业部", summary="ATM取款",
                   amount="2000"),
            tx_row(serial="", cash="转账", cp="", cp_name="", cp_bank="", branch="", flag="进", amount="500",
                   summary="", channel=""),
            tx_row(serial="S9", cash="现金", cp="", cp_name="", cp_bank="", branch="建行 网点", card=CARD_B,
                   time="2023-03-01 08:00:00", amount="¥1,000.5")]
    path = write_table(tmp_path / "t.csv", TX_HEAD, rows)
    got = []
    for bulk in (False, True):
        store.reset()
        if not bulk:
            monkeypatch.setattr(Writer, "_cash_bulk", lambda self, recs: self._send("load_cash_create", recs))
        _load(store, settings, [path])
        monkeypatch.undo()
        got.append(_graph(store))
    assert got[0] == got[1]
    cash = [r for r in got[1][1] if "'CASH'" in r]
    assert len(cash) == 3 and any("('amount', 1000.5)" in r and "('ts', " in r for r in cash)
    _load(store, settings, [path])
    assert _graph(store) == got[1]
