"""The one interface to the graph: named statements from cypher/, values only as parameters.

Backends: embedded FalkorDB (default), an existing FalkorDB (redis://), Neo4j 5 (bolt://, neo4j://).
Every read is capped in rows and time; results are plain dicts and lists.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from .cypher import Library, Statement
from .embedded import EmbeddedServer
from .errors import CypherLibraryError, QueryError, StoreUnavailable
from .pairset import PairSet, pair_set_key
from .settings import ROOT, load_settings

__all__ = ["Result", "Store", "FalkorStore", "Neo4jStore", "open_store", "get_store", "close_stores", "pair_set_key",
           "process_gone"]


@dataclass
class Result:
    """Rows of a query, capped: `truncated` says rows were left off."""

    rows: list[dict]
    truncated: bool = False
    stats: dict = field(default_factory=dict)

    def one(self) -> dict:
        """Return the first row, or an empty dict."""
        return self.rows[0] if self.rows else {}

    def value(self, default=None):
        """Return the first column of the first row."""
        return next(iter(self.rows[0].values())) if self.rows else default


class Store:
    """Base of the backends; everything else in pochuan talks to this."""

    backend = "?"

    def __init__(self, library: Library, max_rows: int, timeout_ms: int):
        self.library = library
        self.max_rows = max_rows
        self.timeout_ms = timeout_ms
        library.check(self.backend)

    def statement(self, name: str) -> Statement:
        """Return the text of a statement for this backend."""
        return self.library.get(name, self.backend)

    def _checked(self, name: str, params: dict) -> Statement:
        """Return the statement after checking the caller passed exactly its parameters."""
        st = self.statement(name)
        if set(params) != st.params:
            raise CypherLibraryError(f"cypher/{name}: parameters {sorted(params)} given, {sorted(st.params)} declared",
                                     "pass exactly the declared parameters")
        return st

    def read(self, name: str, max_rows: int | None = None, timeout_ms: int | None = None, **params) -> Result:
        """Run a read statement with a row cap and a time limit."""
        st = self._checked(name, params)
        cap = max_rows or self.max_rows
        rows = self._run(st, params, read=True, timeout_ms=timeout_ms or self.timeout_ms)
        return Result(rows[:cap], truncated=len(rows) > cap)

    def write(self, name: str, **params) -> Result:
        """Run a write statement and return its rows and counters."""
        st = self._checked(name, params)
        return self._run_write(st, params)

    def ensure_schema(self) -> None:
        """Create every index and constraint the lookups need; safe to repeat."""
        raise NotImplementedError

    def info(self) -> dict:
        """Return backend name, where it is, and node and relationship counts."""
        counts = self.read("store_counts").one()
        return {"backend": self.backend, "where": self.where(), **counts}

    def where(self) -> str:
        """Return a human description of the store's location (no password)."""
        raise NotImplementedError

    def close(self) -> None:
        """Release connections."""

    def appending(self):
        """Return a context in which a loader appends in bulk (nothing to relax here)."""
        return nullcontext()


def _plain(value):
    """Turn driver objects (nodes, edges, paths) into plain dicts and lists."""
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    props = getattr(value, "properties", None)
    if isinstance(props, dict):  # FalkorDB Node / Edge
        out = {k: _plain(v) for k, v in props.items()}
        labels = getattr(value, "labels", None)
        if labels:
            out["_labels"] = list(labels)
        if getattr(value, "relation", None):
            out["_type"] = value.relation
        return out
    nodes = getattr(value, "nodes", None)
    if callable(nodes):  # FalkorDB Path
        return {"nodes": [_plain(n) for n in value.nodes()], "edges": [_plain(e) for e in value.edges()]}
    return str(value)


