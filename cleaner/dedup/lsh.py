"""Locality-sensitive hashing over MinHash signatures: band parameters and candidate pairs.

A signature of ``num_perm`` values is cut into ``bands`` bands of ``rows`` values. Two
documents become a *candidate pair* when all rows of at least one band are equal. For two
documents whose shingle sets have Jaccard similarity ``s`` each row is equal with probability
``s``, so the probability that they become candidates is the S-curve

    P(s) = 1 - (1 - s**rows)**bands                      (`candidate_probability`)

`choose_bands` picks ``(bands, rows)`` for the recall it promises: ``P(threshold) >=
target_recall``, so a pair at the threshold is found at least that often and a more similar
pair more often. Among the choices that keep that promise it takes the one with the fewest
false candidates below the threshold (the area under the S-curve on ``[0, threshold]``). A
common alternative, minimising false positives *plus* false negatives with equal weights, is
what silently catches a 0.8 pair only ~40% of the time; here the recall is a constraint.

Candidate generation works on compact arrays: one 64-bit key per document and band (a hash of
that band's rows), one stable ``argsort`` per band, pairs emitted within runs of equal keys,
each pair kept as one 64-bit code. Memory is 8 bytes per document per band plus 8 per pair;
no Python object per document. Bands are processed one at a time, so the keys can be handed
over band by band from wherever they are stored.

Runs of equal keys can be huge (thousands of empty, boilerplate or copied pages). All pairs
of a run of ``m`` documents would be ``m*(m-1)/2``; instead, in a run longer than
``max_full_run``, each member is paired only with the run's first ``anchors`` members (in
preference order, the documents that clustering makes representatives first). That is enough
for clustering, which compares a document only with representatives; what is skipped are
pairs of two later members, which would only matter if one run held several distinct
clusters, and then other bands usually still connect them. The output is at most
``anchors`` pairs per member per band.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from cleaner.dedup.hashing import POLY_BASE, fmix64
from cleaner.errors import ConfigError

U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
Value = TypeVar("Value", bound=np.generic)
I64Array = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]

_AREA_POINTS = 2001


def candidate_probability(s: float | F64Array, bands: int, rows: int) -> float | F64Array:
    """Probability that two documents with Jaccard similarity `s` become candidates."""
    result = 1.0 - (1.0 - np.power(s, rows)) ** bands
    if isinstance(result, np.ndarray):
        return result
    return float(result)


def false_candidate_area(threshold: float, bands: int, rows: int) -> float:
    """Area under the S-curve on ``[0, threshold]``: the expected share of false candidates
    among pairs whose similarity is spread uniformly below the threshold, times `threshold`."""
    s = np.linspace(0.0, threshold, _AREA_POINTS)
    p = 1.0 - (1.0 - s**rows) ** bands
    return float(np.sum((p[1:] + p[:-1]) * 0.5 * np.diff(s)))  # trapezoid rule


def choose_bands(threshold: float, num_perm: int, target_recall: float = 0.95) -> tuple[int, int]:
    """``(bands, rows)`` with ``bands * rows <= num_perm`` and
    ``candidate_probability(threshold) >= target_recall``, minimising false candidates.

    For each ``rows`` the smallest sufficient number of bands is
    ``ceil(log(1 - target_recall) / log(1 - threshold**rows))``; among the feasible pairs the
    one with the least `false_candidate_area` wins (ties: fewer signature values used).
    Raises `ConfigError` when even ``rows=1, bands=num_perm`` cannot reach the recall.
    """
    if not 0.0 < threshold <= 1.0:
        raise ConfigError(f"LSH threshold must be in (0, 1], not {threshold}")
    if not 0.0 < target_recall < 1.0:
        raise ConfigError(f"target recall must be in (0, 1), not {target_recall}")
    if num_perm < 1:
        raise ConfigError(f"num_perm must be >= 1, not {num_perm}")
    best: tuple[float, int, int, int] | None = None
    for rows in range(1, num_perm + 1):
        row_match = threshold**rows
        if row_match >= 1.0:
            bands = 1
        elif row_match <= 0.0:
            break
        else:
            needed = math.log1p(-target_recall) / math.log1p(-row_match)
            if not needed * rows <= num_perm:  # also inf and nan: more rows only need more
                break
            bands = math.ceil(needed)
        if bands * rows > num_perm:
            continue
        # Guard against the logarithms rounding to just below the target. Bounded: where
        # `threshold**rows` is lost in rounding (1 - it == 1.0), no number of bands helps.
        while bands * rows <= num_perm and candidate_probability(threshold, bands, rows) < (
            target_recall
        ):
            bands += 1
        if bands * rows > num_perm:
            continue
        key = (false_candidate_area(threshold, bands, rows), bands * rows, bands, rows)
        if best is None or key < best:
            best = key
    if best is None:
        reachable = candidate_probability(threshold, num_perm, 1)
        raise ConfigError(
            f"num_perm={num_perm} cannot reach recall {target_recall} at threshold {threshold}"
            f" (at most {reachable:.3f}); use more permutations or a lower target"
        )
    return best[2], best[3]


def band_keys(signatures: U32Array, bands: int, rows: int) -> U64Array:
    """One 64-bit key per band and document, shape ``(bands, n_docs)``.

    Band ``k`` covers signature columns ``k*rows:(k+1)*rows``; its key is a polynomial hash of
    those values, finalised with `fmix64`. Two documents with equal rows always get equal keys;
    unequal rows collide with probability ~2**-64, and a collision only adds a candidate that
    verification rejects.
    """
    n_docs, num_perm = signatures.shape
    if bands * rows > num_perm:
        raise ConfigError(f"bands*rows = {bands * rows} exceeds num_perm = {num_perm}")
    columns = np.ascontiguousarray(signatures[:, : bands * rows].T)  # contiguous per column
    keys = np.empty((bands, n_docs), dtype=np.uint64)
    base = np.uint64(POLY_BASE)
    for band in range(bands):
        acc = np.full(n_docs, band + 1, dtype=np.uint64)
        for column in columns[band * rows : (band + 1) * rows]:
            acc *= base
            acc += column
        keys[band] = fmix64(acc)
    return keys


def run_pairs(
    keys: U64Array,
    members: I64Array,
    *,
    max_full_run: int = 16,
    anchors: int = 4,
) -> I64Array:
    """Pairs of `members` whose `keys` are equal, shape ``(m, 2)``, each row ``(earlier, later)``.

    `members` are document ids listed in preference order (most preferred first) and `keys`
    their keys in the same order. Runs of at most `max_full_run` equal keys give all their
    pairs; longer runs pair each member with the run's first `anchors` members only (see the
    module docstring). A row's first id is the member that comes earlier in `members`.
    """
    if max_full_run < 2 or anchors < 1:
        raise ConfigError("max_full_run must be >= 2 and anchors >= 1")
    if members.size < 2:
        return np.zeros((0, 2), dtype=np.int64)
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    sorted_members = members[order]
    boundary = np.ones(sorted_keys.size, dtype=np.bool_)
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=boundary[1:])
    run_starts = np.flatnonzero(boundary)
    run_lengths = np.diff(np.append(run_starts, sorted_keys.size))
    repeated = run_lengths >= 2
    run_starts, run_lengths = run_starts[repeated], run_lengths[repeated]
    if not run_starts.size:
        return np.zeros((0, 2), dtype=np.int64)
    # Every position inside a repeated run, with its run's start, length and local index.
    position_run = np.repeat(np.arange(run_starts.size), run_lengths)
    starts = run_starts[position_run]
    lengths = run_lengths[position_run]
    positions = np.arange(position_run.size) + np.repeat(
        run_starts - np.cumsum(np.append(0, run_lengths[:-1])), run_lengths
    )
    local = positions - starts
    chunks: list[I64Array] = []
    # Small runs: position p pairs with every later position p + d in its run.
    small = lengths <= max_full_run
    small_positions, small_local, small_lengths = positions[small], local[small], lengths[small]
    for d in range(1, max_full_run):
        ok = small_local + d < small_lengths
        if not ok.any():
            break
        left = small_positions[ok]
        chunks.append(np.stack([left, left + d], axis=1))
    # Large runs: member at local index q pairs with the run's first min(anchors, q) members.
    large = ~small
    large_positions, large_local, large_starts = positions[large], local[large], starts[large]
    for d in range(anchors):
        ok = large_local > d
        chunks.append(np.stack([large_starts[ok] + d, large_positions[ok]], axis=1))
    pairs = np.concatenate(chunks) if chunks else np.zeros((0, 2), dtype=np.int64)
    found: I64Array = sorted_members[pairs]
    return found


def unique_pairs(pairs: I64Array) -> I64Array:
    """Distinct unordered pairs as ``(low id, high id)`` rows, sorted; self-pairs dropped."""
    return pairs_from_codes(sorted_unique(pair_codes(pairs)))


def pair_codes(pairs: I64Array) -> U64Array:
    """Each unordered pair as one ``uint64``: ``low << 32 | high`` (half the bytes of a row;
    sorting the codes sorts the pairs). Document ids must be below 2**32."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    low = np.minimum(pairs[:, 0], pairs[:, 1]).astype(np.uint64)
    high = np.maximum(pairs[:, 0], pairs[:, 1]).astype(np.uint64)
    low <<= np.uint64(32)
    low |= high
    return low


