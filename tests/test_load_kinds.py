"""Every kind of case file loads from its Chinese headers, in every encoding and format."""
from __future__ import annotations

from datetime import datetime

import pytest
from test_load_util import (CARD_A, CARD_B, CARD_C, ID_A, ID_B, ID_C, TX_HEAD, entity, rels_of, tx_row,
                            write_table)

from graphsvc import audit
from loaders import load_files


def _load(store, settings, paths, case="C1", **kw):
    return load_files(store, case, [str(p) for p in paths], data_dir=settings["POCHUAN_DATA"], **kw)


def _case_files(tmp_path):
    """One small file of each kind, in mixed encodings and formats."""
    return [
        write_table(tmp_path / "人员.csv", ["姓名", "身份证号", "手机号", "性别", "户籍地址", "备注", "绰号"],
                    [["张三", ID_A, "+86 138 0013 8000", "男", "北京市", "", "老三"]], "gb18030"),
        write_table(tmp_path / "开户.tsv", ["账号", "开户行", "开户人姓名", "开户人证件号码", "开户时间", "开户网点",
                                           "预留手机号", "账户状态"],
                    [[CARD_A, "中国工商银行", "方静怡", ID_B, "2019/5/22 0:00:00", "某支行", "13900139000", "正常"]],
                    "utf-8-sig", "\t"),
        write_table(tmp_path / "手机卡.xlsx", ["手机号", "ICCID", "IMSI", "实名人证件号码", "运营商", "开卡时间"],
                    [["13900139000", "8986001", "4600025", ID_B, "中国移动", datetime(2017, 11, 13)]]),
        write_table(tmp_path / "设备.csv", ["设备号", "设备类型", "关联手机号", "关联卡号", "证件号码", "首次使用时间",
                                           "最后使用时间"],
                    [["998034811935843", "IMEI", "13900139000", "", "", "2023-10-13 10:00:00", "2023/11/30 19:26:40"],
                     ["d2-34-b8-5a-6b-7a", "MAC", "", CARD_A, "", "2023-10-13 10:00:00", ""]], "gbk"),
        write_table(tmp_path / "扣押.csv", ["持有人证件号码", "持有人姓名", "物品类型", "物品编号", "扣押时间", "扣押地点"],
                    [[ID_C, "李四", "银行卡", CARD_A, "2023-12-23 12:52:27", "网吧"],
                     [ID_C, "李四", "手机卡", "13900139000", "2023-12-23 12:52:27", "网吧"],
                     [ID_C, "李四", "手机", "998034811935843", "2023-12-23 12:52:27", "网吧"]]),
        write_table(tmp_path / "报案.csv", ["受害人姓名", "受害人证件号码", "转出卡号", "收款卡号", "转账金额", "转账时间",
                                           "报案时间"],
                    [["王五", ID_A, CARD_C, CARD_A, "4400元", "2023/11/18 19:02:45", "2023-11-24 00:02:45"]], "gbk"),
        write_table(tmp_path / "重点人员.csv", ["证件号码", "姓名", "类别", "来源"], [[ID_C, "李四", "涉两卡人员", "市局"]]),
        write_table(tmp_path / "交易明细.csv", TX_HEAD, [tx_row()]),
    ]


