"""Web API under load: 20 concurrent clients searching and expanding on the medium demo case.

    .venv/bin/python bench/bench_web.py [--size medium] [--clients 20] [--seconds 20] [--runs 3]

Serves the app the way `make run` does (gunicorn 'web:create_app()', 3 workers x 4 threads) on 127.0.0.1,
loads the demo case once into bench/out/web-data (generated with loaders.demo, loaded with
loaders.load_files), then runs N clients, each its own logged-in session (a Python thread with
requests; closed loop: a client sends its next request when the previous one answered). Latency is
measured at the client. Baseline in the same run: GET /api/cases (no graph query). Reports p50/p95/p99
per endpoint, the median over runs, and writes bench/RESULTS-web.md.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "bench" / "out"
PASSWORD = "bench-password-1"


def _free_port() -> int:
    """Return a free TCP port on 127.0.0.1."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare(data: Path, size: str) -> tuple[str, dict]:
    """Generate and load the demo case once; return its case number and truth."""
    from graphsvc.settings import load_settings
    from graphsvc.stats import case_stats
    from graphsvc.store import open_store
    from loaders.demo import generate

    demo = OUT / f"demo-{size}"
    if not (demo / "truth.json").exists():
        print(f"generating the {size} demo case in {demo} ...", file=sys.stderr)
        generate(demo, size, 1)
    truth = json.loads((demo / "truth.json").read_text(encoding="utf-8"))
    case = truth["case"]
    cfg = {**load_settings(), "POCHUAN_DATA": str(data), "POCHUAN_GRAPH_URL": ""}
    store = open_store(cfg)
    try:
        if case_stats(store, case)["cards"] == 0:
            import loaders

            t0 = time.time()
            files = [demo / f["file"] for f in truth["files"]]
            print(f"loading {len(files)} files into {case} ...", file=sys.stderr)
            kinds = {}
            for f in truth["files"]:
                kinds.setdefault(f.get("kind"), []).append(demo / f["file"])
            for kind, paths in kinds.items():
                loaders.load_files(store, case, paths, kind=kind, data_dir=data, user="bench")
            print(f"loaded in {time.time() - t0:.0f} s", file=sys.stderr)
        stats = case_stats(store, case)
    finally:
        store.close()
    truth["_stats"] = stats
    return case, truth


def sample_keys(truth: dict) -> dict:
    """Pick search texts and entities to expand: planted gang members and innocent cards."""
    cards, persons = [], []
    for g in truth.get("gangs", []):
        for m in g.get("members", []):
            (cards if m["type"] == "card" else persons if m["type"] == "person" else []).append(m["key"])
    cards += truth.get("innocent", {}).get("cards", [])[:200]
    persons += truth.get("innocent", {}).get("persons", [])[:200]
    searches = cards[:300] + [c[:10] for c in cards[:100]] + persons[:200]
    expand = [("card", c) for c in cards[:400]] + [("person", p) for p in persons[:200]]
    return {"searches": searches, "expand": expand}


def serve(data: Path, port: int) -> subprocess.Popen:
    """Start gunicorn like `make run` and wait until it answers."""
    env = {**os.environ, "POCHUAN_DATA": str(data)}
    proc = subprocess.Popen([str(ROOT / ".venv" / "bin" / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "3",
                             "--threads", "4", "--timeout", "120", "--log-level", "warning", "web:create_app()"],
                            cwd=ROOT, env=env, start_new_session=True)
    import requests

    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/login", timeout=10).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit("gunicorn did not start within 120 s")


def session(base: str, user: str):
    """Return a logged-in requests session and its CSRF token."""
    import requests

    s = requests.Session()
    html = s.get(base + "/login").text
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    r = s.post(base + "/login", data={"name": user, "password": PASSWORD, "csrf_token": token}, allow_redirects=False)
    assert r.status_code == 302, r.text[:200]
    return s


def client(base: str, user: str, case: str, keys: dict, until: float, out: dict, seed: int, warm: float) -> None:
    """One closed-loop client: search, expand, list cases, recording latencies (ms) after the warm-up."""
    rnd = random.Random(seed)
    s = session(base, user)
    api = f"{base}/api/cases/{case}"
    while time.time() < until:
        roll = rnd.random()
        if roll < 0.45:
            name, url = "search", f"{api}/search?q={rnd.choice(keys['searches'])}"
        elif roll < 0.9:
            t, k = rnd.choice(keys["expand"])
            name, url = "neighbourhood", f"{api}/neighbourhood?type={t}&key={k}"
        else:
            name, url = "baseline /api/cases", f"{base}/api/cases"
        t0 = time.perf_counter()
        r = s.get(url, timeout=60)
        ms = (time.perf_counter() - t0) * 1000
        if time.time() < warm:
            continue
        out.setdefault(name, []).append(ms)
        if r.status_code != 200:
            out.setdefault("errors", []).append(f"{r.status_code} {url}")


def pct(xs: list[float], p: float) -> float:
    """Return the p-th percentile (nearest rank)."""
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))] if xs else float("nan")


