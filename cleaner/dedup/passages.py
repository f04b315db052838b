"""Ordered sentence chains and shared passages: copies the unordered alignment misses.

The rewrite stage's first guard (`rewrite.Alignment.is_rewrite`) counts the sentences of the
shorter document whose best match in the other shares >= 40% of its content words, in any
order. That tolerates shuffled sentences but not heavy word substitution: a story respun
word by word (every sentence in place, a third of its words swapped for synonyms) keeps
only ~30% of each sentence's content words, and aligns nothing. Two signals separate such
copies from independent documents on the same topic:

- **Order.** A rewrite keeps the source's sentence order (a light revision, a spun copy, an
  excerpt with edits), so the best matches of its sentences climb through the source. Two
  independent documents on one topic share topic words all over, but their best matches
  jump around. `ordered_chain` is the longest chain of sentences whose best matches (from a
  looser similarity, `RewriteConfig.order_similarity`) never go back in the other
  document (a split sentence matches the same one twice): the longest non-decreasing
  subsequence, ``O(n log n)`` per document pair.
- **Shared passages.** A copy-and-paste document that also adds its own sentences keeps
  whole runs of the source's words: word 5-grams, which independent writers almost never
  share (containment of a same-topic independent document stays below 0.05 on the
  hand-written reuse set and below 0.4 on the BBC hardest negatives). `copy_kinds` names
  such pairs from their word-shingle containment.

Both are only evaluated on pairs the sentence keys made candidates (`rewrite_candidates`),
which find a 250-word excerpt inside a 2,000-word source as easily as a whole copy, unlike
MinHash LSH on Jaccard.
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np
import numpy.typing as npt

from cleaner.dedup.cluster import SIMILAR_LENGTH, MatchKind
from cleaner.dedup.verify import PairOverlaps

I64Array = npt.NDArray[np.int64]
F64Array = npt.NDArray[np.float64]
U8Array = npt.NDArray[np.uint8]
BoolArray = npt.NDArray[np.bool_]


def ordered_run(values: list[int]) -> int:
    """Length of the longest non-decreasing subsequence of `values` (patience sort).

    Non-decreasing, not strictly increasing: a sentence that a revision splits in two gives
    two sentences whose best match is the same sentence of the source, and both are in
    place (``[3, 3, 4]`` is a run of 3). Measured on the hand-written reuse sets
    (`bench/README.md`): the light revision lighthouse-k splits one sentence and keeps 6 of
    its 9 sentences in a strictly increasing chain (0.67, under the ordered share), 7
    (0.78) in a non-decreasing one; no independent document's chain grows (at most 0.25
    on the first set, 0.67 on the second), and BBC's scores are the same either way.
    """
    tails: list[int] = []
    for value in values:
        k = bisect_right(tails, value)
        if k == len(tails):
            tails.append(value)
        else:
            tails[k] = value
    return len(tails)


def ordered_chain(
    rows: I64Array,
    cols: I64Array,
    similarity: F64Array,
    pair_of_row: I64Array,
    n_pairs: int,
    *,
    threshold: float,
    needed: I64Array,
) -> I64Array:
    """Per pair, the longest chain of its rows whose best columns never decrease along the rows.

    `rows`, `cols`, `similarity` are the sentence pairs of a batch of document pairs that
    share words (rows: one side's sentences, cols: the other side's, both numbered through
    the batch, so that within a document pair both increase with the position in the text);
    `pair_of_row` maps a row to its document pair. Each row's best column is its most
    similar one with similarity >= `threshold` (ties: the earlier column). Pairs with fewer
    than `needed` matched rows cannot reach `needed` and get their matched count without
    the (Python) chain computation: only the pairs that might pass pay for it.
    """
    chain = np.zeros(n_pairs, dtype=np.int64)
    loose = similarity >= threshold
    if not loose.any():
        return chain
    r, c, s = rows[loose], cols[loose], similarity[loose]
    order = np.lexsort((c, -s, r))
    r, c = r[order], c[order]
    first = np.append(True, r[1:] != r[:-1])
    best_row, best_col = r[first], c[first]
    pair = pair_of_row[best_row]
    matched = np.bincount(pair, minlength=n_pairs).astype(np.int64)
    chain[:] = matched
    hopeful = np.flatnonzero(matched >= needed)
    if not hopeful.size:
        return chain
    starts = np.searchsorted(pair, hopeful, side="left")
    stops = np.searchsorted(pair, hopeful, side="right")
    for k, lo, hi in zip(hopeful.tolist(), starts.tolist(), stops.tolist(), strict=True):
        chain[k] = ordered_run(best_col[lo:hi].tolist())
    return chain


def copy_kinds(
    overlaps: PairOverlaps,
    *,
    containment_threshold: float,
    min_containment_shingles: int,
    partial_containment: float,
    min_partial_shingles: int,
) -> U8Array:
    """Per (representative, copy) pair, the kind its word-shingle overlap alone gives.

    Containment >= `containment_threshold` with the shorter set >= `min_containment_shingles`
    (the clustering stage's rule): ``excerpt``, ``revised`` or ``expanded`` by the length
    ratio copy / representative, as in `cluster`; else containment >= `partial_containment`
    with >= `min_partial_shingles` shingles shared: ``partial`` (passages copied, the rest
    new); else ``unique`` (the overlap alone does not make it a copy).
    """
    kind = np.full(len(overlaps), MatchKind.UNIQUE, dtype=np.uint8)
    smaller = np.minimum(overlaps.left_size, overlaps.right_size)
    containment = overlaps.containment
    partial = (containment >= partial_containment) & (overlaps.intersection >= min_partial_shingles)
    kind[partial] = MatchKind.PARTIAL
    contained = (containment >= containment_threshold) & (smaller >= min_containment_shingles)
    ratio = np.ones(len(overlaps), dtype=np.float64)
    np.divide(overlaps.right_size, overlaps.left_size, out=ratio, where=overlaps.left_size > 0)
    by_length = np.full(len(overlaps), MatchKind.REVISED, dtype=np.uint8)
    by_length[ratio < SIMILAR_LENGTH] = MatchKind.EXCERPT
    by_length[ratio > 1.0 / SIMILAR_LENGTH] = MatchKind.EXPANDED
    kind[contained] = by_length[contained]
    return kind
