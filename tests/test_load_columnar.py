"""The column path of 交易明细 (polars) gives exactly what the row path gives: same rejects, same graph."""
from __future__ import annotations

import csv
import os
import subprocess
import sys

import polars as pl
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from test_load_util import TX_HEAD, dump, tx_row, write_table

import graphsvc
from graphsvc.errors import PochuanError
from loaders import load_files
from loaders import normalize as nz
from loaders.columnar import _field
from loaders.demo import generate
from loaders import columnar, frames, mentions, pass1
from loaders.mentions import Mentions


def _graph(store):
    """Return the graph without source-row samples and load clocks (the two paths sample sources per chunk)."""
    nodes, rels = dump(store)
    out_n = sorted(str((n["label"], sorted((k, v) for k, v in n["props"].items() if k not in ("src", "rejects"))))
                   for n in nodes)
    out_r = sorted(str((r["from_key"], r["type"], r["to_key"], sorted((k, v) for k, v in r["props"].items() if k != "src")))
                   for r in rels)
    return out_n, out_r


def _rejects(summaries):
    """Return every rejected row's number and reason, per file."""
    out = {}
    for s in summaries:
        with open(s["rejects"], encoding="utf-8-sig") as fh:
            out[s["file"]] = [(r[0], r[1]) for r in list(csv.reader(fh))[1:]]
    return out


@pytest.mark.slow
def test_column_path_equals_row_path_on_the_demo_case(store, settings, tmp_path, monkeypatch):
    if store.backend != "falkordb":
        pytest.skip("the column path writes with GRAPH.BULK: FalkorDB only")
    generate(tmp_path / "case", "small", 2)
    files = sorted(str(p) for p in (tmp_path / "case").glob("交易明细_*"))
    got, lookups, compacted, full = {}, [], [], {}
    real_compact = mentions.compact
    real = Mentions._node_ids
    monkeypatch.setattr(Mentions, "_node_ids", lambda self, *a: lookups.append(a) or real(self, *a))
    # row path, column path, two worker processes, and the column path where deleted nodes left ids to reuse
    # (appended entities then take ids below the node count: found by key, not by the id scan)
    # and in small blocks whose entity mentions are compacted every two blocks (what a large file does)
    for mode, workers, holes in (("0", "0", 0), ("1", "0", 0), ("1", "2", 0), ("1", "0", 3000), ("1", "0", -1),
                                 ("1", "0", -2)):
        monkeypatch.setenv("POCHUAN_COLUMNAR", mode)
        monkeypatch.setenv("POCHUAN_LOAD_WORKERS", workers)
        if holes < 0:
            monkeypatch.setattr(frames, "BLOCK_BYTES", 64 << 10)
            monkeypatch.setattr(frames, "BLOCK_ROWS", 500)
            monkeypatch.setattr(pass1, "COMPACT_BLOCKS", 2 if holes == -1 else 10**6)
            monkeypatch.setattr(mentions, "compact", lambda blocks: compacted.append(len(blocks)) or real_compact(blocks))
        store.reset()
        if holes > 0:
            store.graph.query("UNWIND range(1, $n) AS i CREATE (:Scratch {i: i})", {"n": holes})
            store.graph.query("MATCH (s:Scratch) WHERE s.i % 2 = 0 DELETE s")
        lookups.clear()
        res = load_files(store, "COL", files, data_dir=tmp_path / f"data{mode}{workers}{holes}")
        assert bool(lookups) == (holes > 0)  # by key only where ids were reused
        store.graph.query("MATCH (s:Scratch) DELETE s")
        got[mode + workers + str(holes)] = ([(r["read"], r["loaded"], r["rejected"]) for r in res], _rejects(res),
                                            _graph(store))
        if holes < 0:  # source rows too: the same blocks' mentions, compacted or not
            nodes, rels = dump(store)
            full[holes] = (sorted(str((n["label"], sorted((k, v) for k, v in n["props"].items() if k != "rejects")))
                                  for n in nodes),
                           sorted(str((r["from_key"], r["type"], r["to_key"], sorted(r["props"].items()))) for r in rels))
    want = got.pop("000")
    for other in got.values():
        assert other[0] == want[0] and other[1] == want[1] and other[2][0] == want[2][0] and other[2][1] == want[2][1]
    assert sum(r[2] for r in want[0]) > 0 and len(want[2][1]) > 10_000
    assert len(compacted) > 20 and full[-1] == full[-2]  # source rows too


