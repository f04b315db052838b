"""Chain-free clustering: members must match their representative, not just a neighbour."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from cleaner.dedup.cluster import (
    CONTAINMENT_SCALE,
    NO_DATE,
    Assignments,
    ClusterConfig,
    MatchKind,
    cluster_pairs,
    containment_scores,
    preference_order,
)
from cleaner.dedup.index import DedupConfig, NearDupIndex
from cleaner.dedup.shingles import Shingler
from cleaner.dedup.verify import PairOverlaps, pair_overlaps
from cleaner.errors import ConfigError

from .textgen import ArticleMaker, make_article


def _template_chain(pages: int) -> list[str]:
    """Page i = blocks i..i+9: neighbours share 9 of 10 blocks (Jaccard ~0.82, a "near"
    match), pages three apart share 7 (below every threshold). Blocks are 60-word texts."""
    blocks = [make_article(1000 + b, 60) for b in range(pages + 10)]
    return ["\n\n".join(blocks[i : i + 10]) for i in range(pages)]


def _cluster_all_pairs(
    texts: list[str], config: ClusterConfig | None = None
) -> tuple[Assignments, PairOverlaps]:
    """Cluster with every pair a candidate (no LSH), to test clustering on its own."""
    sets = Shingler().shingle(texts).unique_sorted()
    n = len(texts)
    pairs = np.array([(i, j) for i in range(n) for j in range(i + 1, n)], dtype=np.int64)
    pairs = pairs.reshape(-1, 2)
    result, stats = cluster_pairs(
        pairs, sets.sizes(), sets.text_hashes, partial(pair_overlaps, sets), config, block=4
    )
    assert stats.candidate_pairs == len(pairs) and stats.verified_pairs <= len(pairs)
    return result, pair_overlaps(sets, pairs)


def test_template_chain_is_not_one_cluster() -> None:
    pages = _template_chain(30)
    result, overlaps = _cluster_all_pairs(pages)
    # The neighbour graph is connected: transitive clustering would make one cluster.
    near = overlaps.jaccard >= 0.8
    neighbours = set(zip(overlaps.left[near].tolist(), overlaps.right[near].tolist(), strict=True))
    assert all((i, i + 1) in neighbours for i in range(29))
    assert len(set(result.cluster.tolist())) > 5
    assert result.cluster[0] != result.cluster[29]
    # Every member is verified similar to its representative (not merely to a neighbour).
    sets = Shingler().shingle(pages).unique_sorted()
    for i in range(30):
        rep = int(result.representative[i])
        assert abs(rep - i) <= 2  # pages 3 apart never match
        if rep != i:
            a, b = sets.doc(i), sets.doc(rep)
            inter = np.intersect1d(a, b).size
            assert inter / min(a.size, b.size) >= 0.8 or inter / (a.size + b.size - inter) >= 0.8


def test_exact_copies_cluster(article: ArticleMaker) -> None:
    base = article(1, 300)
    noisy_copy = base.upper().replace(". ", " ... ").replace("\n\n", "\n")
    texts = [article(2, 300), base, noisy_copy, base]
    result, _ = _cluster_all_pairs(texts)
    assert result.representative.tolist() == [0, 1, 1, 1]
    assert [result.kind_of(i) for i in range(4)] == [
        MatchKind.UNIQUE,
        MatchKind.REPRESENTATIVE,
        MatchKind.NORMALIZED,
        MatchKind.NORMALIZED,
    ]


def test_excerpt_and_expansion_cluster_by_containment(article: ArticleMaker) -> None:
    full = article(5, 400)
    words = full.split(" ")
    first_half = " ".join(words[:200])
    result, overlaps = _cluster_all_pairs([full, first_half])
    assert overlaps.jaccard[0] < 0.55 and overlaps.containment[0] == 1.0
    assert result.kind_of(1) is MatchKind.EXCERPT and result.representative[1] == 0
    # The other way round: the full version still represents (it contains the other)...
    result, _ = _cluster_all_pairs([first_half, full])
    assert result.kind_of(0) is MatchKind.EXCERPT and result.representative[0] == 1
    # ... unless the first seen is preferred: the story was then extended.
    result, _ = _cluster_all_pairs([first_half, full], ClusterConfig(prefer="earliest"))
    assert result.kind_of(1) is MatchKind.EXPANDED and result.representative[1] == 0


def test_revised_story(article: ArticleMaker) -> None:
    base = article(6, 400).split(" ")
    revised = " ".join(article(7, 60).split(" ") + base[60:])  # new intro, same length
    result, overlaps = _cluster_all_pairs([" ".join(base), revised])
    assert overlaps.jaccard[0] < 0.8
    # Same length, same share of each other: a hash of the texts picks the representative,
    # the same one in either order; the other is revised.
    rep = int(result.representative[0])
    assert result.representative.tolist() == [rep, rep]
    assert result.kind_of(1 - rep) is MatchKind.REVISED
    swapped, _ = _cluster_all_pairs([revised, " ".join(base)])
    assert swapped.representative.tolist() == [1 - rep, 1 - rep]


def test_unrelated_articles_do_not_cluster(article: ArticleMaker) -> None:
    result, _ = _cluster_all_pairs([article(seed, 250) for seed in range(20)])
    assert result.representative.tolist() == list(range(20))
    assert set(result.kind.tolist()) == {MatchKind.UNIQUE}


def test_short_snippet_is_not_an_excerpt(article: ArticleMaker) -> None:
    full = article(8, 400)
    snippet = " ".join(full.split(" ")[100:110])  # 6 shingles < min_containment_shingles
    result, overlaps = _cluster_all_pairs([full, snippet])
    assert overlaps.containment[0] == 1.0
    assert result.kind_of(1) is MatchKind.UNIQUE


def test_longest_preference_keeps_the_longest(article: ArticleMaker) -> None:
    full = article(9, 400)
    half = " ".join(full.split(" ")[:250])
    result, _ = _cluster_all_pairs([half, full], ClusterConfig(prefer="longest"))
    assert result.representative.tolist() == [1, 1]
    assert result.kind_of(0) is MatchKind.EXCERPT


def test_chain_through_the_index_too() -> None:
    """The same guarantee end to end, with LSH candidates instead of all pairs."""
    index = NearDupIndex(DedupConfig())
    index.add(_template_chain(30))
    result = index.finish()
    assert len(set(result.assignments.cluster.tolist())) > 5
    assert result.assignments.cluster[0] != result.assignments.cluster[29]


def test_every_candidate_is_verified(article: ArticleMaker) -> None:
    """Ten copies of a story: all 45 pairs are verified (the ranking needs every match)."""
    texts = [article(1, 200)] * 10
    sets = Shingler().shingle(texts).unique_sorted()
    pairs = np.array([(i, j) for i in range(10) for j in range(i + 1, 10)], dtype=np.int64)
    result, stats = cluster_pairs(
        pairs, sets.sizes(), sets.text_hashes, partial(pair_overlaps, sets), block=7
    )
    assert stats.verified_pairs == 45 and stats.matching_pairs == 45
    assert result.representative.tolist() == [0] * 10


def test_block_size_does_not_change_result() -> None:
    pages = _template_chain(25)
    sets = Shingler().shingle(pages).unique_sorted()
    pairs = np.array([(i, j) for i in range(25) for j in range(i + 1, 25)], dtype=np.int64)
    results = [
        cluster_pairs(pairs, sets.sizes(), sets.text_hashes, partial(pair_overlaps, sets), block=b)[
            0
        ]
        for b in (1, 3, 1000)
    ]
    for other in results[1:]:
        assert np.array_equal(results[0].representative, other.representative)
        assert np.array_equal(results[0].kind, other.kind)
        assert np.array_equal(results[0].similarity, other.similarity)


def test_preference_keys_in_order() -> None:
    """Date first (undated last), then containment, then size, then text; position last."""
    sizes = np.array([100, 50, 100, 100, 100], dtype=np.int64)
    hashes = np.array([5, 1, 5, 2, 5], dtype=np.uint64)
    contains = np.array([0, 3, 2, 2, 0], dtype=np.int64)
    published = np.array([NO_DATE, NO_DATE, NO_DATE, NO_DATE, 7], dtype=np.int64)
    order = preference_order(
        sizes, "source", text_hashes=hashes, published=published, contains=contains
    )
    assert order.tolist() == [4, 1, 3, 2, 0]
    assert preference_order(sizes, "longest", text_hashes=hashes).tolist() == [3, 0, 2, 4, 1]
    assert preference_order(sizes, "earliest", published=published).tolist() == [4, 0, 1, 2, 3]
    assert preference_order(sizes, "earliest").tolist() == [0, 1, 2, 3, 4]


def test_containment_scores_do_not_depend_on_pair_order(article: ArticleMaker) -> None:
    full = article(11, 600)
    words = full.split(" ")
    texts = [full, *(" ".join(words[k * 120 : k * 120 + 100]) for k in range(5))]
    sets = Shingler().shingle(texts).unique_sorted()
    pairs = np.array([(0, k) for k in range(1, 6)], dtype=np.int64)
    scores = containment_scores(pair_overlaps(sets, pairs), 6)
    assert scores[0] == 5 * CONTAINMENT_SCALE  # each excerpt wholly inside the source
    assert all(scores[k] < CONTAINMENT_SCALE // 4 for k in range(1, 6))
    flipped = containment_scores(pair_overlaps(sets, pairs[::-1, ::-1].copy()), 6)
    assert np.array_equal(scores, flipped)


def test_unknown_preference_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="prefer must be one of 'source', 'earliest'"):
        ClusterConfig(prefer="first")  # type: ignore[arg-type]
