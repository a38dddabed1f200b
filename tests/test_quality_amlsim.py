"""AMLSim amlsim-10k (IBM, Apache-2.0): the gang seeded from each ring's hub account recovers the ring.

Issue 4's bar on all 100 rings (fan-in, fan-out, cycles): mean recall >= 0.95 over the rings, with the
precision reached held as a floor (0.48; 0.508 measured), so the gang does not buy recall by pulling in the
hub's busy counterparties. The labels are used here only to score (bench/score_amlsim.py does the same
and prints the figures per typology). 5 of the 742 ring accounts have no transfer of their ring at all
and 3 more are cut off from their hub within the ring's own transfers (rings 64, 76); they still count.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from conftest import require_dataset  # noqa: E402
from score_amlsim import load_amlsim, rings, score  # noqa: E402


@pytest.mark.slow
def test_amlsim_gang_from_hub_recovers_ring(store):
    data = require_dataset("amlsim-10k")
    load_amlsim(store, data, via="direct")
    s = score(store, rings(data))
    print({k: v for k, v in s.items() if k != "worst"})
    assert s["rings"] == 100
    assert s["recall"] >= 0.95, s["worst"]
    assert s["precision"] >= 0.48, s["per_kind"]
    assert all(v["recall"] >= 0.90 for v in s["per_kind"].values()), s["per_kind"]
    assert s["seconds_per_seed"] < 1.0, s["seconds_per_seed"]


def test_amlsim_typologies_held_out(store):
    """amlsim-typologies (another AMLSim run, not used to choose the settings): every ring with transfers comes back."""
    data = require_dataset("amlsim-typologies")
    load_amlsim(store, data, case="AMLSIM-TYP", via="direct")
    s = score(store, rings(data), case="AMLSIM-TYP")
    print({k: v for k, v in s.items() if k != "worst"})
    moving = ("fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter")  # the others write no transfer
    assert all(s["per_kind"][k]["recall"] >= 0.95 for k in moving), s["per_kind"]
    assert s["recall_tied"] >= 0.95, s["worst"]
