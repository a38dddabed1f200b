"""`pochuan stats` counts a loaded case exactly: distinct transfers (both sides once) and cash."""
from __future__ import annotations

import json

from loaders import load_files

HEADER = "交易卡号,交易时间,交易金额,收付标志,交易对手账卡号,交易流水号,现金标志,交易网点名称\n"
ROWS = [
    "6222000000000001,2023-01-02 03:04:05,100.00,出,6222000000000002,S1,,",
    "6222000000000002,2023-01-02 03:04:05,100.00,进,6222000000000001,S1,,",  # the other side of S1
    "6222000000000002,2023-01-02 03:10:00,60.00,出,6222000000000003,S2,,",
    "6222000000000002,2023-01-02 03:11:00,20.00,出,6222000000000003,S3,,",
    "6222000000000003,2023-01-02 04:00:00,50.00,出,,S4,现金,某某路ATM",
    "6222000000000003,2023-01-02 04:01:00,30.00,出,,S5,现金,某某路ATM",
    "6222000000000003,2023-01-02 04:02:00,10.00,出,,S6,现金,某某路ATM",
    "6222000000000003,2023-01-02 04:05:00,5.00,出,6222000000000001,S7,,",  # a card with cash and a transfer
]


def test_stats_counts_transfers_once_and_cash_apart(store, runner, tmp_path):
    f = tmp_path / "交易明细.csv"
    f.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    summary = load_files(store, "STATS-1", [f], data_dir=tmp_path)
    assert summary[0]["rejected"] == 0, summary
    res = runner.invoke(["stats", "--case", "STATS-1", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["cards"] == 3
    assert data["transfers"] == 4  # S1 seen from both sides is one transfer
    assert data["cash"] == 3
