"""Exact verification: vectorised overlaps equal np.intersect1d on every pair."""

from __future__ import annotations

import numpy as np
import pytest

from cleaner.dedup.shingles import ShingleSets
from cleaner.dedup.verify import containment, intersection_size, jaccard, pair_overlaps


def _sets(docs: list[list[int]]) -> ShingleSets:
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in docs])]).astype(np.int64)
    hashes = np.array([h for d in docs for h in d], dtype=np.uint32)
    return ShingleSets(hashes, offsets, np.zeros(len(docs), dtype=np.uint64)).unique_sorted()


def test_known_values() -> None:
    sets = _sets([[1, 2, 3, 4], [3, 4, 5, 6], [1, 2], [], [4_000_000_000, 7]])
    pairs = np.array([[0, 1], [0, 2], [0, 3], [3, 3], [4, 0]])
    overlaps = pair_overlaps(sets, pairs)
    assert overlaps.intersection.tolist() == [2, 2, 0, 0, 0]
    assert overlaps.jaccard.tolist() == pytest.approx([2 / 6, 2 / 4, 0.0, 0.0, 0.0])
    assert overlaps.containment.tolist() == pytest.approx([0.5, 1.0, 0.0, 0.0, 0.0])


def test_matches_reference_on_random_pairs() -> None:
    rng = np.random.default_rng(7)
    docs = []
    for _ in range(60):
        size = int(rng.integers(0, 300))
        docs.append(rng.integers(0, 600, size).tolist())  # small universe: real overlaps
    sets = _sets(docs)
    pairs = rng.integers(0, len(docs), size=(500, 2))
    # A tiny batch bound forces many batches; results must not depend on batching.
    for max_elements in (1 << 22, 500):
        overlaps = pair_overlaps(sets, pairs, max_elements=max_elements)
        for k, (i, j) in enumerate(pairs.tolist()):
            a, b = sets.doc(i), sets.doc(j)
            assert overlaps.intersection[k] == intersection_size(a, b)
            assert overlaps.jaccard[k] == pytest.approx(jaccard(a, b))
            assert overlaps.containment[k] == pytest.approx(containment(a, b))


def test_no_pairs() -> None:
    overlaps = pair_overlaps(_sets([[1], [2]]), np.zeros((0, 2), dtype=np.int64))
    assert len(overlaps) == 0 and overlaps.jaccard.size == 0


def test_select() -> None:
    sets = _sets([[1, 2], [1, 2], [3]])
    overlaps = pair_overlaps(sets, np.array([[0, 1], [0, 2]]))
    kept = overlaps.select(overlaps.jaccard > 0.5)
    assert kept.left.tolist() == [0] and kept.right.tolist() == [1]