class FalkorStore(Store):
    """FalkorDB over a unix socket (embedded) or redis:// URL; the falkordb client, not Bolt."""

    backend = "falkordb"

    def __init__(self, library: Library, *, graph: str, max_rows: int, timeout_ms: int,
                 socket_path: str | None = None, url: str | None = None, embedded: EmbeddedServer | None = None):
        super().__init__(library, max_rows, timeout_ms)
        import falkordb
        import redis

        self._redis_errors = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)
        self.embedded = embedded
        self._url = url
        try:
            if socket_path:
                self.db = falkordb.FalkorDB(unix_socket_path=str(socket_path))
            else:
                self.db = falkordb.FalkorDB.from_url(url)
            self.db.connection.ping()
            self.db.connection.execute_command("GRAPH.LIST")
        except redis.exceptions.ResponseError:
            raise StoreUnavailable(f"the server at {self.where()} answers but is not FalkorDB (no GRAPH commands)",
                                   "point POCHUAN_GRAPH_URL at a FalkorDB server, or free the socket/port") from None
        except self._redis_errors as e:
            raise StoreUnavailable(f"cannot reach FalkorDB at {self.where()}: {e}",
                                   "check POCHUAN_GRAPH_URL, or leave it empty for the embedded store") from None
        except redis.exceptions.AuthenticationError:
            raise StoreUnavailable(f"FalkorDB at {self.where()} refused the password",
                                   "put the right password in POCHUAN_GRAPH_URL (redis://:PASSWORD@host:port)") from None
        self.graph = self.db.select_graph(graph)
        self.graph_name = graph
        self._bytes = None

    @property
    def bytes_client(self):
        """A client of the same server that returns bytes, not text (binary values: the pair index)."""
        if self._bytes is None:
            import redis

            pool = self.db.connection.connection_pool
            kw = {**pool.connection_kwargs, "decode_responses": False}
            self._bytes = redis.Redis(connection_pool=redis.ConnectionPool(connection_class=pool.connection_class, **kw))
        return self._bytes

    @property
    def pairs(self) -> PairSet:
        """The loader's pair filter of this graph (graphsvc.pairset)."""
        return PairSet(self.bytes_client, self.graph_name)

    def where(self) -> str:
        """Return the socket path or the URL without password."""
        if self.embedded:
            return str(self.embedded.socket)
        u = urlparse(self._url or "")
        return f"{u.scheme}://{u.hostname}:{u.port or 6379}"

    def _run(self, st: Statement, params: dict, read: bool, timeout_ms: int) -> list[dict]:
        """Run a statement and return its rows as dicts."""
        import redis

        try:
            run = self.graph.ro_query if read else self.graph.query
            res = run(st.text, params, timeout=timeout_ms)
        except self._redis_errors as e:
            raise StoreUnavailable(f"lost the connection to FalkorDB at {self.where()}: {e}",
                                   "check the server runs (`pochuan db status`)") from None
        except redis.exceptions.ResponseError as e:
            if "empty key" in str(e) or "Invalid graph operation on empty key" in str(e):
                return []
            raise QueryError(f"cypher/{st.name} failed on FalkorDB: {e}", "report this with the statement name") from None
        names = [h[1] if isinstance(h, (list, tuple)) else h for h in (res.header or [])]
        names = [n.decode() if isinstance(n, bytes) else n for n in names]
        return [dict(zip(names, (_plain(v) for v in row))) for row in res.result_set]

    def _run_write(self, st: Statement, params: dict) -> Result:
        """Run a write statement and return its rows and counters."""
        import redis

        try:
            res = self.graph.query(st.text, params)
        except self._redis_errors as e:
            raise StoreUnavailable(f"lost the connection to FalkorDB at {self.where()}: {e}",
                                   "check the server runs (`pochuan db status`)") from None
        except redis.exceptions.ResponseError as e:
            raise QueryError(f"cypher/{st.name} failed on FalkorDB: {e}", "report this with the statement name") from None
        names = [h[1] if isinstance(h, (list, tuple)) else h for h in (res.header or [])]
        rows = [dict(zip(names, (_plain(v) for v in row))) for row in res.result_set]
        stats = {"nodes_created": res.nodes_created, "relationships_created": res.relationships_created,
                 "properties_set": res.properties_set}
        return Result(rows, stats=stats)

    def execute_raw(self, *args):
        """Send a raw FalkorDB command (GRAPH.CONSTRAINT, GRAPH.DELETE); for schema and tests only."""
        return self.db.connection.execute_command(*args)

    def bulk_insert(self, nodes: int, edges: int, node_tokens: list, edge_tokens: list) -> None:
        """Append nodes and relationships to the graph through GRAPH.BULK (the bulk loader's binary format; payloads
        as any bytes-like object: bytes, bytearray, a numpy byte array).

        Without BEGIN, GRAPH.BULK appends to an existing graph and relationships name their end
        nodes by internal id; indexes are kept up to date and the command goes to the AOF.
        """
        import redis

        pool = self.db.connection.connection_pool
        conn = pool.get_connection()
        try:  # sent as it is: packed by the client, each payload was copied once more (~0.45 s of a large load)
            conn.send_packed_command(_bulk_command(self.graph_name, nodes, edges, node_tokens, edge_tokens))
            conn.read_response()  # and not sent again on a lost connection (the client's retry): it appends
        except self._redis_errors as e:
            conn.disconnect()
            raise StoreUnavailable(f"lost the connection to FalkorDB at {self.where()}: {e}",
                                   "check the server runs (`pochuan db status`)") from None
        except redis.exceptions.ResponseError as e:
            raise QueryError(f"GRAPH.BULK failed on FalkorDB: {e}", "report this with the file loaded") from None
        except BaseException:  # interrupted halfway: the connection may hold half a command or an unread reply
            conn.disconnect()
            raise
        finally:
            pool.release(conn)

    def pair_key(self) -> str:
        """Return the Redis key of the marker of this graph's pair index (the loader's dedupe; deleting it forces a rebuild)."""
        return pair_set_key(self.graph_name)

    @contextmanager
    def appending(self):
        """Let the embedded server skip its per-write fsync while a loader appends in bulk: it runs with
        appendfsync always (every acknowledged write on disk), which costs a large load ~1.5 s on the server's
        one writing thread; under `no` each write still reaches the AOF file before its reply (a server crash
        loses nothing acknowledged), the disk sync comes from the kernel, and from the next write once the load
        sets `always` back. A server of the user's (redis:// URL) keeps its own settings."""
        if self.embedded is None:
            yield
            return
        import redis

        conn = self.db.connection
        conn.config_set("appendfsync", "no")
        try:
            yield
        finally:
            try:
                conn.config_set("appendfsync", "always")
            except redis.exceptions.RedisError:  # the server is gone: it starts again with `always`
                pass

    @contextmanager
    def write_lock(self, ttl: int = 30):
        """Hold the graph's loader lock: loaders check what is stored, then append with GRAPH.BULK, so two
        at once could append the same entity or transfer twice. A holder that died frees it: at once when
        it was a process of this machine, else when its ttl (renewed while held) runs out."""
        import socket
        import time
        import uuid

        from redis.exceptions import LockError

        r = self.db.connection
        lock = r.lock(f"pochuan:lock:{self.graph_name}", timeout=ttl, thread_local=False)
        token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"
        while not lock.acquire(blocking=False, token=token):
            holder = r.get(lock.name)
            if holder is not None and _dead_here(holder.decode() if isinstance(holder, bytes) else holder):
                r.eval(_DEL_IF, 1, lock.name, holder)  # only if that dead holder still has it
            time.sleep(0.1)
        stop = threading.Event()

        def renew():
            while not stop.wait(ttl / 3):
                try:
                    lock.reacquire()
                except LockError:  # lost after a stall past the ttl: the release below says nothing either
                    return

        keeper = threading.Thread(target=renew, name="pochuan-lock", daemon=True)
        keeper.start()
        try:
            yield
        finally:
            stop.set()
            keeper.join()
            try:
                lock.release()
            except LockError:  # it expired (the process stalled past its ttl): nothing of ours to free
                pass

    def drop_graph(self) -> None:
        """Delete the graph and the loader's index of its pair keys (tests, benchmarks)."""
        import redis

        try:
            self.execute_raw("GRAPH.DELETE", self.graph_name)
        except redis.exceptions.ResponseError:  # no such graph
            pass
        self.pairs_clear()

    def reset(self) -> None:
        """Empty the graph: drop it and its pair set, then recreate its indexes and constraints (benchmarks, tests)."""
        self.drop_graph()
        self.ensure_schema()

    def pairs_known(self, pairs: list[str]) -> list[bool]:
        """Return, for each pair key, whether a transfer with it may already be stored (graphsvc.pairset)."""
        return self.pairs.known(pairs)

    def pairs_add(self, pairs: list[str]) -> None:
        """Record pair keys as stored (before the transfers are written: a crash in between only costs a lookup)."""
        self.pairs.add(pairs)

    def pairs_ready(self) -> bool:
        """Return True when the pair index is complete, or the graph holds no transfer it would have to list."""
        if self.pairs.ready():
            return True
        return not self.read("load_transfer_any").rows

    def pairs_clear(self) -> None:
        """Forget every pair key (the graph is dropped, or its index rebuilt from it)."""
        self.pairs.clear()

    def ensure_schema(self) -> None:
        """Run every cypher/schema_* statement, then a unique constraint per label key; safe to repeat."""
        import redis

        from .model import LABELS

        for name in self.library.schema_names():
            try:
                self.graph.query(self.statement(name).text)
            except redis.exceptions.ResponseError as e:
                if "already indexed" not in str(e):
                    raise QueryError(f"cypher/{name} failed: {e}") from None
        for label in LABELS:  # needs the key index created above
            try:
                self.execute_raw("GRAPH.CONSTRAINT", "CREATE", self.graph_name, "UNIQUE", "NODE", label,
                                 "PROPERTIES", "1", "key")
            except redis.exceptions.ResponseError as e:
                if "already exists" not in str(e).lower():
                    raise QueryError(f"cannot create the unique constraint on {label}.key: {e}") from None

    def close(self) -> None:
        """Close the connection pools."""
        for client in (self.db.connection, self._bytes):
            try:
                if client is not None:
                    client.close()
            except Exception:  # closing a dead connection is not worth reporting
                pass