@pytest.mark.slow
def test_worker_processes_load_a_whole_case_as_one_process_does(store, settings, tmp_path, monkeypatch):
    """Every kind of file of the demo case (Excel too) in one load: the same summaries, rejects and graph with
    two worker processes converting the 交易明细 files as without them (and their cards merged in two steps)."""
    if store.backend != "falkordb":
        pytest.skip("FalkorDB only")
    generate(tmp_path / "case", "small", 3)
    files = sorted(str(p) for p in (tmp_path / "case").iterdir() if p.suffix in (".csv", ".tsv", ".xlsx"))
    assert any(f.endswith(".xlsx") and "交易明细" in f for f in files)
    got = {}
    real_done = Mentions.load_done

    def premerged(self, *args, **kw):  # the cards of three files merged first, as while a last file converts
        self.premerge(3)
        return real_done(self, *args, **kw)

    for workers in ("0", "2"):
        monkeypatch.setenv("POCHUAN_LOAD_WORKERS", workers)
        if workers == "2":
            monkeypatch.setattr(Mentions, "load_done", premerged)
        store.reset()
        res = load_files(store, "WHOLE", files, data_dir=tmp_path / f"w{workers}")
        summary = [{k: v for k, v in r.items() if k not in ("rejects",)} for r in res]
        got[workers] = (summary, _rejects(res).values(), _graph(store))
    assert got["0"][0] == got["2"][0]
    assert list(got["0"][1]) == list(got["2"][1])
    assert got["0"][2] == got["2"][2] and len(got["2"][2][1]) > 10_000


def _two_files(tmp_path, names: tuple, card: str, rows: int) -> list[str]:
    """Write two 交易明细 files of distinct cards and serials (enough rows for worker processes)."""
    return [str(write_table(tmp_path / f"{n}.csv", TX_HEAD, [tx_row(card=f"{card}{k}{i:06d}", serial=f"{n}{i}",
                                                                    amount=f"{i % 500 + 1}") for i in range(rows)]))
            for k, n in enumerate(names)]


def _kill_workers(first_only: bool = False) -> bool:
    """SIGKILL this process's loader workers (as the kernel's out-of-memory killer would); return True if one was."""
    import signal

    import psutil

    killed = False
    for p in psutil.Process().children(recursive=True):
        try:
            if "spawn_main" in " ".join(p.cmdline()):
                p.send_signal(signal.SIGKILL)
                killed = True
                if first_only:
                    return True
        except psutil.Error:
            pass
    return killed


@pytest.mark.slow
def test_a_worker_killed_is_reported_and_the_load_can_be_run_again(store, settings, tmp_path, monkeypatch):
    """A worker process killed (as the kernel's out-of-memory killer would) ends the load with an error a user
    can act on; the same load again ends with the graph of a clean load."""
    if store.backend != "falkordb":
        pytest.skip("FalkorDB only")
    import threading

    from test_load_util import counts

    monkeypatch.setenv("POCHUAN_LOAD_WORKERS", "2")
    files = _two_files(tmp_path, ("甲", "乙"), "62220200001", 60_000)
    stop = threading.Event()

    def kill_workers():
        while not stop.is_set():
            if _kill_workers(first_only=True):
                return
            stop.wait(0.005)

    killer = threading.Thread(target=kill_workers)
    killer.start()
    try:
        with pytest.raises(PochuanError, match="worker process died.*again"):
            load_files(store, "KW", files, data_dir=tmp_path / "d")
    finally:
        stop.set()
        killer.join()
    again = load_files(store, "KW", files, data_dir=tmp_path / "d")
    assert [r["loaded"] for r in again] == [60_000, 60_000], [(r["read"], r["loaded"], r["rejected"]) for r in again]
    assert counts(store)["TRANSFER"] == 120_000


