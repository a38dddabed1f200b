"""The graph service on the real embedded FalkorDB."""
from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from graphsvc.cypher import Library, parse
from graphsvc.errors import CypherLibraryError, StoreUnavailable
from graphsvc.settings import ROOT
from graphsvc.stats import case_stats, ensure_case
from graphsvc.store import open_store


def test_info_counts_nodes(store):
    before = store.info()
    assert before["backend"] == "falkordb" and before["nodes"] == 0
    ensure_case(store, "TEST-1")
    ensure_case(store, "TEST-1")
    assert store.info()["nodes"] == 1


def test_stats_of_unknown_case_is_zero(store):
    s = case_stats(store, "NOPE")
    for k in ("persons", "cards", "phones", "devices", "transfers", "cash"):
        assert s[k] == 0


def test_schema_is_idempotent(store):
    store.ensure_schema()
    store.ensure_schema()
    rows = store.graph.query("CALL db.indexes() YIELD label RETURN label").result_set
    assert {"Person", "BankCard", "Phone", "Device", "Case", "ImportBatch"} <= {r[0] for r in rows}


def test_read_is_capped(store):
    for i in range(5):
        ensure_case(store, f"C{i}")
    res = store.read("case_list", max_rows=3, limit=10)
    assert len(res.rows) == 3 and res.truncated
    res = store.read("case_list", limit=10)
    assert len(res.rows) == 5 and not res.truncated


def test_wrong_parameters_are_refused(store):
    with pytest.raises(CypherLibraryError):
        store.read("case_list")
    with pytest.raises(CypherLibraryError):
        store.read("case_list", limit=1, extra=2)


def test_every_library_file_parses():
    lib = Library(ROOT / "cypher")
    assert "store_counts" in lib.names()
    lib.check("falkordb")
    lib.check("neo4j")


def test_undeclared_parameter_fails_at_load(tmp_path):
    f = tmp_path / "bad.cypher"
    f.write_text("// params: a\nMATCH (n:Person {key: $a}) WHERE n.x = $b RETURN n\n")
    with pytest.raises(CypherLibraryError, match="undeclared"):
        parse(f)


def test_label_outside_schema_fails_at_load(tmp_path):
    f = tmp_path / "bad.cypher"
    f.write_text("// params: a\nMATCH (n:Hacker {key: $a}) RETURN n.key\n")
    with pytest.raises(CypherLibraryError, match="outside the schema"):
        parse(f)


def test_missing_statement_fails_at_start(tmp_path, settings):
    (tmp_path / "store_counts.cypher").write_text((ROOT / "cypher" / "store_counts.cypher").read_text())
    with pytest.raises(CypherLibraryError, match="lacks statements"):
        open_store(settings, library=Library(tmp_path))


def test_unwritable_data_folder_is_one_clear_line(tmp_path):
    target = tmp_path / "ro"
    target.mkdir()
    target.chmod(0o500)
    from graphsvc.settings import load_settings

    cfg = load_settings({})
    cfg["POCHUAN_DATA"] = str(target / "sub")
    import os

    if os.geteuid() == 0:
        cfg["POCHUAN_DATA"] = "/proc/pochuan-cannot-write"
    with pytest.raises(StoreUnavailable, match="not writable"):
        open_store(cfg)


def test_unreachable_neo4j_is_clear(settings):
    cfg = dict(settings, POCHUAN_GRAPH_URL="bolt://127.0.0.1:1")
    with pytest.raises(StoreUnavailable, match="cannot reach Neo4j"):
        open_store(cfg)


def test_unknown_scheme_is_clear(settings):
    with pytest.raises(StoreUnavailable, match="not supported"):
        open_store(dict(settings, POCHUAN_GRAPH_URL="http://x"))