def pairs_from_codes(codes: U64Array) -> I64Array:
    """``(low, high)`` rows of `pair_codes`, in the codes' order; self-pairs dropped."""
    low = (codes >> np.uint64(32)).astype(np.int64)
    high = (codes & np.uint64(0xFFFFFFFF)).astype(np.int64)
    keep = low != high
    return np.stack([low[keep], high[keep]], axis=1)


def candidate_pairs(
    keys: U64Array | Iterable[U64Array],
    members: I64Array,
    *,
    max_full_run: int = 16,
    anchors: int = 4,
) -> I64Array:
    """Distinct candidate pairs over all bands, as sorted ``(low id, high id)`` rows.

    `keys` has shape ``(bands, n_docs)`` (from `band_keys`, indexed by document id), or is
    an iterable of its rows, one band at a time (so the caller never needs all bands in one
    array); `members` lists the document ids that take part (e.g. non-empty documents), in
    preference order. Document ids must be below 2**32.

    Memory: one band's keys and sort order (16 bytes per member) at a time, plus 8 bytes per
    pair found (`pair_codes`); the codes are deduplicated once at the end.
    """
    codes = [
        pair_codes(run_pairs(row[members], members, max_full_run=max_full_run, anchors=anchors))
        for row in keys
    ]
    if not codes:
        return np.zeros((0, 2), dtype=np.int64)
    return pairs_from_codes(sorted_unique(np.concatenate(codes)))


def sorted_unique(codes: npt.NDArray[Value]) -> npt.NDArray[Value]:
    """Sorted distinct values, sorting in place. (`np.unique` hashes before it sorts in
    numpy >= 2.3: 7 s instead of 0.5 s for 7 million codes.)"""
    codes.sort()
    if not codes.size:
        return codes
    distinct: npt.NDArray[Value] = codes[np.append(True, codes[1:] != codes[:-1])]
    return distinct