def test_workers_dead_before_pass_two_are_reported_and_the_load_can_be_run_again(store, tmp_path, monkeypatch):
    """Workers killed after converting the files, before they merge them (pass 2 is handed to a broken pool): the
    same error a user can act on, and the same load again ends with the graph of a clean load."""
    if store.backend != "falkordb":
        pytest.skip("FalkorDB only")
    import time

    from test_load_util import counts

    from loaders import fastload

    monkeypatch.setenv("POCHUAN_LOAD_WORKERS", "2")
    files = _two_files(tmp_path, ("丁", "戊"), "62220200002", 20_000)
    collect = fastload.Stage._collect

    def collect_then_kill(self):
        collect(self)
        _kill_workers()
        deadline = time.monotonic() + 10
        while not self.workers.pool._broken and time.monotonic() < deadline:  # the pool notices the deaths
            time.sleep(0.01)

    with monkeypatch.context() as m:
        m.setattr(fastload.Stage, "_collect", collect_then_kill)
        with pytest.raises(PochuanError, match="worker process died.*again"):
            load_files(store, "KP", files, data_dir=tmp_path / "d")
    again = load_files(store, "KP", files, data_dir=tmp_path / "d")
    assert [r["loaded"] for r in again] == [20_000, 20_000]
    assert counts(store)["TRANSFER"] == 40_000


def test_a_file_failing_in_a_worker_leaves_the_others_loaded(store, settings, tmp_path, monkeypatch):
    """Worker processes convert the files; one that cannot be read is reported, the others load and are recorded."""
    if store.backend != "falkordb":
        pytest.skip("FalkorDB only")
    from test_load_util import counts

    monkeypatch.setenv("POCHUAN_LOAD_WORKERS", "2")
    good = write_table(tmp_path / "甲.csv", TX_HEAD, [tx_row(serial=f"A{i}", amount=f"{i + 1}") for i in range(50)])
    later = write_table(tmp_path / "丙.csv", TX_HEAD, [tx_row(serial=f"C{i}", amount=f"{i + 1}.5") for i in range(50)])
    bad = write_table(tmp_path / "乙.csv", TX_HEAD, [tx_row(serial=f"B{i}", name="甲" * 20) for i in range(3000)])
    bad.write_bytes(bad.read_bytes() + ",".join(tx_row(serial="GBK", name="混合编码")).encode("gbk") + b"\r\n")
    with pytest.raises(PochuanError, match="乙.csv.*(cannot decode|无法按)"):
        load_files(store, "WK", [str(good), str(bad), str(later)], data_dir=tmp_path / "d", progress=True)
    batches = {n["props"]["file"]: n["props"] for n in dump(store)[0] if n["label"] == "ImportBatch"}
    assert batches["甲.csv"]["loaded"] == 50 and batches["丙.csv"]["loaded"] == 50
    assert "loaded" not in batches["乙.csv"]
    assert counts(store)["TRANSFER"] == 100


def test_worker_processes_run_polars_on_one_thread_unless_told(monkeypatch):
    """Two workers fill the cores: each runs polars on one thread (less CPU) at a lower priority than the loading
    process, which keeps its environment; a POLARS_MAX_THREADS the user set wins."""
    monkeypatch.delenv("POLARS_MAX_THREADS", raising=False)
    workers = pass1.Workers(1)
    try:
        assert workers.run(pl.thread_pool_size).result() == 1
        assert "POLARS_MAX_THREADS" not in os.environ
        if "OPENBLAS_NUM_THREADS" not in os.environ:  # no spinning BLAS threads beside the worker
            assert workers.run(os.getenv, "OPENBLAS_NUM_THREADS").result() == "1"
        assert workers.run(os.nice, 0).result() == min(19, os.nice(0) + pass1.WORKER_NICE)  # the writers go first
        # polars' own allocator setting there (returning pages sooner costs the workers time), last: it wins
        assert workers.run(os.getenv, "_RJEM_MALLOC_CONF").result().endswith(graphsvc.WORKER_ALLOCATOR)
        assert os.environ["_RJEM_MALLOC_CONF"].endswith(graphsvc.ALLOCATOR)
    finally:
        workers.close()
    monkeypatch.setenv("POLARS_MAX_THREADS", "2")
    workers = pass1.Workers(1)
    try:
        assert workers.run(pl.thread_pool_size).result() == 2
    finally:
        workers.close()