class Neo4jStore(Store):
    """Neo4j 5 through the official driver: one Driver per process, reads routed as reads."""

    backend = "neo4j"

    def write_lock(self, ttl: int = 30):
        """No lock on Neo4j: its loader finds, then creates, transfers in separate statements, so two loads
        of the same rows at the same moment could both create one (run loads one at a time there)."""
        return nullcontext()

    def __init__(self, library: Library, *, url: str, user: str, password: str, database: str,
                 max_rows: int, timeout_ms: int):
        super().__init__(library, max_rows, timeout_ms)
        import neo4j
        from neo4j import exceptions as nx

        u = urlparse(url)
        user = unquote(u.username) if u.username else user
        password = unquote(u.password) if u.password else password
        netloc = u.hostname + (f":{u.port}" if u.port else "")
        self._url = f"{u.scheme}://{netloc}"
        self.database = database
        self._neo4j = neo4j
        try:
            self.driver = neo4j.GraphDatabase.driver(self._url, auth=(user, password))
            self.driver.verify_connectivity()
        except nx.AuthError:
            raise StoreUnavailable(f"Neo4j at {self._url} refused user {user!r}",
                                   "set NEO4J_USER / NEO4J_PASSWORD or put them in POCHUAN_GRAPH_URL") from None
        except (nx.ServiceUnavailable, OSError, ValueError) as e:
            raise StoreUnavailable(f"cannot reach Neo4j at {self._url}: {e}",
                                   "check the server runs and the URL (bolt://host:7687 or neo4j://host:7687)") from None

    def where(self) -> str:
        """Return the URL without credentials and the database."""
        return f"{self._url} database={self.database}"

    def _run(self, st: Statement, params: dict, read: bool, timeout_ms: int) -> list[dict]:
        """Run a statement in a session routed as read or write."""
        from neo4j import exceptions as nx

        mode = self._neo4j.READ_ACCESS if read else self._neo4j.WRITE_ACCESS
        try:
            with self.driver.session(database=self.database, default_access_mode=mode) as s:
                q = self._neo4j.Query(st.text, timeout=timeout_ms / 1000)
                return [r.data() for r in s.run(q, params)]
        except nx.ServiceUnavailable as e:
            raise StoreUnavailable(f"lost Neo4j at {self._url}: {e}", "check the server runs") from None
        except nx.Neo4jError as e:
            raise QueryError(f"cypher/{st.name} failed on Neo4j: {e.message}", "report this with the statement name") from None

    def _run_write(self, st: Statement, params: dict) -> Result:
        """Run a write statement in a write transaction."""
        return Result(self._write_rows(st, params))

    def _write_rows(self, st: Statement, params: dict) -> list[dict]:
        """Run a write statement with execute_write so it retries on transient errors."""
        from neo4j import exceptions as nx

        def work(tx):
            return [r.data() for r in tx.run(st.text, params)]

        try:
            with self.driver.session(database=self.database) as s:
                return s.execute_write(work)
        except nx.ServiceUnavailable as e:
            raise StoreUnavailable(f"lost Neo4j at {self._url}: {e}", "check the server runs") from None
        except nx.Neo4jError as e:
            raise QueryError(f"cypher/{st.name} failed on Neo4j: {e.message}") from None

    def ensure_schema(self) -> None:
        """Run every cypher/schema_* statement meant for Neo4j (key constraints and extra indexes)."""
        with self.driver.session(database=self.database) as s:
            for name in self.library.schema_names():
                s.run(self.statement(name).text)

    def close(self) -> None:
        """Close the driver."""
        self.driver.close()


