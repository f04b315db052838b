from __future__ import annotations

from cleaner.document import Document, Drop, Edit, Reject
from cleaner.run.spool import Spool


def test_spool_replays_in_order_any_number_of_times() -> None:
    items = [
        Document("a", "text", meta={"k": [1, 2]}, trace=(Edit("p", "r", "removed", "x"),)),
        Drop(Document("b", "t"), "filters", "too_short", "1 word"),
        Reject("c", "src", "malformed_json", "bad", "{x"),
    ] * 100
    with Spool() as spool:
        for item in items:
            spool.append(item)
        assert spool.count == 300
        assert list(spool.replay()) == items
        assert list(spool.replay()) == items
