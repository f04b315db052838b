from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cleaner.cli.compare import Passage, check_width, report, shared_passages
from cleaner.dedup.pair import judge_pair
from cleaner.document import Document, Drop
from cleaner.errors import ConfigError
from cleaner.pipeline import Pipeline
from cleaner.processors.dedup import Dedup
from cleaner.registry import make_options

ROOT = Path(__file__).resolve().parents[2]


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
    assert "B is a normalized duplicate of A (a)" in out


def test_rewrite_verdict_lists_aligned_sentences() -> None:
    from pathlib import Path

    case = Path(__file__).resolve().parents[2] / "fixtures" / "dedup_seed000_spun"
    a, b = ((case / f"{x}.txt").read_text("utf-8") for x in "ab")
    out = report("a", "b", a, b, Dedup.Options())
    assert "B is a rewrite duplicate of A (a)" in out
    assert "aligned sentences:" in out
    assert "Zaluzhny talked with Mark Milley" in out


def test_partial_copy_verdict_lists_its_aligned_passages() -> None:
    """A paragraph copied from a long source into a document of its own: the verdict names
    the kind, and the aligned sentences and shared passages show what was copied."""
    source = (ROOT / "bench" / "data" / "reuse" / "docs" / "press-j.txt").read_text("utf-8")
    paragraph = source.split("\n\n")[3]  # Gutenberg's hand mould, ink and press
    own = (ROOT / "bench" / "data" / "reuse" / "docs" / "press-w.txt").read_text("utf-8")
    copy = paragraph + "\n\n" + "\n\n".join(own.split("\n\n")[:2])  # ~half copied
    out = report("src", "copy", source, copy, Dedup.Options())
    assert "B is a partial duplicate of A (src)" in out
    assert "aligned sentences:" in out and "(content-word Jaccard >= 0.25)" in out
    assert "hand mould" in out


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


def _pairs() -> dict[str, tuple[str, str]]:
    """Pairs of every kind the stage tells apart, from the seeds and the spun fixture."""
    seeds = [p.read_text("utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]
    spun = ROOT / "fixtures" / "dedup_seed000_spun"
    words = seeds[2].split(" ")
    return {
        "normalized": (seeds[1], seeds[1].upper()),
        "near": (seeds[2], seeds[2].replace(words[3], "Breaking", 1) + "\nReporting by staff."),
        "excerpt": (seeds[2], seeds[2][: len(seeds[2]) * 2 // 3]),
        "expanded": (seeds[2][: len(seeds[2]) * 2 // 3], seeds[2]),
        "rewrite": ((spun / "a.txt").read_text("utf-8"), (spun / "b.txt").read_text("utf-8")),
        "distinct": (seeds[3], seeds[4]),
    }


def _run_kinds(a: str, b: str, params: dict[str, Any]) -> tuple[object, object]:
    """meta.dup.kind of A and B after a `dedup` run of the two documents with `params`."""
    results = list(Pipeline([("dedup", params)]).run([Document("a", a), Document("b", b)]))
    docs = [r.document if isinstance(r, Drop) else r for r in results]
    return tuple(d.meta["dup"]["kind"] if "dup" in d.meta else None for d in docs)  # type: ignore[return-value]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"prefer": "longest"},
        {"prefer": "earliest"},
        {"threshold": 0.95, "containment_threshold": 0.9},
    ],
    ids=["defaults", "longest", "earliest", "strict"],
)
def test_compare_verdict_is_the_kind_the_dedup_run_assigns(params: dict[str, Any]) -> None:
    """For every pair and setting, compare names the copy and kind the stage writes."""
    options = make_options(Dedup.Options, params, "[dedup]")
    seen = set()
    for name, (a, b) in _pairs().items():
        kinds = _run_kinds(a, b, params)
        verdict = judge_pair(a, b, options.dedup_config())
        out = report("a", "b", a, b, options)
        if verdict.copy is None:
            assert kinds in ((None, None),), name
            assert "verdict:           not duplicates" in out, name
            seen.add("distinct")
            continue
        kept = 1 - verdict.copy
        assert kinds[verdict.copy] == verdict.label, name
        assert kinds[kept] == "representative", name
        copy, other = ("B", "A (a)") if verdict.copy == 1 else ("A", "B (b)")
        assert f"{copy} is a{'n' if verdict.label[0] in 'aeiou' else ''} {verdict.label}" in out
        assert f"duplicate of {other}" in out, name
        seen.add(verdict.label)
    if not params:  # the document that contains the other represents: never "expanded"
        assert seen == {"normalized", "near", "excerpt", "rewrite", "distinct"}
    if params == {"prefer": "earliest"}:  # the first seen represents, even a shorter one
        assert seen == {"normalized", "near", "excerpt", "expanded", "rewrite", "distinct"}


def test_compare_uses_the_configured_thresholds() -> None:
    """A stricter containment threshold turns the excerpt into no duplicate, in both."""
    a, b = _pairs()["excerpt"]
    params = {"containment_threshold": 1.0, "rewrite": False}
    options = make_options(Dedup.Options, params, "[dedup]")
    assert _run_kinds(a, b, params) == (None, None)
    out = report("a", "b", a, b, options)
    assert "not duplicates" in out and "(excerpt/revision at >= 1.0)" in out
