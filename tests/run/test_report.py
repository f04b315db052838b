from __future__ import annotations

from cleaner.document import Document, Drop, Edit, Reject
from cleaner.run.report import RunReport


def test_counts_add_up_and_rules_are_counted() -> None:
    report = RunReport()
    kept = Document(
        "a",
        "text",
        meta={"lang": "en", "dup": {"kind": "exact", "of": "z"}},
        trace=(
            Edit("boilerplate", "widget.x", "removed", "No time to read?"),
            Edit("boilerplate", "bylines.by", "moved", "by A", meta_key="byline"),
        ),
    )
    report.add(kept, 20)
    report.add(Drop(Document("b", "t"), "filters", "too_short", "1 word"), 1)
    report.add(Reject("c", "f.jsonl", "malformed_json"), 0)
    data = report.to_dict()
    assert data["docs_in"] == 3 and data["docs_out"] == 1 and data["rejected"] == 2
    assert data["balanced"] is True
    assert data["rejected_by_reason"] == {"filters.too_short": 1, "input.malformed_json": 1}
    assert data["removed_by_rule"] == {"widget.x": 1}
    assert data["moved_to_meta_by_rule"] == {"bylines.by": 1}
    assert data["languages"] == {"en": 1}
    assert data["duplicates_flagged"] == {"exact": 1}
    summary = report.summary()
    assert "3 in, 1 out, 2 rejected" in summary
    assert "filters.too_short 1" in summary and "widget.x 1" in summary
