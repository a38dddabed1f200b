"""The audit trail survives reopening and filters by case and user."""
from graphsvc import audit


def test_record_and_read_back(tmp_path):
    audit.record(tmp_path, "alice", "search", "C1", {"q": "6222"})
    audit.record(tmp_path, "bob", "export", "C2", {"format": "pdf"})
    assert [e["user"] for e in audit.entries(tmp_path)] == ["bob", "alice"]
    only = audit.entries(tmp_path, case="C1")
    assert len(only) == 1 and only[0]["what"] == {"q": "6222"} and only[0]["action"] == "search"


def test_unknown_action_is_refused(tmp_path):
    import pytest

    with pytest.raises(ValueError):
        audit.record(tmp_path, "alice", "delete_everything")