def test_column_path_bad_rows_and_odd_cells(store, settings, tmp_path, monkeypatch):
    """Separator-only lines, blank lines, quoted newlines, too-wide rows and bad values: same as the row path."""
    if store.backend != "falkordb":
        pytest.skip("FalkorDB only")
    rows = [tx_row(serial=f"S{i}", amount=f"{i + 1}.50") for i in range(5)]
    rows += [tx_row(serial="Q1", summary="第一行\n第二行"), tx_row(serial="W", amount="十元"), tx_row(time="昨天"),
             tx_row(card="", serial="E"), tx_row(pid="110105196007032410", serial="P"), tx_row(flag="?", serial="F")]
    path = write_table(tmp_path / "t.csv", TX_HEAD, rows)
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(",,,\n\n   \n" + ",".join(tx_row(serial="X")) + ",extra\n" + ",".join(tx_row(serial="Z")) + "\n")
    wide = write_table(tmp_path / "w.csv", TX_HEAD, rows[:3])  # polars refuses the block: the csv module reads it
    with open(wide, "a", encoding="utf-8") as fh:
        fh.write(",".join(tx_row(serial="X2")) + ",extra\n\n" + ",".join(tx_row(serial="Z2")) + "\n")
    sep = write_table(tmp_path / "sep.csv", TX_HEAD, rows[:3])  # polars reads this block; a line of separators is a row
    with open(sep, "a", encoding="utf-8") as fh:
        fh.write("\n,,,\n  \n" + ",".join(tx_row(serial="Z3")) + "\n")
    whole = write_table(tmp_path / "whole.csv", TX_HEAD, rows[:3], encoding="gbk")  # no line break after the last row
    whole.write_bytes(whole.read_bytes() + ",".join(tx_row(serial="L1", name="末行")).encode("gbk"))
    cut = write_table(tmp_path / "cut.csv", TX_HEAD, rows[:3], encoding="gbk")  # the last row cut short
    cut.write_bytes(cut.read_bytes() + ",".join(tx_row(serial="L2", name="截断"))[:40].encode("gbk"))
    first = write_table(tmp_path / "first.csv", TX_HEAD, [])  # the block's first row too wide: polars says SchemaError
    with open(first, "a", encoding="utf-8") as fh:
        fh.write(",".join(tx_row(serial="X4")) + ",extra\n" + ",".join(tx_row(serial="Z4")) + "\n")
    got = {}
    for mode in ("0", "1"):
        monkeypatch.setenv("POCHUAN_COLUMNAR", mode)
        store.reset()
        res = load_files(store, "COL", [path, wide, whole, cut, sep, first], data_dir=tmp_path / f"d{mode}")
        got[mode] = ([(r["read"], r["loaded"], r["rejected"]) for r in res], _rejects(res), _graph(store))
    assert got["0"] == got["1"]
    assert got["1"][0][0][2] >= 6
    assert got["1"][0][2] == (4, 4, 0) and got["1"][0][3] == (4, 3, 1)
    assert got["1"][1][str(cut)] == [("4", "文件截断 truncated file")]
    assert got["1"][0][4] == (5, 4, 1) and [n for n, _ in got["1"][1][str(sep)]] == ["4"]
    assert got["1"][0][5] == (2, 1, 1) and [n for n, _ in got["1"][1][str(first)]] == ["1"]