_DEL_IF = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"


def process_gone(pid: int) -> bool:
    """Return True when no process of this machine has this pid (one of another user's counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _dead_here(holder: str) -> bool:
    """Return True when a lock holder ("host:pid:token") is a process of this machine that no longer runs."""
    import socket

    host, _, rest = holder.partition(":")
    pid = rest.partition(":")[0]
    return host == socket.gethostname() and pid.isdigit() and process_gone(int(pid))


def open_store(settings: dict | None = None, library: Library | None = None) -> Store:
    """Open the store named by POCHUAN_GRAPH_URL (embedded FalkorDB when empty)."""
    cfg = load_settings() if settings is None else settings
    lib = library or Library(ROOT / "cypher")
    url = (cfg.get("POCHUAN_GRAPH_URL") or "").strip()
    common = dict(max_rows=int(cfg["POCHUAN_MAX_ROWS"]), timeout_ms=int(cfg["POCHUAN_QUERY_TIMEOUT_MS"]))
    scheme = urlparse(url).scheme if url else ""
    if not url:
        server = EmbeddedServer(cfg["POCHUAN_DATA"])
        sock = server.ensure()
        store = FalkorStore(lib, graph=cfg["POCHUAN_GRAPH_NAME"], socket_path=str(sock), embedded=server, **common)
    elif scheme in ("redis", "rediss", "unix"):
        store = FalkorStore(lib, graph=cfg["POCHUAN_GRAPH_NAME"], url=url, **common)
    elif scheme in ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"):
        store = Neo4jStore(lib, url=url, user=cfg["NEO4J_USER"], password=cfg["NEO4J_PASSWORD"],
                           database=cfg["NEO4J_DATABASE"], **common)
    else:
        raise StoreUnavailable(f"POCHUAN_GRAPH_URL scheme {scheme!r} is not supported",
                               "use bolt://, neo4j://, neo4j+s://, redis:// or rediss://, or leave it empty")
    store.ensure_schema()
    return store


_stores: dict[tuple, Store] = {}
_lock = threading.Lock()


def get_store(settings: dict | None = None) -> Store:
    """Return this process's store for these settings, opening it once (one driver per process)."""
    cfg = load_settings() if settings is None else settings
    key = (os.getpid(), str(Path(cfg["POCHUAN_DATA"]).resolve()), cfg.get("POCHUAN_GRAPH_URL") or "",
           cfg.get("POCHUAN_GRAPH_NAME"))
    with _lock:
        if key not in _stores:
            _stores[key] = open_store(cfg)
        return _stores[key]


def close_stores() -> None:
    """Close every store this process opened."""
    with _lock:
        for s in _stores.values():
            s.close()
        _stores.clear()


def _bulk_command(graph: str, nodes: int, edges: int, node_tokens: list, edge_tokens: list) -> list:
    """Return GRAPH.BULK in the Redis protocol as pieces to send one after the other: the payloads themselves, not
    copies."""
    head = [b"GRAPH.BULK", graph.encode(), *(b"%d" % n for n in (nodes, edges, len(node_tokens), len(edge_tokens)))]
    tokens = [*node_tokens, *edge_tokens]
    out = [b"*%d\r\n" % (len(head) + len(tokens)) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in head)]
    for i, t in enumerate(tokens):
        out += [(b"\r\n" if i else b"") + b"$%d\r\n" % memoryview(t).nbytes, t]
    if tokens:
        out.append(b"\r\n")
    return out
