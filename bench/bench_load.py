"""Load benchmark: the demo case's 交易明细 files through `loaders.load_files` vs FalkorDB's bulk loader.

Each timed load gets a fresh embedded FalkorDB of its own (unix socket, empty), in the same run:
  ours  read, decode, normalise, dedupe (both sides), write (cypher/load_*.cypher and GRAPH.BULK);
  bulk  falkordb-bulk-insert on the same transfers pre-cleaned into its CSV format (cleaning untimed).
Each side runs in a fresh subprocess (peak RSS sampled); medians of --runs runs.

    .venv/bin/python bench/bench_load.py --dir /tmp/demo-large     # or --size large to generate it
"""
from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def transfer_files(folder: Path) -> list[Path]:
    """Return the case's 交易明细 files (the top folder only)."""
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.startswith("交易明细"))


def run_child(args: list[str], env: dict | None = None) -> tuple[dict, int]:
    """Run this script in a child process; return its JSON answer and the peak RSS (MB) it measured."""
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise SystemExit(f"child {args[:2]} failed: {proc.stderr[-2000:]}")
    answer = json.loads(proc.stdout.strip().splitlines()[-1])
    return answer, answer.pop("peak_rss_mb")


class PeakRSS:
    """Sample the resident memory of a process (and its children) every 0.2 s; ru_maxrss would
    include the parent's memory at fork time, so it is not used. The sampler runs beside the load it
    measures: it reads the process tree's /proc files (psutil's children() scans every process: ~1 s of
    CPU over a load on these two cores), and falls back to psutil where the kernel lacks them."""

    def __init__(self, pid: int | None = None):
        import threading

        self.pid = pid or os.getpid()
        self.peak = 0
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _tree(self) -> list[int]:
        """Return the process and its descendants, from /proc/<pid>/task/<tid>/children."""
        pids, i = [self.pid], 0
        while i < len(pids):
            for tid in os.listdir(f"/proc/{pids[i]}/task"):
                with open(f"/proc/{pids[i]}/task/{tid}/children") as fh:
                    pids += [int(c) for c in fh.read().split()]
            i += 1
        return pids

    def _rss(self) -> int:
        """Return the resident bytes of the process tree (0 for a process that ended meanwhile)."""
        try:
            pids = self._tree()
        except FileNotFoundError:  # no children files in this kernel: psutil's scan
            import psutil

            proc = psutil.Process(self.pid)
            return proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(True))
        total = 0
        for pid in pids:
            try:
                with open(f"/proc/{pid}/statm") as fh:
                    total += int(fh.read().split()[1]) * self._page
            except (FileNotFoundError, ProcessLookupError):
                pass
        return total

    def _run(self) -> None:
        """Sample until stopped."""
        while not self._stop.is_set():
            try:
                rss = self._rss()
            except OSError:
                rss = 0
            self.peak = max(self.peak, rss)
            self._stop.wait(0.2)

    def stop(self) -> int:
        """Stop sampling and return the peak in MB."""
        self._stop.set()
        self._t.join()
        return self.peak // (1 << 20)


def child_ours(data: str, graph: str, files: list[str]) -> dict:
    """Load the files with pochuan's loader into an empty graph and time it (POCHUAN_COLUMNAR picks the path)."""
    from graphsvc.settings import load_settings
    from graphsvc.store import open_store
    from loaders import load_files

    cfg = load_settings({})
    cfg.update(POCHUAN_DATA=data, POCHUAN_GRAPH_NAME=graph)
    store = open_store(cfg)
    mem = PeakRSS()
    t = time.perf_counter()
    res = load_files(store, "BENCH", files, data_dir=data)
    dt = time.perf_counter() - t
    return {"seconds": dt, "read": sum(r["read"] for r in res), "loaded": sum(r["loaded"] for r in res),
            "transfers": sum(r["transfers_new"] for r in res), "peak_rss_mb": mem.stop()}