_CARDS = st.one_of(st.from_regex(r"[0-9]{16,19}", fullmatch=True), st.from_regex(r" ?[0-9 \-_]{4,24}x?", fullmatch=True))
_MACS = st.one_of(st.from_regex(r"[0-9a-fA-F]{2}([-:. ]?[0-9a-fA-F]{2}){5}", fullmatch=True), st.text(max_size=14))
_IPS = st.one_of(st.from_regex(r" ?[0-9]{1,3}(\.[0-9]{1,3}){3} ?", fullmatch=True), st.text(max_size=12))
_AMOUNTS = st.one_of(st.from_regex(r"[-(]?[¥￥]?[0-9]{1,3}(,?[0-9]{3}){0,2}(\.[0-9]{1,3})?[元)]?", fullmatch=True),
                     st.text(max_size=10), st.floats(allow_nan=True).map(str))
_TIMES = st.one_of(st.from_regex(r"(19|20|21)[0-9]{2}[-/][0-9]{1,2}[-/][0-9]{1,2} [0-9]{1,2}:[0-9]{2}:[0-9]{2}",
                                 fullmatch=True), st.from_regex(r"20[0-9]{12}", fullmatch=True), st.text(max_size=20))
_TEXT = st.text(alphabet=st.sampled_from(list("ab 交易\t\u3000\x1e\x1f,")), max_size=8)


def _with_check(first17: str) -> str:
    """Return an ID number with its right check digit."""
    return first17 + nz.ID_CHECK[sum(int(c) * w for c, w in zip(first17, nz.ID_WEIGHTS)) % 11]


_IDS = st.one_of(st.from_regex(r"[0-9]{6}(19|20|00)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}", fullmatch=True).map(_with_check),
                 st.from_regex(r"[0-9]{6}(19|20|00)[0-9]{2}[01][0-9][0-3][0-9][0-9]{3}", fullmatch=True)
                 .map(lambda s: _with_check(s).lower().center(20)),
                 st.from_regex(r" ?[0-9]{17}[0-9Xx１ ]", fullmatch=True), st.from_regex(r"[0-9]{15}", fullmatch=True),
                 st.text(max_size=19))


@hsettings(max_examples=60, deadline=None)
@given(st.data())
def test_polars_normalisation_agrees_with_the_normalisers(data):
    """Every value polars normalises itself comes out as loaders.normalize makes it, errors included."""
    for norm, strat in ((nz.card, _CARDS), (nz.mac, _MACS), (nz.ip, _IPS), (nz.signed_amount, _AMOUNTS),
                        (nz.time, _TIMES), (nz.text, _TEXT), (nz.person_id, _IDS)):
        cells = data.draw(st.lists(st.one_of(strat, st.none()), min_size=1, max_size=12))
        vals, err = _field(pl.Series(cells, dtype=pl.String), norm, True)
        errs = err.to_list() if err is not None else [None] * len(cells)
        got = list(zip(*[v.to_list() for v in vals]))
        for cell, g, e in zip(cells, got, errs):
            if cell is None or not cell.strip():
                assert g == (None,) * len(g) and e is None, (norm.__name__, cell)
                continue
            try:
                want = norm(cell)
            except nz.BadValue as x:
                assert e == str(x), (norm.__name__, cell, g, e)
                continue
            assert e is None and (g if norm is nz.time else g[0]) == want, (norm.__name__, cell, g, want)


@hsettings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(_IDS, st.none()), min_size=1, max_size=8), st.integers(3, 5))
def test_repeated_ids_are_checked_once_and_agree_with_the_normaliser(ids, times):
    """A column repeating its IDs (a bank reply's) is checked per distinct value, the results mapped back onto
    the rows: values already in their one form kept, the others replaced, the bad ones refused with their reason."""
    cells = [c for c in ids for _ in range(times)] + ids
    vals, err = _field(pl.Series(cells, dtype=pl.String), nz.person_id, True)
    errs = err.to_list() if err is not None else [None] * len(cells)
    for cell, g, e in zip(cells, vals[0].to_list(), errs):
        if cell is None or not cell.strip():
            assert g is None and e is None, cell
            continue
        try:
            want = nz.person_id(cell)
        except nz.BadValue as x:
            assert g is None and e == str(x), (cell, g, e)
            continue
        assert e is None and g == want, (cell, g, want)


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.floats(-1e13, 1e13, allow_nan=False), st.integers(-10**9, 10**9).map(lambda i: i / 1000),
                          st.integers(0, 10**7).map(lambda i: i / 200), st.none()), min_size=1, max_size=20))
