from __future__ import annotations

import pytest

from cleaner.cli.compare import Passage, check_width, report, shared_passages
from cleaner.errors import ConfigError
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


def test_rewrite_verdict_lists_aligned_sentences() -> None:
    from pathlib import Path

    case = Path(__file__).resolve().parents[2] / "fixtures" / "dedup_seed000_spun"
    a, b = ((case / f"{x}.txt").read_text("utf-8") for x in "ab")
    out = report("a", "b", a, b, Dedup.Options())
    assert "B is a rewrite duplicate of A (a)" in out
    assert "aligned sentences:" in out
    assert "Zaluzhny talked with Mark Milley" in out


def test_aligned_sentences_pair_paraphrases_only() -> None:
    from cleaner.cli.compare import aligned_sentences

    a = "The council approved the harbour budget on Monday. Rain fell all week in the north."
    b = "On Monday the council backed the harbour budget. Stock markets rallied in Asia today."
    pairs = aligned_sentences(a, b, 0.4)
    # The splitter cuts at sentence ends and leaves the final stop to the last sentence.
    assert [(pa, pb) for _, pa, pb in pairs] == [
        (
            "The council approved the harbour budget on Monday",
            "On Monday the council backed the harbour budget",
        )
    ]


@pytest.mark.parametrize("width", [0, -1, 9, 1001, 10**9])
def test_absurd_widths_are_config_errors(width: int) -> None:
    with pytest.raises(ConfigError, match=f"--width: expected 10 to 1000 columns, got {width}"):
        check_width(width)
    with pytest.raises(ConfigError, match="--width"):
        report("a", "b", "same words here", "same words here", Dedup.Options(), width=width)
