"""User mapping files: columns, constants, templates, value maps, prefixes; bad mappings fail at once."""
from __future__ import annotations

import pytest
from test_load_util import ID_A, entity, rels_of, write_table

from graphsvc.errors import PochuanError
from loaders import load_files
from loaders.mapping import detect


def test_mapping_features(store, settings, tmp_path):
    m = tmp_path / "m.yaml"
    m.write_text("""
name: bank-x
layouts:
  - file: "pay*.csv"
    kind: transfers
    columns:
      card: from
      counter_card: to
      amount: amt
      time: {column: day}
      direction: {value: 出}
      summary: {column: kind, values: {T: 转账, W: 取现}}
      serial: {column: id, prefix: "BX-"}
    keep: [note]
  - kind: persons
    columns:
      id: pid
      name: {template: "{last}{first}"}
""", encoding="utf-8")
    pay = write_table(tmp_path / "pay1.csv", ["id", "from", "to", "amt", "day", "kind", "note", "junk"],
                      [["1", "6222 0001", "6222-0002", "1,000.50", "2023/1/2", "T", "备注", "x"],
                       ["2", "6222 0001", "", "20", "2023/1/3", "W", "", "x"]])
    ppl = write_table(tmp_path / "people.csv", ["pid", "last", "first"], [[ID_A, "张", "三"]])
    res = load_files(store, "M1", [str(pay), str(ppl)], mapping=str(m), data_dir=settings["POCHUAN_DATA"])
    assert [(r["kind"], r["loaded"], r["rejected"]) for r in res] == [("transfers", 2, 0), ("persons", 1, 0)]
    t = rels_of(store, "62220001", "TRANSFER")[0]["props"]
    assert (t["amount"], t["time"], t["summary"], t["serial"], t["extra"]) == \
        (1000.5, "2023-01-02 00:00:00", "转账", "BX-1", "note=备注")
    assert rels_of(store, "62220001", "CASH")[0]["props"]["summary"] == "取现"
    assert entity(store, ID_A)["props"]["name"] == "张三"


def test_bad_mappings_fail_naming_the_problem(store, settings, tmp_path):
    f = write_table(tmp_path / "a.csv", ["x", "y"], [["1", "2"]])
    cases = {"kind: nothing\ncolumns: {a: x}\n": "unknown kind",
             "kind: transfers\ncolumns: {card: x, flavour: y}\n": "unknown field 'flavour'",
             "kind: transfers\ncolumns: {card: x, amount: y, time: zz}\n": "missing column 'zz'",
             "kind: transfers\ncolumns: {card: x}\n": "missing required field",
             "kind: [\n": "not valid YAML"}
    for text, message in cases.items():
        m = tmp_path / "bad.yaml"
        m.write_text(text, encoding="utf-8")
        with pytest.raises(PochuanError, match=message):
            load_files(store, "M1", [str(f)], mapping=str(m), data_dir=settings["POCHUAN_DATA"])


def test_detect_prefers_the_best_matching_kind():
    assert detect(["姓名", "证件号码", "手机号", "性别"])[0] == "persons"
    assert detect(["证件号码", "姓名", "类别", "来源"])[0] == "watchlist"
    assert detect(["卡号", "开户行", "开户人姓名"])[0] == "cards"
    assert detect(["交易卡号", "交易时间", "支出", "存入"])[0] == "transfers"
    assert detect(["a", "b"])[0] is None