def test_amounts_round_to_the_fen_as_python_rounds(amounts):
    """Amounts in fen rounded by polars match Python's round(abs(x), 2), halves (1.005, 2.675, 0.125) included."""
    amounts += [1.005, 2.675, 0.125, -0.375, 1e15 + 0.5, 123.45, 0.0]
    got = columnar._to_fen(pl.Series(amounts, dtype=pl.Float64)).to_list()
    assert got == [None if a is None else round(abs(a), 2) for a in amounts]


def test_pass2_merges_each_pair_as_the_row_path_does():
    """Rows sorted by pair then load order merge as add_transfer merges: one key per pair is one transfer; with
    several keys a row joins the first transfer with its key or lacking its side (here two transfers of p2)."""
    from loaders.pass2 import _groups, _merge

    rows = pl.DataFrame({"pair": ["p1", "p1", "p2", "p2", "p2", "p2", "p3"],
                         "key": ["k", "k", "a", "b", "a", "c", "z"],
                         "side": ["out", "in", "out", "out", "in", "in", "out"]})
    assert _groups(rows).rank("dense").to_list() == [1, 1, 2, 3, 2, 3, 4]
    assert _groups(rows.filter(pl.col("pair") != "p2")).flags["SORTED_ASC"]  # polars then slices the groups
    full = rows.with_columns(a=pl.lit("A"), b=pl.lit("B"), ts=pl.lit(0), time=pl.lit("t"), amount=pl.lit(1.0),
                             balance=pl.lit(None, dtype=pl.Float64), extra=pl.lit(""),
                             batch=pl.Series(["f1", "f2", "f1", "f1", "f2", "f2", "f1"]),
                             src=pl.Series([f"r{i}" for i in range(7)]),
                             **{c: pl.lit("") for c in ("serial", "ip", "mac", "summary", "channel", "branch")})
    counts: dict = {}
    tx = _merge(full, counts)
    assert tx.select("pair", "key", "sides", "srcs").rows() == [
        ("p1", "k", ["out", "in"], ["r0", "r1"]), ("p2", "a", ["out", "in"], ["r2", "r4"]),
        ("p2", "b", ["out", "in"], ["r3", "r5"]), ("p3", "z", ["out"], ["r6"])]
    assert counts == {"f1": [4, 0], "f2": [0, 3]}


def test_polars_normalisation_edge_cells():
    """Cells at the edges of the polars forms (second 60, birth year 0, mixed layouts in one block) agree too."""
    cases = {nz.time: ["2023-01-02 03:04:60", "2023-01-02 03:04:05", "2023/1/2 3:04:05", " 20230102030405",
                       "2023-02-30 01:00:00", "2023-1-2 3:4:5", "1899-12-31 23:59:59"],
             nz.person_id: ["000000000001100004", _with_check("11010519491231002"), "11010519491231002x",
                            " " + _with_check("11010520000230002"), "701018966012040860",
                            _with_check("81000019900101001"), _with_check("82999919900101001")],
             nz.mac: ["AA:BB:CC:DD:EE:FF", "aa-bb-cc-dd-ee-ff", " AA:BB:CC:DD:EE:FF", "AA:BB:CC:DD:EE"],
             nz.card: ["6222 0000 1111 2222", "6222000011112222", "6222-x", "６２２２"],
             nz.signed_amount: ["1,234.50", "¥12", "-3", " 7 ", "inf", "1e400", "(1.00)", "RMB 5"]}
    # a block's first cell decides which layout is tried first: the others must still come out right
    firsts = [(nz.time, ["2023/1/2 3:04:05", "2023-01-02 03:04:05", "20230102030405", "2023-1-2 3:4:5", "x"]),
              (nz.time, ["20230102030405", "2023/1/2 3:04:05", "2023-01-02 03:04:60", "2023-01-02 03:04:05"]),
              (nz.signed_amount, ["¥1,234.50", "12", " 7 ", "rmb 5", "CnY-3", "5元", "inf", "(1.00)", "R¥MB5", "¥"]),
              (nz.signed_amount, ["12", "¥1,234.50", "rmb 5", "1_000", "(1.00)"])]
    for norm, cells in list(cases.items()) + firsts:
        vals, err = _field(pl.Series(cells, dtype=pl.String), norm, True)
        errs = err.to_list() if err is not None else [None] * len(cells)
        for cell, got, e in zip(cells, zip(*[v.to_list() for v in vals]), errs):
            try:
                want = norm(cell)
            except nz.BadValue as x:
                assert e == str(x), (cell, got, e)
                continue
            assert e is None and (got if norm is nz.time else got[0]) == want, (cell, got, want)


