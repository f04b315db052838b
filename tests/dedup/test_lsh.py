"""LSH: the S-curve keeps the promised recall, and candidate generation stays linear."""

from __future__ import annotations

import time

import numpy as np
import pytest

from cleaner.dedup.lsh import (
    band_keys,
    candidate_pairs,
    candidate_probability,
    choose_bands,
    false_candidate_area,
    run_pairs,
    unique_pairs,
)
from cleaner.dedup.minhash import MinHasher
from cleaner.errors import ConfigError

THRESHOLDS = [0.5, 0.6, 0.7, 0.8, 0.9]
NUM_PERMS = [64, 128, 256]


@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("num_perm", NUM_PERMS)
def test_s_curve_keeps_recall_and_falls_off(threshold: float, num_perm: int) -> None:
    bands, rows = choose_bands(threshold, num_perm, target_recall=0.95)
    assert bands * rows <= num_perm
    assert candidate_probability(threshold, bands, rows) >= 0.95
    curve = candidate_probability(np.linspace(0.0, 1.0, 101), bands, rows)
    assert isinstance(curve, np.ndarray)
    assert np.all(np.diff(curve) >= 0)  # more similar, more likely a candidate
    # Well below the threshold, few pairs become candidates.
    assert candidate_probability(threshold - 0.3, bands, rows) < 0.4
    assert candidate_probability(0.1, bands, rows) < 0.2