def run_once(base, users, case, keys, seconds) -> dict:
    """Run every client for `seconds` (plus 2 s warm-up) and return latencies per endpoint."""
    start = time.time()
    warm, until = start + 2, start + 2 + seconds
    results = [dict() for _ in users]
    threads = [threading.Thread(target=client, args=(base, u, case, keys, until, results[i], i, warm))
               for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    merged: dict[str, list] = {}
    for r in results:
        for k, v in r.items():
            merged.setdefault(k, []).extend(v)
    return merged


WRK_LUA = """
local paths = {%s}
local n = 0
init = function(args) math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) %% 100000) end
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%.2f %%.2f %%.2f %%d\\n", summary.requests, latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000, e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def run_wrk(base, user, case, keys, seconds, clients) -> dict:
    """Run wrk (C, one event loop per thread): search and neighbourhood at once, half of the connections each."""
    s = session(base, user)
    cookie = "; ".join(f"{c.name}={c.value}" for c in s.cookies)
    api = f"/api/cases/{case}"
    urls = {"search": [f"{api}/search?q={q}" for q in keys["searches"]],
            "neighbourhood": [f"{api}/neighbourhood?type={t}&key={k}" for t, k in keys["expand"]]}
    procs = {}
    for name, paths in urls.items():
        script = OUT / f"wrk-{name}.lua"
        script.write_text(WRK_LUA % ", ".join(json.dumps(p) for p in paths), encoding="utf-8")
        procs[name] = subprocess.Popen(["wrk", "-t1", f"-c{clients // 2}", f"-d{seconds}s", "--timeout", "10s",
                                        "-H", f"Cookie: {cookie}", "-s", str(script), base],
                                       stdout=subprocess.PIPE, text=True)
    out = {}
    for name, p in procs.items():
        text, _ = p.communicate()
        m = re.search(r"RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)", text)
        if not m:
            raise SystemExit(f"wrk gave no result for {name}:\n{text}")
        n, p50, p95, p99, errors = m.groups()
        out[name] = {"n": int(n), "p50": float(p50), "p95": float(p95), "p99": float(p99), "errors": int(errors)}
    return out


def main() -> None:
    """Prepare, serve, load the API, report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", default="medium")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(ROOT / "bench" / "RESULTS-web.md"))
    ap.add_argument("--keep-store", action="store_true", help="leave the embedded FalkorDB running afterwards")
    ap.add_argument("--tool", choices=("python", "wrk"), default="python",
                    help="load generator: Python threads with requests (default) or wrk (apt-get install wrk)")
    args = ap.parse_args()
    data = OUT / f"web-data-{args.size}"
    data.mkdir(parents=True, exist_ok=True)
    from graphsvc.embedded import EmbeddedServer

    was_running = EmbeddedServer(data).status().get("running")
    case, truth = prepare(data, args.size)
    keys = sample_keys(truth)
    from web import users as U

    names = [f"bench{i}" for i in range(args.clients)]
    for n in names:
        if not U.user_exists(data, n):
            U.add_user(data, n, "investigator", PASSWORD, cases=[case])
    port = _free_port()
    proc = serve(data, port)
    base = f"http://127.0.0.1:{port}"
    runs = []
    try:
        single = run_once(base, names[:1], case, keys, 10)  # service time without queueing
        single = {k: {"n": len(v), "p50": pct(v, 50), "p95": pct(v, 95)} for k, v in single.items() if k != "errors"}
        print("1 client: " + "; ".join(f"{k} p50={v['p50']:.1f} p95={v['p95']:.1f} ms" for k, v in single.items()),
              file=sys.stderr)
        for i in range(args.runs):
            load_before = os.getloadavg()[0]
            if args.tool == "wrk":
                summary = run_wrk(base, names[0], case, keys, args.seconds, args.clients)
                errors = sum(v.pop("errors") for v in summary.values())
                lat = {}
            else:
                lat = run_once(base, names, case, keys, args.seconds)
                summary = {k: {"n": len(v), "p50": pct(v, 50), "p95": pct(v, 95), "p99": pct(v, 99)}
                           for k, v in lat.items() if k != "errors"}
                errors = len(lat.get("errors", []))
            summary["errors"] = errors
            summary["load"] = (load_before, os.getloadavg()[0])
            if lat.get("errors"):
                print("errors, first:", lat["errors"][:3], file=sys.stderr)
            runs.append(summary)
            print(f"run {i + 1}: " + "; ".join(f"{k} n={v['n']} p50={v['p50']:.1f} p95={v['p95']:.1f} ms"
                                                for k, v in summary.items() if k not in ("errors", "load")) +
                  f"; load average {summary['load'][0]:.1f} -> {summary['load'][1]:.1f}", file=sys.stderr)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
        if not was_running and not args.keep_store:
            EmbeddedServer(data).stop()  # the store this run started
    report(args, case, truth, runs, single)


def report(args, case: str, truth: dict, runs: list[dict], single: dict) -> None:
    """Write the medians over runs to the results file and print them."""
    names = [k for k in runs[0] if k not in ("errors", "load")]
    med = {k: {m: statistics.median(r[k][m] for r in runs) for m in ("p50", "p95", "p99")} for k in names}
    rps = {k: statistics.median(r[k]["n"] for r in runs) / args.seconds for k in names}
    base95 = med.get("baseline /api/cases", {}).get("p95") or float("nan")
    how = ("closed loop, Python threads with requests, each client its own session" if args.tool == "python" else
           f"wrk: {args.clients // 2} connections on search and {args.clients // 2} on neighbourhood at the same time, "
           "one session")
    lines = [
        f"## Load generator: {args.tool}", "",
        f"{datetime.now():%Y-%m-%d %H:%M}, case {case} ({args.size}: {truth['_stats'].get('cards', '?'):,} cards, "
        f"{truth['_stats'].get('transfers', '?'):,} transfers), {args.clients} concurrent clients ({how}), "
        f"gunicorn 3 workers x 4 threads on 127.0.0.1 (as `make run`), embedded FalkorDB; {args.runs} runs of "
        f"{args.seconds} s; medians over the runs. The machine has 2 cores shared with other work: load generator, "
        "gunicorn and FalkorDB all run on them.", "",
        "| endpoint | requests/s | p50 ms | p95 ms | p99 ms | p95 / baseline p95 |", "|---|---|---|---|---|---|"]
    for k in names:
        ratio = med[k]["p95"] / base95 if base95 == base95 else None
        lines.append(f"| {k} | {rps[k]:.0f} | {med[k]['p50']:.1f} | {med[k]['p95']:.1f} | {med[k]['p99']:.1f} | "
                     f"{'-' if ratio is None else f'{ratio:.1f}'} |")
    lines += ["", "One client alone (service time, no queueing), 10 s: " + "; ".join(
        f"{k} p50 {v['p50']:.1f} ms, p95 {v['p95']:.1f} ms" for k, v in single.items()) + ".",
        "", "Load average (1 min) before -> after each run, on 2 cores: " + "; ".join(
        f"{r['load'][0]:.1f} -> {r['load'][1]:.1f}" for r in runs) + ".",
        "", f"Target: search and neighbourhood p95 <= 100 ms. Errors (non-200): "
        f"{sum(r['errors'] for r in runs)}.", "",
              "Per run (p95 ms): " + "; ".join(", ".join(f"{k} {r[k]['p95']:.0f}" for k in names) for r in runs), ""]
    section = "\n".join(lines)
    out = Path(args.out)
    old = out.read_text(encoding="utf-8") if out.exists() else ""
    parts = re.split(r"(?m)^(?=## Load generator: )", old)
    head = parts[0] if parts and not parts[0].startswith("## ") else ""
    head = head if head.startswith("# Web API") else "# Web API under load (bench/bench_web.py)\n\n"
    kept = [p for p in parts if p.startswith("## Load generator: ") and not p.startswith(f"## Load generator: {args.tool}\n")]
    out.write_text(head + "".join(sorted(kept + [section + "\n\n"])), encoding="utf-8")
    print(section)


if __name__ == "__main__":
    main()