def clean_for_bulk(files: list[Path], out: Path) -> dict:
    """Write the transfers of the files, normalised and deduped, as bulk-loader CSVs (not timed)."""
    from loaders import normalize as nz
    from loaders.chunk import Chunk
    from loaders.convert import converter
    from loaders.mapping import builtin_layout
    from loaders.readers import open_table
    from loaders.transfers import add_transfer

    cards: set = set()
    merged = Chunk(0)
    for f in files:
        table = open_table(f)
        conv = converter(builtin_layout(None, table.header, f.name))
        for n, cells in table.rows:
            if cells is None:
                continue
            ch = Chunk(0)
            try:
                conv(cells, f"b#{n}", ch, "m")
            except nz.BadValue:
                continue
            for rec in ch.transfers:
                add_transfer(merged, rec)
        table.close()
    (out / "min").mkdir(exist_ok=True)
    with open(out / "BankCard.csv", "w", newline="", encoding="utf-8") as nf, \
            open(out / "TRANSFER.csv", "w", newline="", encoding="utf-8") as ef, \
            open(out / "min" / "TRANSFER.csv", "w", newline="", encoding="utf-8") as mf:
        nw, ew, mw = csv.writer(nf), csv.writer(ef), csv.writer(mf)
        mw.writerow(["src", "dst", "ts", "amount"])  # the issue's ~120,000 rel/s: end points and two numbers
        nw.writerow(["key"])
        ew.writerow(["src", "dst", "key", "pair", "ts", "time", "amount", "serial", "summary", "channel", "branch",
                     "ip", "mac", "sides", "src_rows", "balance", "cases", "batches"])
        for r in merged.transfers:
            for c in (r[0], r[1]):
                if c not in cards:
                    cards.add(c)
                    nw.writerow([c])
            ew.writerow([r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
                         "[" + ",".join(f"'{s}'" for s in r[13]) + "]", "[" + ",".join(f"'{s}'" for s in r[14]) + "]",
                         "" if r[15] is None else r[15], "['BENCH']", "['bench']"])
            mw.writerow([r[0], r[1], r[4], r[6]])
    return {"cards": len(cards), "transfers": len(merged.transfers)}


def child_bulk(sock: str, graph: str, folder: str, edges: str = "") -> dict:
    """Time falkordb-bulk-insert of the cleaned CSVs into an empty graph over the unix socket."""
    exe = Path(sys.executable).with_name("falkordb-bulk-insert")
    mem = PeakRSS()
    t = time.perf_counter()
    # a generous socket timeout: on the large case the loader's next 64 MB token waits while the server
    # builds the last one, and redis-py's default gave "Timeout writing to socket"
    proc = subprocess.run([str(exe), graph, "-u", f"unix://{sock}?socket_timeout=600", "-N", "BankCard",
                           f"{folder}/BankCard.csv",
                           "-R", "TRANSFER", edges or f"{folder}/TRANSFER.csv", "-e"], capture_output=True, text=True)
    dt = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:] or proc.stdout[-2000:])
    return {"seconds": dt, "out": proc.stdout.strip().splitlines()[-1:], "peak_rss_mb": mem.stop()}


def fresh_server(folder: Path) -> str:
    """Start an embedded server of its own in an empty folder and return its socket: each timed load gets
    an identical, idle server (GRAPH.BULK sent right after a big load and drop on the same server timed out)."""
    from graphsvc.embedded import EmbeddedServer

    shutil.rmtree(folder, ignore_errors=True)
    return str(EmbeddedServer(folder).ensure())


