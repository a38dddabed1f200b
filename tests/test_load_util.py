"""Helpers of the loader tests: write small case files in any encoding, read back the graph."""
from __future__ import annotations

import csv
import io
from pathlib import Path

TX_HEAD = ["交易卡号", "交易账号", "交易户名", "交易证件号码", "交易时间", "交易金额", "交易余额", "收付标志",
           "交易对手账卡号", "对手户名", "对手身份证号", "对手开户银行", "交易流水号", "摘要说明", "交易网点名称",
           "交易渠道", "IP地址", "MAC地址", "现金标志"]
# Valid IDs (check digits computed) used across the tests.
ID_A = "11010519600703241X"
ID_B = "440106199106032024"
ID_C = "110101196410011349"
CARD_A = "6222020863373360461"
CARD_B = "6225888239730199"
CARD_C = "6217003502571574173"


def write_table(path: Path, header: list, rows: list, encoding: str = "utf-8", delimiter: str = ",") -> Path:
    """Write a CSV/TSV file in an encoding, or an .xlsx workbook when the name says so."""
    path = Path(path)
    if path.suffix == ".xlsx":
        import openpyxl

        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(header)
        for r in rows:
            ws.append(r)
        wb.save(path)
        return path
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\r\n")
    w.writerow(header)
    w.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))
    return path


def tx_row(card=CARD_A, name="方静怡", pid=ID_B, time="2023-01-01 10:15:20", amount="139.86", flag="出",
           cp=CARD_B, cp_name="任晶琴", cp_id="", cp_bank="招商银行", serial="S1", summary="转账", branch="",
           channel="手机银行", ip="", mac="", cash="转账"):
    """Return a 交易明细 row in the standard layout."""
    return [card, card, name, pid, time, amount, "1000.00", flag, cp, cp_name, cp_id, cp_bank, serial, summary,
            branch, channel, ip, mac, cash]


def entity(store, key: str) -> dict:
    """Return an entity's label, properties and outgoing relationships (empty dict if absent)."""
    row = store.read("load_entity", key=key).one()
    if row:
        row["out"] = [o for o in row["out"] if o.get("type")]
    return row


def rels_of(store, key: str, rel_type: str) -> list[dict]:
    """Return the outgoing relationships of one type of an entity."""
    return [o for o in entity(store, key).get("out", []) if o["type"] == rel_type]


def dump(store) -> tuple[list, list]:
    """Return every node and relationship, without the clock times of batches and cases."""
    nodes = store.read("load_dump_nodes", limit=10_000_000, max_rows=10_000_000).rows
    for n in nodes:
        for k in ("started", "finished", "created"):  # clock times of the load itself
            if n["label"] in ("ImportBatch", "Case"):
                n["props"].pop(k, None)
    rels = store.read("load_dump_rels", limit=10_000_000, max_rows=10_000_000).rows
    rels.sort(key=lambda r: (r["from_label"], r["from_key"], r["type"], r["to_label"], r["to_key"],
                             str(sorted(r["props"].items()))))
    for r in rels:
        for k in ("src", "sides", "marks"):
            if isinstance(r["props"].get(k), list):
                r["props"][k] = sorted(r["props"][k])
    return nodes, rels


def counts(store) -> dict:
    """Return the number of nodes per label and relationships per type."""
    out = {r["label"]: r["n"] for r in store.read("load_count_labels").rows}
    out.update({r["type"]: r["n"] for r in store.read("load_count_types").rows})
    return out