def test_crash_between_new_entities_and_their_in_case_heals_on_rerun(store, settings, tmp_path, monkeypatch):
    """Entities are appended before their IN_CASE (two GRAPH.BULK calls): a crash in between, then the same
    load again, ends with the graph of a clean load."""
    if store.backend != "falkordb":
        pytest.skip("FalkorDB only")
    import loaders.mentions as mentions

    f = write_table(tmp_path / "t.csv", TX_HEAD, [tx_row(serial=f"S{i}", amount=f"{i + 1}", ip="10.0.0.1")
                                                  for i in range(5)])
    load_files(store, "CR", [str(f)], data_dir=tmp_path / "clean")
    clean = _graph(store)
    store.reset()
    real = mentions.rows_tokens

    def crash(df, name, *a, **kw):
        if name == "IN_CASE":
            raise RuntimeError("killed")
        return real(df, name, *a, **kw)

    monkeypatch.setattr(mentions, "rows_tokens", crash)
    with pytest.raises(RuntimeError):
        load_files(store, "CR", [str(f)], data_dir=tmp_path / "crash")
    monkeypatch.setattr(mentions, "rows_tokens", real)
    load_files(store, "CR", [str(f)], data_dir=tmp_path / "again")
    assert _graph(store) == clean


def test_two_loads_at_once_append_nothing_twice(store, settings, tmp_path):
    """Loaders check what is stored, then append: the store's write lock keeps two loads of the same rows apart."""
    if store.backend != "falkordb":
        pytest.skip("FalkorDB only")
    import threading

    from test_load_util import counts

    f = write_table(tmp_path / "t.csv", TX_HEAD, [tx_row(card=f"62220200000000{i:05d}", serial=f"S{i}", ip=f"10.0.0.{i % 9}")
                                                  for i in range(3000)])
    load_files(store, "LK", [str(f)], data_dir=tmp_path / "one")
    once = counts(store)
    store.reset()
    errors = []

    def run(i):
        try:
            load_files(store, "LK", [str(f)], data_dir=tmp_path / f"t{i}")
        except Exception as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert counts(store) == once


def test_appended_ids_are_read_in_one_scan_and_a_key_holding_the_separator_is_looked_up(store, monkeypatch):
    if store.backend != "falkordb":
        pytest.skip("ids of GRAPH.BULK appends: FalkorDB only")
    m = Mentions(store, "IDS", lambda *a: None, {})
    lookups = []
    real = Mentions._node_ids
    monkeypatch.setattr(Mentions, "_node_ids", lambda self, *a: lookups.append(a[1]) or real(self, *a))
    for keys in (["6222000000000001", "6222000000000002"], ["acct|1", "6222000000000003"]):
        first = store.read("load_node_count").one()["n"]
        store.graph.query("UNWIND $keys AS k CREATE (:Device {key: 'd' + k}) CREATE (:BankCard {key: k})", {"keys": keys})
        stored = {r[0]: r[1] for r in store.graph.query("MATCH (c:BankCard) RETURN c.key, id(c)").result_set}
        lookups.clear()
        got = m._appended_ids("load_card_packed", first, pl.Series(keys, dtype=pl.String))
        assert dict(zip(got.get_column("key").to_list(), got.get_column("id").to_list())) == {k: stored[k] for k in keys}
        assert lookups == ([keys] if "acct|1" in keys else [])  # the joined keys split wrong: all looked up