def stop_server(folder: Path) -> None:
    """Stop a benchmark's server and remove its folder."""
    from graphsvc.embedded import EmbeddedServer

    EmbeddedServer(folder).stop()
    shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    """Run both loaders --runs times, print a table and write bench/RESULTS-load.md."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", type=Path, help="a demo case folder (pochuan demo-data)")
    ap.add_argument("--size", default="large", help="demo size to generate when --dir is absent")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--row-runs", type=int, default=0, help="also time the row path (POCHUAN_COLUMNAR=0) this often")
    ap.add_argument("--memory", action="store_true",
                    help="also load each 交易明细 file alone (fresh server each): peak RSS as files grow")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "load-latest.md",
                    help="where the table goes (bench/RESULTS-load.md keeps the history by hand)")
    a = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pochuan-bench-"))
    folder = a.dir
    if folder is None or not folder.exists():
        folder = folder or work / "demo"
        subprocess.run([str(Path(sys.executable).with_name("pochuan")), "demo-data", "--size", a.size, "--seed", "1",
                        str(folder)], check=True)
    files = transfer_files(folder)
    size = sum(f.stat().st_size for f in files)
    bulk_dir = work / "bulk"
    bulk_dir.mkdir()
    cleaned = clean_for_bulk(files, bulk_dir)
    ours, bulk, bulk_min, row = [], [], [], []
    for i in range(a.row_runs):
        data = work / f"row-{i}"
        fresh_server(data)
        r, rss = run_child(["--child-ours", str(data), "bench_row", *map(str, files)], {"POCHUAN_COLUMNAR": "0"})
        r["rss_mb"] = rss
        row.append(r)
        stop_server(data)
        print(f"row path run {i + 1}: {r['read'] / r['seconds']:,.0f} rows/s ({r['seconds']:.1f} s, {rss} MB)",
              file=sys.stderr)
    for i in range(a.runs):
        data = work / f"ours-{i}"
        fresh_server(data)
        r, rss = run_child(["--child-ours", str(data), "bench_ours", *map(str, files)])
        r["rss_mb"] = rss
        ours.append(r)
        stop_server(data)
        data = work / f"bulk-{i}"
        sock = fresh_server(data)
        b, brss = run_child(["--child-bulk", sock, "bench_bulk", str(bulk_dir)])
        b["rss_mb"] = brss
        bulk.append(b)
        stop_server(data)
        data = work / f"bulkmin-{i}"
        sock = fresh_server(data)
        m, mrss = run_child(["--child-bulk", sock, "bench_bulk", str(bulk_dir), str(bulk_dir / "min" / "TRANSFER.csv")])
        m["rss_mb"] = mrss
        bulk_min.append(m)
        stop_server(data)
        print(f"run {i + 1}: ours {r['read'] / r['seconds']:,.0f} rows/s ({r['seconds']:.1f} s, {rss} MB); "
              f"bulk {cleaned['transfers'] / b['seconds']:,.0f} rel/s ({b['seconds']:.1f} s)", file=sys.stderr)
    alone = [one_file(work, f) for f in sorted(files, key=lambda f: f.stat().st_size)] if a.memory else []
    shutil.rmtree(work, ignore_errors=True)
    a.out.parent.mkdir(parents=True, exist_ok=True)
    report(a.out, folder, files, size, cleaned, ours, bulk, bulk_min, row, alone)


def one_file(work: Path, f: Path) -> dict:
    """Load one file alone into an empty graph of a fresh server; return its rows, time and the loader's peak RSS."""
    data = work / "alone"
    fresh_server(data)
    r, rss = run_child(["--child-ours", str(data), "bench_alone", str(f)])
    stop_server(data)
    print(f"alone {f.name}: {r['read']:,} rows, {r['seconds']:.1f} s, {rss} MB", file=sys.stderr)
    return {"file": f.name, "rows": r["read"], "seconds": r["seconds"], "rss_mb": rss}


def _ratios(ours: list[dict], bulk: list[dict], rels: int) -> str:
    """Return each run's ratio of our input rows/s to the bulk loader's relationships/s (rels written), and their
    median."""
    got = [(o["read"] / o["seconds"]) / (rels / b["seconds"]) for o, b in zip(ours, bulk)]
    return ", ".join(f"{r:.2f}" for r in got) + f" (median **{statistics.median(got):.2f}**)"


def _secs(runs: list[dict]) -> str:
    """Return the run times as text."""
    return ", ".join(f"{r['seconds']:.1f}" for r in runs)


