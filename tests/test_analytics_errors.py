"""Analytics refuse unknown starting points with an error that says what to do."""
import pytest

from graphsvc.analytics import trace
from graphsvc.errors import NotFound


def test_trace_of_an_unknown_card_is_not_found(store):
    with pytest.raises(NotFound, match="no card"):
        trace(store, "ANY", card="6222 0000 0000 0000 123")