@pytest.mark.parametrize(("threshold", "num_perm"), [(0.5, 128), (0.8, 128), (0.7, 64)])
def test_choice_minimises_false_candidates(threshold: float, num_perm: int) -> None:
    chosen = choose_bands(threshold, num_perm)
    best = false_candidate_area(threshold, *chosen)
    for rows in range(1, num_perm + 1):
        for bands in range(1, num_perm // rows + 1):
            if candidate_probability(threshold, bands, rows) >= 0.95:
                assert false_candidate_area(threshold, bands, rows) >= best - 1e-12


def test_higher_recall_needs_more_bands() -> None:
    b95, r95 = choose_bands(0.8, 128, 0.95)
    b99, r99 = choose_bands(0.8, 128, 0.99)
    assert candidate_probability(0.8, b99, r99) >= 0.99
    assert candidate_probability(0.8, b95, r95) < 0.99


def test_unreachable_recall_is_an_error() -> None:
    with pytest.raises(ConfigError, match="cannot reach"):
        choose_bands(0.05, 8, 0.99)
    with pytest.raises(ConfigError):
        choose_bands(1.5, 128)
    # A threshold so low that threshold**rows becomes denormal: the bands needed overflow a
    # float; still the one-line error, never an OverflowError.
    with pytest.raises(ConfigError, match="cannot reach"):
        choose_bands(0.00390625, 128)


def test_a_tiny_threshold_is_unreachable_not_an_overflow() -> None:
    # 2**-8 to the 128th power is subnormal: the band count it asks for is infinite.
    with pytest.raises(ConfigError, match="cannot reach"):
        choose_bands(2**-8, 128, 0.95)


@pytest.mark.parametrize("recall", [5e-324, 1e-300, 1e-17])
def test_a_vanishing_target_recall_returns_at_once(recall: float) -> None:
    """Where threshold**rows is lost in rounding (1 - it == 1.0) no band count reaches even a
    vanishing recall: the search moves on instead of adding bands for ever."""
    bands, rows = choose_bands(0.5, 128, recall)
    assert bands * rows <= 128
    assert candidate_probability(0.5, bands, rows) >= recall


def _sets_with_jaccard(
    rng: np.random.Generator, size: int, jaccard: float
) -> tuple[np.ndarray, np.ndarray]:
    """Two sets of `size` distinct hashes whose Jaccard similarity is `jaccard` (rounded)."""
    shared = round(2 * size * jaccard / (1 + jaccard))
    values = rng.choice(2**32, size=2 * size - shared, replace=False).astype(np.uint32)
    return values[:size], np.concatenate([values[:shared], values[size:]])


def test_empirical_recall_matches_the_s_curve() -> None:
    """Real signatures + band keys find pairs at the threshold as often as promised."""
    rng = np.random.default_rng(0)
    pairs = 400
    docs: list[np.ndarray] = []
    for _ in range(pairs):
        docs.extend(_sets_with_jaccard(rng, 200, 0.8))
    offsets = np.concatenate([[0], np.cumsum([d.size for d in docs])]).astype(np.int64)
    sigs = MinHasher(num_perm=128).signatures_from_hashes(np.concatenate(docs), offsets)
    bands, rows = choose_bands(0.8, 128)
    keys = band_keys(sigs, bands, rows)
    found = candidate_pairs(keys, np.arange(len(docs), dtype=np.int64))
    planted = {(2 * k, 2 * k + 1) for k in range(pairs)}
    recall = len(planted & set(map(tuple, found.tolist()))) / pairs
    assert recall >= 0.9  # promised 0.95; sampling noise on 400 pairs is ~0.011


def test_candidate_pairs_finds_planted_pairs_only() -> None:
    rng = np.random.default_rng(1)
    n_docs, num_perm = 1000, 64
    sigs = rng.integers(0, 2**32, size=(n_docs, num_perm), dtype=np.uint32)
    sigs[500] = sigs[3]  # identical signatures
    sigs[777, :8] = sigs[21, :8]  # one identical band (rows 0..7)
    keys = band_keys(sigs, 8, 8)
    found = candidate_pairs(keys, np.arange(n_docs, dtype=np.int64))
    assert found.tolist() == [[3, 500], [21, 777]]


def test_members_restrict_candidates() -> None:
    keys = np.zeros((2, 6), dtype=np.uint64)  # everyone shares every band key
    members = np.array([5, 1, 3], dtype=np.int64)
    found = candidate_pairs(keys, members)
    assert found.tolist() == [[1, 3], [1, 5], [3, 5]]


def test_small_runs_give_all_pairs() -> None:
    keys = np.array([7, 7, 7, 9, 9, 1], dtype=np.uint64)
    members = np.arange(6, dtype=np.int64)
    pairs = unique_pairs(run_pairs(keys, members))
    assert pairs.tolist() == [[0, 1], [0, 2], [1, 2], [3, 4]]


def test_huge_equal_key_run_is_linear() -> None:
    """5,000 documents sharing a key: each is linked to the run's first anchors, not to all."""
    n = 5000
    keys = np.full(n, 42, dtype=np.uint64)
    members = np.arange(n, dtype=np.int64)[::-1].copy()  # preference order: 4999 first
    start = time.perf_counter()
    pairs = run_pairs(keys, members, max_full_run=16, anchors=4)
    assert time.perf_counter() - start < 1.0
    assert len(pairs) <= 4 * n
    # Every member is paired with the most preferred member of the run.
    partners_of_first = set(pairs[pairs[:, 0] == 4999, 1].tolist())
    assert partners_of_first == set(range(n - 1))
    # The same through all bands of a full candidate search.
    all_keys = np.full((23, n), 42, dtype=np.uint64)
    found = candidate_pairs(all_keys, np.arange(n, dtype=np.int64))
    assert len(found) <= 4 * n


def test_band_keys_shape_and_equality() -> None:
    rng = np.random.default_rng(2)
    sigs = rng.integers(0, 2**32, size=(3, 12), dtype=np.uint32)
    sigs[1, 4:8] = sigs[0, 4:8]
    keys = band_keys(sigs, 3, 4)
    assert keys.shape == (3, 3) and keys.dtype == np.uint64
    assert keys[1, 0] == keys[1, 1]
    assert keys[0, 0] != keys[0, 1] and keys[2, 0] != keys[2, 1]
    with pytest.raises(ConfigError):
        band_keys(sigs, 4, 4)


def test_a_threshold_too_low_for_any_band_shape_is_a_config_error() -> None:
    """A tiny threshold makes the bands needed overflow to infinity: one ConfigError."""
    with pytest.raises(ConfigError, match="cannot reach recall"):
        choose_bands(0.00390625, 128)
