"""Fixtures: one real embedded FalkorDB for the session, a fresh graph for every test."""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from graphsvc.embedded import EmbeddedServer
from graphsvc.settings import load_settings
from graphsvc.store import close_stores, open_store

ROOT = Path(__file__).resolve().parent.parent
DATASETS = Path(os.environ.get("POCHUAN_DATASETS") or ROOT.parent / "shared" / "datasets")


def require_dataset(name: str) -> Path:
    """Return a shared dataset's folder, or skip the test saying where it was looked for."""
    folder = DATASETS / name
    if not folder.is_dir():
        pytest.skip(f"shared dataset {name} not found at {folder} (set POCHUAN_DATASETS to its parent folder)")
    return folder
ARTIFACTS = ROOT / "test-artifacts"
_graph_ids = itertools.count()


@pytest.fixture(scope="session")
def data_root(tmp_path_factory):
    """A data folder with one embedded server shared by the whole session, stopped at the end."""
    root = tmp_path_factory.mktemp("pochuan-data")
    server = EmbeddedServer(root)
    server.ensure()
    yield root
    close_stores()
    server.stop()


@pytest.fixture
def settings(data_root):
    """Settings of a test: the session's data folder and a graph of its own."""
    cfg = load_settings({})
    cfg.update(POCHUAN_DATA=str(data_root), POCHUAN_GRAPH_NAME=f"test{os.getpid()}_{next(_graph_ids)}",
               POCHUAN_SECRET_KEY="test-secret")
    return cfg


@pytest.fixture
def store(settings):
    """A real store on a fresh graph of its own, kept until the session's server stops: FalkorDB 4.16.3 frees a
    deleted graph on another thread, and with a GRAPH.DELETE after every test two of this session's five full
    runs crashed the shared server (SIGSEGV in TagIndex_Free / RM_Free, redis.log); the folder is discarded."""
    s = open_store(settings)
    yield s
    s.close()


@pytest.fixture
def app(settings):
    """The web app on the test's graph."""
    from web import create_app

    return create_app({**settings, "TESTING": True})


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner bound to the app, like `pochuan ...`."""
    from web.cli import cli

    class Runner:
        def invoke(self, args, **kw):
            from flask.cli import ScriptInfo

            return app.test_cli_runner().invoke(cli, args, obj=ScriptInfo(create_app=lambda: app), **kw)

    return Runner()


@pytest.fixture(scope="session")
def artifacts():
    """Folder for screenshots and exports a person can look at after the run."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
