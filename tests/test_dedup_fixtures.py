"""Golden near-duplicate cases: `fixtures/dedup_<case>/` holds several documents.

Each case directory holds text files (`a.txt`, `b.txt`, ...; the id is the file stem, and they
are read in name order, so `a` comes first and represents its cluster), an `expected.json`
mapping ids to the duplicate annotation expected after the default chain (`null`: must not be
flagged as a copy; otherwise `{"duplicate_of": id, "kind": kind}`), and a `case.toml` with a
`description`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from cleaner.document import Document
from cleaner.pipeline import Pipeline

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASES = sorted(p.name for p in FIXTURES.glob("dedup_*") if p.is_dir())


def test_there_are_dedup_cases() -> None:
    assert len(CASES) >= 2


@pytest.mark.parametrize("name", CASES)
def test_dedup_fixture(name: str) -> None:
    case = FIXTURES / name
    docs = [Document(p.stem, p.read_text("utf-8")) for p in sorted(case.glob("*.txt"))]
    expected: dict[str, Any] = json.loads((case / "expected.json").read_text("utf-8"))
    results = {r.id: r for r in Pipeline.from_config().run(docs) if isinstance(r, Document)}
    for doc_id, want in expected.items():
        dup = results[doc_id].meta.get("dup")
        if want is None:
            assert dup is None or dup["kind"] == "representative", (doc_id, dup)
        else:
            assert dup is not None, f"{doc_id} was not flagged"
            assert dup["of"] == want["duplicate_of"], dup
            assert dup["kind"] == want["kind"], dup
