"""The analytics subcommands: --json prints only JSON on stdout, errors are one line with exit code 2."""
from __future__ import annotations

import json

import pytest

from analytics_fixture import build_case


@pytest.fixture
def case(store):
    return build_case(store)


def _json(runner, args):
    res = runner.invoke(args + ["--json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_cli_shapes(runner, case, tmp_path):
    s = _json(runner, ["search", "--case", "T1", "6222000000000001"])
    assert s["results"][0]["type"] == "card"
    t = _json(runner, ["trace", "--case", "T1", "--card", "6222000000000001", "--direction", "down", "--hops", "4"])
    assert all({"type", "key", "layer", "amount"} <= set(n) for n in t["nodes"]) and t["edges"]
    g = _json(runner, ["gangs", "--case", "T1"])
    assert g["gangs"][0]["id"] == "G1"
    assert all({"type", "key", "role"} <= set(m) for m in g["gangs"][0]["members"])
    two = _json(runner, ["gangs", "--case", "T1", "--seed", "6222000000000004", "--seed", "110101199003030033"])
    assert [x["seed"] for x in two["gangs"]] == ["6222000000000004", "110101199003030033"]
    c = _json(runner, ["clusters", "--case", "T1"])
    assert c["clusters"][0]["members"] and c["clusters"][0]["devices"]
    a = _json(runner, ["alerts", "--case", "T1"])
    assert {x["kind"] for x in a["alerts"]} >= {"watchlist", "holder_mismatch"}
    p = _json(runner, ["paths", "--case", "T1", "card:6222000000000001", "card:6222000000000006", "--rel", "TRANSFER"])
    assert p["paths"]
    n = _json(runner, ["neighbours", "--case", "T1", "--type", "card", "--key", "6222000000000001", "--rel", "TRANSFER"])
    assert n["nodes"] and not n["truncated"]
    out = tmp_path / "freeze.xlsx"
    f = _json(runner, ["freeze", "--case", "T1", "--out", str(out)])
    assert f["rows"] and out.stat().st_size > 0


def test_cli_errors_are_one_line(runner, case):
    res = runner.invoke(["trace", "--case", "T1", "--card", "1", "--report", "nope"])
    assert res.exit_code == 2 and "error" in res.output and "Traceback" not in res.output
    res = runner.invoke(["neighbours", "--case", "T1", "--type", "ship", "--key", "1"])
    assert res.exit_code == 2