def test_polars_allocator_returns_freed_memory_soon_unless_told():
    """jemalloc's decay is set before polars is imported (polars puts its own options first: the last wins), or for
    the processes it starts when polars came first; a value the user set wins."""
    code = "import {}, os; print(os.environ['_RJEM_MALLOC_CONF'])"
    env = {k: v for k, v in os.environ.items() if k != "_RJEM_MALLOC_CONF"}

    def conf(imports: str) -> str:
        return subprocess.run([sys.executable, "-c", code.format(imports)], env=env, capture_output=True, text=True,
                              check=True).stdout.strip()

    assert conf("loaders, polars").endswith("," + graphsvc.ALLOCATOR)
    assert conf("polars, loaders") == graphsvc.ALLOCATOR  # too late for this process, not for what it starts
    env["_RJEM_MALLOC_CONF"] = "dirty_decay_ms:5000"
    assert conf("loaders, polars").endswith(",dirty_decay_ms:5000")
    assert graphsvc.ALLOCATOR not in conf("polars, loaders")


def test_staged_files_are_removed_once_read(store, settings, tmp_path, monkeypatch):
    """Pass 2 removes each staged file when it has read it for the last time (the load's end then has little left
    to remove, and the stage folder does not hold the whole load until then); the graph is the same."""
    from loaders import fastload

    if store.backend != "falkordb":
        pytest.skip("FalkorDB only")
    generate(tmp_path / "case", "small", 2)
    files = sorted(str(p) for p in (tmp_path / "case").iterdir() if p.name.startswith("交易明细"))
    monkeypatch.setenv("POCHUAN_LOAD_WORKERS", "0")
    seen = {"groups": 0, "tokens": 0}
    real_prepare, real_token = fastload.prepare_group, fastload.transfer_token

    def prepare(i, paths, *args):
        assert store.db.connection.config_get("appendfsync")["appendfsync"] == "no"  # the loader appends
        assert all(os.path.exists(p) for p in paths)
        out = real_prepare(i, paths, *args)
        assert not any(os.path.exists(p) for p in paths)
        seen["groups"] += 1
        return out

    def token(base, ids):
        out = real_token(base, ids)
        assert not any(os.path.exists(f"{base}{s}") for s in (".bin", ".npy", ".arrow"))
        seen["tokens"] += 1
        return out

    monkeypatch.setattr(fastload, "prepare_group", prepare)
    monkeypatch.setattr(fastload, "transfer_token", token)
    res = load_files(store, "DROP", files, data_dir=tmp_path / "data")
    assert seen["groups"] >= 1 and seen["tokens"] >= 1
    assert store.db.connection.config_get("appendfsync")["appendfsync"] == "always"
    nodes, rels = dump(store)
    assert sum(1 for r in rels if r["type"] == "TRANSFER") == sum(r["transfers_new"] for r in res) > 1000


def test_staging_folders_of_killed_loads_are_swept(tmp_path):
    """A load killed before its end leaves its staging folder: the next load removes it, not a live load's."""
    from loaders.fastload import sweep_stages

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    folders = {name: tmp_path / name for name in (f"stage-{dead.pid}-abc", f"stage-{os.getppid()}-def",
                                                  f"stage-{os.getpid()}-ghi", "stage-xyz123", "other")}
    for d in folders.values():
        d.mkdir()
        (d / "00-00000-000000.arrow").write_bytes(b"x" * 100)
    assert sweep_stages(tmp_path) == [folders[f"stage-{dead.pid}-abc"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(n for n in folders if n != f"stage-{dead.pid}-abc")
