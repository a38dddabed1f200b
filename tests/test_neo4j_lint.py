"""Every cypher/ file meant for Neo4j passes Neo4j's own Cypher language service."""
from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT = ROOT / "tests" / "neo4j_lint.mjs"


def _lint(folder: Path) -> tuple[int, dict]:
    """Run the Node linter on a folder and return its exit code and report."""
    if shutil.which("node") is None or not (ROOT / "node_modules" / "@neo4j-cypher").exists():
        pytest.fail("Neo4j's Cypher linter is not installed: run `make node-deps` (npm ci)")
    proc = subprocess.run(["node", str(LINT), str(folder)], capture_output=True, text=True, cwd=ROOT)
    return proc.returncode, json.loads(proc.stdout)


def test_library_passes_neo4j_linter():
    code, report = _lint(ROOT / "cypher")
    bad = [r for r in report["report"] if r["errors"]]
    assert code == 0 and not bad, json.dumps(bad, ensure_ascii=False, indent=1)
    assert report["files"] >= 5


def test_linter_catches_falkordb_only_text(tmp_path):
    (tmp_path / "wcc.cypher").write_text("// params:\nCALL algo.WCC(null) YIELD node RETURN node\n")
    (tmp_path / "sub.cypher").write_text("// params:\nMATCH (n:Person) WHERE n.key = $k RETURN n\n")
    (tmp_path / "ok.falkordb.cypher").write_text("// params:\nTHIS IS NOT CYPHER\n")
    code, report = _lint(tmp_path)
    errs = {r["file"]: r["errors"] for r in report["report"]}
    assert code == 1
    assert errs["wcc.cypher"] and errs["sub.cypher"]
    assert "ok.falkordb.cypher" not in errs  # FalkorDB-only variants are not Neo4j's business