def test_every_kind_detected_and_linked(store, settings, tmp_path):
    files = _case_files(tmp_path)
    res = _load(store, settings, files)
    assert [r["kind"] for r in res] == ["persons", "cards", "phones", "devices", "seizures", "victims", "watchlist",
                                        "transfers"]
    assert all(r["read"] == r["loaded"] == r["read"] - r["rejected"] and r["rejected"] == 0 for r in res), res
    p = entity(store, ID_A)
    assert p["label"] == "Person" and p["props"]["name"] == "张三" and p["props"]["绰号"] == "老三"
    assert p["props"]["cases"] == ["C1"] and len(p["props"]["src"]) >= 1
    assert {o["to"] for o in rels_of(store, ID_A, "USES")} == {"13800138000"}
    assert {o["to"] for o in rels_of(store, ID_A, "IN_CASE")} == {"C1"}
    card = entity(store, CARD_A)
    assert card["props"]["bank"] == "中国工商银行" and card["props"]["opened"] == "2019-05-22 00:00:00"
    assert [o["to"] for o in rels_of(store, CARD_A, "RESERVED")] == ["13900139000"]
    assert [o["to"] for o in rels_of(store, CARD_A, "USES")] == ["D2:34:B8:5A:6B:7A"]
    assert [o["to"] for o in rels_of(store, CARD_A, "TRANSFER")] == [CARD_B]
    assert {o["to"] for o in rels_of(store, ID_B, "OWNS")} == {CARD_A, "13900139000"}
    assert entity(store, "13900139000")["props"]["carrier"] == "中国移动"
    uses = rels_of(store, "13900139000", "USES")
    assert uses[0]["to"] == "998034811935843" and uses[0]["props"]["first"] == "2023-10-13 10:00:00"
    assert uses[0]["props"]["last"] == "2023-11-30 19:26:40" and uses[0]["props"]["count"] == 1
    held = {o["to"]: o["props"] for o in rels_of(store, ID_C, "HOLDS")}
    assert set(held) == {CARD_A, "13900139000", "998034811935843"}
    assert held[CARD_A]["place"] == "网吧" and held[CARD_A]["item"] == "银行卡"
    assert entity(store, "998034811935843")["props"]["kind"] == "IMEI"
    listed = rels_of(store, ID_C, "LISTED")
    assert listed[0]["to"] == "C1" and listed[0]["props"]["category"] == "涉两卡人员"
    rep = rels_of(store, ID_A, "FILED")
    assert len(rep) == 1
    r = entity(store, rep[0]["to"])
    assert r["props"]["amount"] == 4400.0 and r["props"]["time"] == "2023-11-18 19:02:45"
    assert {(o["type"], o["to"]) for o in r["out"]} >= {("PAID_TO", CARD_A), ("PAID_FROM", CARD_C)}
    batch = entity(store, res[0]["batch"])
    assert batch["label"] == "ImportBatch" and batch["props"]["read"] == 1 and batch["props"]["kind"] == "persons"
    assert [o["to"] for o in batch["out"] if o["type"] == "OF_CASE"] == ["C1"]
    assert [e for e in audit.entries(settings["POCHUAN_DATA"], action="import", case="C1")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings_detected_from_bytes(store, settings, tmp_path, encoding):
    name = "吉𠮷祥" if encoding == "gb18030" else "方静怡"  # 𠮷 exists in GB18030, not in GBK
    f = write_table(tmp_path / "data.txt", TX_HEAD, [tx_row(name=name)] * 3, encoding)
    res = _load(store, settings, [f])[0]
    assert res["kind"] == "transfers" and res["loaded"] == 3 and res["rejected"] == 0
    assert res["encoding"] == encoding
    assert entity(store, CARD_A)["props"]["owner_name"] == name


@pytest.mark.parametrize("in_memory_max", [32 << 20, 0])  # calamine reads small workbooks, openpyxl streams big ones
def test_xlsx_with_typed_cells(store, settings, tmp_path, monkeypatch, in_memory_max):
    from loaders import readers

    monkeypatch.setattr(readers, "XLSX_IN_MEMORY_MAX", in_memory_max)
    f = write_table(tmp_path / "交易.xlsx", TX_HEAD,
                    [tx_row(time=datetime(2023, 1, 2, 3, 4, 5), amount=15.87),
                     tx_row(serial="S2", card=6.222020966599678e18), tx_row(serial="S3", cp=6226908284600755)])
    res = _load(store, settings, [f])[0]
    assert res["format"] == "xlsx" and res["loaded"] == 2 and res["rejected"] == 1
    t = [o["props"] for o in rels_of(store, CARD_A, "TRANSFER") if o["props"]["serial"] == "S1"][0]
    assert t["time"] == "2023-01-02 03:04:05" and t["ts"] == 1672628645 and t["amount"] == 15.87
    assert "6226908284600755" in {o["to"] for o in rels_of(store, CARD_A, "TRANSFER")}
    with open(res["rejects"], encoding="utf-8-sig") as fh:
        assert "丢失位数" in fh.read()  # a 19-digit card kept as an Excel number: its digits are gone


def test_cli_load_json(runner, settings, tmp_path):
    import json

    f = write_table(tmp_path / "交易.csv", TX_HEAD, [tx_row(), tx_row(serial="S2", amount="abc")])
    res = runner.invoke(["load", "--case", "C9", str(f), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out[0]["read"] == 2 and out[0]["loaded"] == 1 and out[0]["rejected"] == 1
    assert set(out[0]) >= {"file", "kind", "read", "loaded", "rejected", "rejects", "batch"}
    bad = runner.invoke(["load", "--case", "C9", "--kind", "cards", str(f)])
    assert bad.exit_code == 2 and "缺少必需列" in bad.output and "交易.csv" in bad.output
