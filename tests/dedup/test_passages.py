"""Ordered sentence chains, shared-passage kinds, and the copies they let the index find."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cleaner.dedup.cluster import MatchKind
from cleaner.dedup.index import DedupConfig, NearDupIndex
from cleaner.dedup.passages import copy_kinds, ordered_chain, ordered_run
from cleaner.dedup.rewrite import RewriteConfig, align_pairs
from cleaner.dedup.sentences import split_sentences
from cleaner.dedup.verify import PairOverlaps

from .test_rewrite import _join, _spin
from .textgen import ArticleMaker

ROOT = Path(__file__).resolve().parents[2]
REUSE = ROOT / "bench" / "data" / "reuse" / "docs"


def _i64(values: list[int]) -> np.ndarray:
    return np.array(values, dtype=np.int64)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([], 0),
        ([3], 1),
        ([0, 1, 2, 3], 4),
        ([3, 2, 1, 0], 1),
        ([0, 5, 1, 2, 9, 3], 4),
        ([2, 2], 2),  # a split sentence: both halves match the same one, in place
        ([0, 3, 3, 1, 4], 4),
        ([2, 1, 1, 0], 2),
    ],
)
def test_ordered_run(values: list[int], expected: int) -> None:
    assert ordered_run(values) == expected


def test_ordered_chain_counts_rows_whose_best_columns_climb() -> None:
    # Pair 0: rows 0-3 best-match columns 0, 1, 2, 3 (in order); pair 1: rows 4-7 match
    # columns 7, 6, 5, 4 (reversed); pair 2: row 8 only matches below the threshold.
    rows = _i64([0, 0, 1, 2, 3, 4, 5, 6, 7, 8])
    cols = _i64([0, 2, 1, 2, 3, 7, 6, 5, 4, 8])
    similarity = np.array([0.5, 0.3, 0.4, 0.3, 0.6, 0.5, 0.5, 0.5, 0.5, 0.1])
    pair_of_row = _i64([0, 0, 0, 0, 1, 1, 1, 1, 2])
    chain = ordered_chain(
        rows, cols, similarity, pair_of_row, 3, threshold=0.25, needed=_i64([2, 2, 1])
    )
    assert chain.tolist() == [4, 1, 0]


def test_ordered_chain_skips_pairs_that_cannot_pass() -> None:
    """Below `needed` matched rows, the count of matched rows is returned, no chain."""
    rows, cols = _i64([0, 1, 2]), _i64([2, 1, 0])
    chain = ordered_chain(
        rows, cols, np.full(3, 0.5), _i64([0, 0, 0]), 1, threshold=0.25, needed=_i64([4])
    )
    assert chain.tolist() == [3]


def _overlaps(intersection: int, left: int, right: int) -> PairOverlaps:
    return PairOverlaps(
        left=_i64([0]),
        right=_i64([1]),
        intersection=_i64([intersection]),
        left_size=_i64([left]),
        right_size=_i64([right]),
    )


@pytest.mark.parametrize(
    ("intersection", "left", "right", "kind"),
    [
        (90, 400, 100, MatchKind.EXCERPT),  # 0.9 of the copy, a quarter of the length
        (90, 100, 100, MatchKind.REVISED),
        (90, 100, 400, MatchKind.EXPANDED),
        (50, 400, 100, MatchKind.PARTIAL),  # half of it: a copied passage
        (30, 400, 100, MatchKind.UNIQUE),  # 0.3 < partial_containment
        (14, 400, 28, MatchKind.UNIQUE),  # 0.5, but 14 < min_partial_shingles
        (18, 400, 19, MatchKind.PARTIAL),  # 0.95, too small a set to be an excerpt
    ],
)
def test_copy_kinds(intersection: int, left: int, right: int, kind: MatchKind) -> None:
    found = copy_kinds(
        _overlaps(intersection, left, right),
        containment_threshold=0.8,
        min_containment_shingles=20,
        partial_containment=0.4,
        min_partial_shingles=15,
    )
    assert found.tolist() == [kind]


def _finish(texts: list[str]) -> list[tuple[str, str, str]]:
    with NearDupIndex(DedupConfig()) as index:
        index.add(texts, [str(i) for i in range(len(texts))])
        return index.finish().duplicates()


def test_spun_in_place_found_by_order_not_when_shuffled(article: ArticleMaker) -> None:
    """Half the words swapped in every sentence: no sentence aligns at 0.4, but in order
    the looser matches climb through the source; reversed, they do not."""
    a = article(5, 300)
    in_place = _spin(_spin(a, 4, 1, "bb"), 4, 3, "cc")
    reversed_ = _spin(_spin(a, 4, 1, "bb"), 4, 3, "cc", reverse=True)
    config = RewriteConfig()
    sketches = config.sketcher().sketch([a, in_place, reversed_])
    alignment = align_pairs(sketches, _i64([0, 1, 0, 2]).reshape(2, 2), config)
    assert (alignment.share < 0.2).all()  # the first guard sees (almost) nothing
    assert alignment.ordered_share[0] >= config.ordered_share
    assert alignment.ordered_share[1] < config.ordered_share
    assert alignment.is_rewrite(config).tolist() == [True, False]
    # One family of the two, whichever represents (no date: the longer text does), never the third.
    [(member, representative, kind)] = _finish([a, in_place, article(6, 300)])
    assert {member, representative} == {"0", "1"} and kind == "rewrite"


def test_short_excerpt_of_long_source_found_by_sentence_keys(article: ArticleMaker) -> None:
    """A 200-word excerpt of a 2,000-word source: Jaccard ~0.1, below what LSH finds."""
    source = article(11, 2000)
    sentences = split_sentences(source)
    excerpt = _join(sentences[40:52])
    assert _finish([source, excerpt]) == [("1", "0", "excerpt")]
    assert _finish([article(12, 2000), excerpt]) == []


def test_copied_paragraph_with_new_text_is_partial(article: ArticleMaker) -> None:
    """Half the copy is a passage of the source, the other half its own: ``partial``, with
    the evidence in the annotation."""
    source = article(21, 800)
    copied = _join(split_sentences(source)[10:20])
    own = article(22, len(copied.split()))
    with NearDupIndex(DedupConfig()) as index:
        index.add([source, copied + "\n\n" + own], ["src", "copy"])
        result = index.finish()
    assert result.duplicates() == [("copy", "src", "partial")]
    note = result.annotation(1)
    assert 0.4 <= note["containment"] < 0.8
    assert note["aligned_sentences"] >= 8 and 0.0 < note["aligned"] < 0.7
    assert _finish([article(23, 800), copied + "\n\n" + own]) == []


def test_hand_written_reuse_set_pairs() -> None:
    """On the hand-written set (bench/data/reuse): a copy-and-paste document is found with
    its source, and an independent one on the same topic is not (bench/reuse_bench.py
    measures the whole set)."""
    source = (REUSE / "coral-h.txt").read_text("utf-8")
    cut = (REUSE / "coral-k.txt").read_text("utf-8")
    independent = (REUSE / "coral-w.txt").read_text("utf-8")
    assert _finish([cut, source]) != []
    assert _finish([source, independent]) == []


def test_light_revision_with_a_split_sentence_is_found() -> None:
    """lighthouse-k (bench/data/reuse) splits one sentence of its source in two: 6 of its 9
    sentences keep their order strictly, 7 (0.78, over the 0.75 ordered share) with the
    split halves both matching the same source sentence. The same-topic independent
    documents whose chains are the longest, on each hand-written set, stay apart."""
    source = (REUSE / "lighthouse-g.txt").read_text("utf-8")
    light = (REUSE / "lighthouse-k.txt").read_text("utf-8")
    assert _finish([light, source]) != []
    assert _finish([source, (REUSE / "lighthouse-c.txt").read_text("utf-8")]) == []
    reuse2 = REUSE.parents[1] / "reuse2" / "docs"
    answers = [(reuse2 / f"pyth-{letter}.txt").read_text("utf-8") for letter in "bkw"]
    assert _finish(answers) == []
