from __future__ import annotations

from cleaner.cli.compare import Passage, report, shared_passages
from cleaner.processors.dedup import Dedup


def test_shared_passages_finds_maximal_runs_longest_first() -> None:
    a = "One two three four five six seven. Alpha beta gamma delta epsilon zeta."
    b = "Alpha beta gamma delta epsilon! Something else entirely. One two three four five six."
    passages = shared_passages(a, b, min_words=5)
    assert passages == [Passage(a=0, b=8, length=6), Passage(a=7, b=0, length=5)]


def test_shared_passages_ignore_case_and_need_min_words() -> None:
    assert shared_passages("The Cat Sat On The Mat", "the cat sat on the mat", min_words=5)
    assert shared_passages("a b c d", "a b c d", min_words=5) == []


def test_report_names_the_verdict() -> None:
    text = " ".join(f"word{i}" for i in range(200))
    out = report("a", "b", text, text, Dedup.Options())
    assert "jaccard:           1.0000" in out
    assert "B is an exact duplicate of A (a)" in out
