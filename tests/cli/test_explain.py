from __future__ import annotations

from cleaner.cli.explain import format_result
from cleaner.document import Document


def test_a_representative_is_shown_with_its_copies_and_a_copy_with_its_kind() -> None:
    rep = Document("r", "t", meta={"dup": {"kind": "representative", "cluster": "r", "copies": 2}})
    copy = Document("c", "t", meta={"dup": {"kind": "normalized", "of": "r", "cluster": "r"}})
    assert "== r: kept, representative of 2 duplicates" in format_result(rep)
    assert "== c: kept, duplicate (normalized) of r" in format_result(copy)
