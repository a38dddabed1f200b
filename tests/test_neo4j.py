"""The same service on a real Neo4j 5 server: runs when NEO4J_URI is set, skipped otherwise."""
from __future__ import annotations

import os

import pytest

from graphsvc.settings import load_settings
from graphsvc.stats import case_stats, ensure_case
from graphsvc.store import open_store

pytestmark = [pytest.mark.neo4j,
              pytest.mark.skipif(not os.environ.get("NEO4J_URI"),
                                 reason="NEO4J_URI is not set: no Neo4j server to test against "
                                        "(none can be installed from this machine's registries)")]


@pytest.fixture
def neo4j_store():
    cfg = load_settings()
    cfg["POCHUAN_GRAPH_URL"] = os.environ["NEO4J_URI"]
    s = open_store(cfg)
    yield s
    s.close()


def test_schema_and_counts(neo4j_store):
    assert neo4j_store.backend == "neo4j"
    neo4j_store.ensure_schema()  # idempotent
    ensure_case(neo4j_store, "NEO4J-TEST")
    info = neo4j_store.info()
    assert info["nodes"] >= 1
    assert case_stats(neo4j_store, "NEO4J-TEST")["transfers"] >= 0


def test_wrong_password_is_clear():
    from graphsvc.errors import StoreUnavailable

    cfg = load_settings()
    cfg.update(POCHUAN_GRAPH_URL=os.environ["NEO4J_URI"], NEO4J_PASSWORD="definitely-wrong-password")
    if "@" in os.environ["NEO4J_URI"]:
        pytest.skip("the URL carries its own credentials")
    with pytest.raises(StoreUnavailable, match="refused"):
        open_store(cfg)