def test_stats_cli_prints_only_json(runner, store):
    ensure_case(store, "CLI-1")
    res = runner.invoke(["stats", "--case", "CLI-1", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["case"] == "CLI-1" and data["transfers"] == 0


def test_status_page_shows_backend(client, store):
    res = client.get("/status")
    assert res.status_code == 200
    assert "falkordb" in res.get_data(as_text=True)


def test_every_label_key_has_schema_statements_for_both_backends():
    from graphsvc.model import LABELS

    lib = Library(ROOT / "cypher")
    for backend in ("falkordb", "neo4j"):
        texts = [lib.get(n, backend).text for n in lib.schema_names()]
        for label in LABELS:
            assert any(f"(n:{label})" in t and "n.key" in t for t in texts), (label, backend)


def test_pair_keys_read_as_numbers_by_polars_as_by_python():
    """Pair keys become the filter's numbers as before polars read them: hex read as a number (polars), any other
    key as Python reads it (int() takes 0x, + and _) or hashed; from a list or a polars Series alike."""
    import hashlib

    import polars as pl

    from graphsvc.pairset import _ints

    def want(p):
        try:
            if len(p) == 16:
                return int(p, 16)
        except ValueError:
            pass
        return int.from_bytes(hashlib.blake2b(p.encode(), digest_size=8).digest(), "big")

    keys = ["0123456789abcdef", "FFFFFFFFFFFFFFFF", "ffffffffffffffff", "0x23456789abcdef", "+123456789abcdef",
            "1234_6789abcdef0", " 123456789abcdef", "short", "ＡＢ", "0123456789abcdeg", "", "00000000000000000"]
    expected = [want(k) for k in keys]
    assert _ints(keys).tolist() == expected
    assert _ints(pl.Series(keys)).tolist() == expected
    assert _ints(keys[:3]).tolist() == expected[:3]


def test_pair_filter_knows_what_was_added(store):
    """The loader's pair filter: added keys are known (set bit by bit or rewritten whole), others not;
    odd keys are hashed alike; an exact set of an earlier version is not taken as ready."""
    import hashlib

    from graphsvc.pairset import PairSet

    if store.backend != "falkordb":
        pytest.skip("the pair filter exists on FalkorDB only")
    pairs = PairSet(store.bytes_client, store.graph_name)
    keys = [hashlib.blake2b(str(i).encode(), digest_size=8).hexdigest() for i in range(100_000)]
    odd = ["not-hex-at-all!!", "short", "ＡＢ"]
    store.execute_raw("SADD", store.pair_key(), "0123456789abcdef")  # what earlier versions kept
    assert not pairs.ready()
    store.pairs_clear()
    store.pairs_add(keys[:1_000] + odd[:2])  # bit by bit on the server
    store.pairs_add(keys[:10])
    assert pairs.ready()
    store.pairs_add(keys[1_000:50_000])  # the whole filter rewritten
    store.pairs_add(keys[50_000:50_010])
    assert store.pairs_known(keys) == [True] * 50_010 + [False] * 49_990
    assert store.pairs_known(odd) == [True, True, False]
    assert store.pairs_known([]) == []
    held = pairs.hold()  # a load's copy: additions in memory, OR-ed into the stored filter on save
    store.pairs_add(keys[60_000:60_010])  # set on the server after the copy was read: kept by the save
    held.add(keys[70_000:80_000])
    assert held.known(keys[70_000:70_005]) == [True] * 5 and not any(store.pairs_known(keys[70_000:70_100]))
    held.save()
    assert all(store.pairs_known(keys[:50_010] + keys[60_000:60_010] + keys[70_000:80_000]))
    assert sum(store.pairs_known(keys[80_000:])) < 5
    store.pairs_clear()
    assert not pairs.ready()
    assert store.pairs_known(keys[:100] + odd) == [False] * 103
    assert store.execute_raw("KEYS", f"{store.pair_key()}*") == []


def test_bulk_command_is_what_the_redis_client_would_send():
    """GRAPH.BULK goes out in pieces (the payloads themselves, not packed copies): the same bytes as redis-py's."""
    from redis.connection import Connection

    from graphsvc.store import _bulk_command

    for graph, nodes, edges, ntok, etok in (("案件图", 1, 2, [b"ab\x00c\r\n"], [bytearray(b"xyz"), b""]),
                                           ("g", 0, 0, [], []), ("g", 3, 0, [bytes(range(256)) * 50], []),
                                           ("g", 2, 1, [np.frombuffer(b"ab\x00cd", dtype=np.uint8)], [b"e"])):
        sent = b"".join(bytes(p) for p in _bulk_command(graph, nodes, edges, ntok, etok))
        assert sent == b"".join(Connection().pack_command("GRAPH.BULK", graph, nodes, edges, len(ntok), len(etok),
                                                          *[bytes(t) for t in ntok], *etok))


def test_a_refused_bulk_command_is_a_clear_error_and_the_store_goes_on(store, monkeypatch):
    """A GRAPH.BULK the server refuses (here: no such graph) is a QueryError; the connection it went on still
    serves the next commands."""
    if store.backend != "falkordb":
        pytest.skip("FalkorDB only")
    from graphsvc.errors import QueryError
    from loaders.bulk import rows_tokens

    store.write("case_ensure", case="BULK-1", title="t", now="2024-01-01 00:00:00")
    before = store.read("load_node_count").one()["n"]
    token, n = next(rows_tokens(pl.DataFrame({"key": ["A1"]}), "Case", [("key", "key", "str")]))
    with monkeypatch.context() as m:
        m.setattr(store, "graph_name", store.graph_name + "-missing")
        with pytest.raises(QueryError, match="GRAPH.BULK failed.*empty key"):
            store.bulk_insert(n, 0, [token], [])
    for _ in range(5):  # every pooled connection answers
        assert store.read("load_node_count").one()["n"] == before
    store.bulk_insert(n, 0, [token], [])
    assert store.read("load_node_count").one()["n"] == before + 1
