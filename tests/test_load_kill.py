"""A load killed with SIGKILL half-way, then run again, ends with exactly the graph of a clean load."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from test_load_util import CARD_A, TX_HEAD, dump, tx_row, write_table

from graphsvc.store import open_store
from loaders import load_files

N = 10000


def _rows(n: int = N):
    """Rows touching a few hundred cards: IPs (USES counts), both sides of some transfers, cash."""
    rows = []
    for i in range(n):
        a = f"62220200000000{i % 300:05d}"
        b = f"62258800000000{(i * 7) % 500:05d}"
        t = f"2023-01-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d}:{(i // 60) % 60:02d}"
        if i % 10 == 3:  # the receiving side of the previous row, as another bank reports it
            a0 = f"62220200000000{(i - 1) % 300:05d}"
            b0 = f"62258800000000{((i - 1) * 7) % 500:05d}"
            t0 = f"2023-01-{1 + (i - 1) % 28:02d} {(i - 1) % 24:02d}:{(i - 1) % 60:02d}:{((i - 1) // 60) % 60:02d}"
            rows.append(tx_row(card=b0, cp=a0, flag="进", time=t0, amount=f"{(i - 1) % 997}.25", serial=f"S{i - 1}"))
        elif i % 50 == 7:
            rows.append(tx_row(card=a, cp="", cash="现金", branch=f"网点{i % 5}", time=t, amount="100", serial=f"S{i}"))
        else:
            rows.append(tx_row(card=a, cp=b, time=t, amount=f"{i % 997}.25", serial=f"S{i}",
                               ip=f"10.0.{i % 3}.{i % 7}", mac="" if i % 2 else "aa-bb-cc-dd-ee-0" + str(i % 10)))
    return rows


# The row path writes as it reads: killed once 1,500 relationships are in. The column path writes when
# the file is read, in large appends: a bigger file, killed as soon as anything is written.
PATHS = {"row": ("0", N, 1500), "column": ("1", 6 * N, 0)}


@pytest.mark.slow
@pytest.mark.parametrize("path", list(PATHS))
def test_kill_then_rerun_equals_clean_load(store, settings, tmp_path, monkeypatch, path):
    columnar, n, threshold = PATHS[path]
    monkeypatch.setenv("POCHUAN_COLUMNAR", columnar)
    f = write_table(tmp_path / "交易明细.csv", TX_HEAD, _rows(n))
    env = dict(os.environ, POCHUAN_DATA=settings["POCHUAN_DATA"], POCHUAN_GRAPH_NAME=settings["POCHUAN_GRAPH_NAME"],
               POCHUAN_WRITE_BATCH="1000")
    proc = subprocess.Popen([sys.executable, "-m", "web.cli", "load", "--case", "K1", str(f)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    end = time.monotonic() + 120
    written = 0
    while time.monotonic() < end and proc.poll() is None:
        written = store.read("store_counts").one().get("relationships", 0)
        if written > threshold:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the load finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = store.read("store_counts").one()["relationships"]
    os.environ["POCHUAN_WRITE_BATCH"] = "1000"
    try:
        again = load_files(store, "K1", [str(f)], data_dir=settings["POCHUAN_DATA"])[0]
        clean_cfg = dict(settings, POCHUAN_GRAPH_NAME=settings["POCHUAN_GRAPH_NAME"] + "_clean")
        clean = open_store(clean_cfg)
        try:
            fresh = load_files(clean, "K1", [str(f)], data_dir=settings["POCHUAN_DATA"])[0]
            expected = dump(clean)
        finally:
            clean.drop_graph()
            clean.close()
    finally:
        del os.environ["POCHUAN_WRITE_BATCH"]
    got = dump(store)
    assert partial < sum(1 for _ in expected[1]), "the kill came after the load was complete"
    assert not list(Path(settings["POCHUAN_DATA"]).glob("stage-*")), "the killed load's staging folder is left"
    assert (again["read"], again["loaded"], again["rejected"]) == (fresh["read"], fresh["loaded"], fresh["rejected"])
    assert len(got[0]) == len(expected[0]) and len(got[1]) == len(expected[1])
    diff = [(a, b) for a, b in zip(got[0] + got[1], expected[0] + expected[1]) if a != b]
    assert not diff, diff[:2]
    assert any(r["type"] == "USES" and r["from_key"].startswith("6222") for r in got[1])
    assert CARD_A  # keeps the shared constants import honest