def report(out: Path, folder: Path, files, size, cleaned, ours, bulk, bulk_min, row, alone=()) -> None:
    """Print the table and write the results file."""
    t_ours = statistics.median(r["seconds"] for r in ours)
    t_bulk = statistics.median(b["seconds"] for b in bulk)
    t_min = statistics.median(b["seconds"] for b in bulk_min)
    t_row = statistics.median(r["seconds"] for r in row) if row else 0.0
    rows = ours[0]["read"]
    tx = cleaned["transfers"]
    rate_rows, rate_tx, rate_bulk = rows / t_ours, ours[0]["transfers"] / t_ours, tx / t_bulk
    rate_min = tx / t_min
    load = os.getloadavg()
    lines = [
        "# Load benchmark (bench/bench_load.py)", "",
        f"Input: {len(files)} 交易明细 files of `{folder.name}` ({size / 1e6:.0f} MB; CSV/TSV/xlsx, GBK/UTF-8), "
        f"{rows:,} rows read, {tx:,} distinct transfers (both sides merged), {cleaned['cards']:,} cards.",
        f"Embedded FalkorDB over its unix socket; an empty graph per run; medians of {len(ours)} runs; "
        f"machine load average at the end {load[0]:.1f} on {os.cpu_count()} cores.", "",
        "| loader | median s | rows/s (input rows) | transfers/s | peak RSS MB (with worker processes) |",
        "|---|---:|---:|---:|---:|",
        f"| pochuan load_files (read, decode, normalise, dedupe, write) | {t_ours:.1f} | {rate_rows:,.0f} | "
        f"{rate_tx:,.0f} | {max(r['rss_mb'] for r in ours)} |",
        f"| falkordb-bulk-insert, same transfers and properties (pre-cleaned CSV, cleaning not timed) | {t_bulk:.1f} "
        f"| – | {rate_bulk:,.0f} | {max(b['rss_mb'] for b in bulk)} |",
        f"| falkordb-bulk-insert, same transfers, only from/to/ts/amount | {t_min:.1f} | – | {rate_min:,.0f} | "
        f"{max(b['rss_mb'] for b in bulk_min)} |",
        *([f"| pochuan row path (POCHUAN_COLUMNAR=0) | {t_row:.1f} | {rows / t_row:,.0f} | "
           f"{row[0]['transfers'] / t_row:,.0f} | {max(r['rss_mb'] for r in row)} |"] if row else []), "",
        f"Ratios (pochuan input rows/s ÷ bulk relationships/s): **{rate_rows / rate_bulk:.2f}** against the same "
        f"properties, **{rate_rows / rate_min:.2f}** against from/to/ts/amount only; by time (bulk s ÷ ours s) "
        f"{t_bulk / t_ours:.2f} and {t_min / t_ours:.2f}."
        + (f" Column path ÷ row path by time: {t_row / t_ours:.1f}x faster." if row else ""),
        f"The same ratio round by round (each round loads ours, then the bulk loader's two runs: a slow or fast "
        f"stretch of the machine counts for all three): {_ratios(ours, bulk, tx)} against the same properties, "
        f"{_ratios(ours, bulk_min, tx)} against from/to/ts/amount only.",
        f"Target: >= 100,000 rows/s and >= 0.8 of the bulk loader. Runs: ours {_secs(ours)} s; bulk {_secs(bulk)} s; "
        f"bulk minimal {_secs(bulk_min)} s" + (f"; row path {_secs(row)} s." if row else "."),
    ]
    if alone:
        lines += ["", "Memory as files grow: each file loaded alone (the loader process: one file needs no "
                  "worker process; the server is another process).", "", "| file | rows | s | peak RSS MB |", "|---|---:|---:|---:|",
                  *[f"| {x['file']} | {x['rows']:,} | {x['seconds']:.1f} | {x['rss_mb']} |" for x in alone]]
    text = "\n".join(lines) + "\n"
    print(text)
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child-ours":
        print(json.dumps(child_ours(sys.argv[2], sys.argv[3], sys.argv[4:])))
    elif len(sys.argv) > 1 and sys.argv[1] == "--child-bulk":
        print(json.dumps(child_bulk(*sys.argv[2:6])))
    else:
        main()
