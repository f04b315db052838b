"""One pair of documents judged exactly as a `dedup` run judges it: `judge_pair`.

`cleaner compare` explains a decision of the `dedup` stage. To explain the decision the stage
makes, and never one made with other numbers, the verdict comes from the stage's own code: a
`NearDupIndex` with the run's `DedupConfig` holding just the two texts (the same sketching, the
same prefix cut, LSH candidates, verification, chain-free clustering and rewrite stage), and
the Jaccard and containment come from `pair_overlaps` on the sets that index verifies.

One caveat is the input's, not this function's: in a run, a third document can claim one of
the two first (it is then a copy of that one, not of the other), which a pair cannot show.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cleaner.dedup.cluster import MatchKind
from cleaner.dedup.index import DedupConfig, DedupResult, NearDupIndex
from cleaner.dedup.verify import pair_overlaps


@dataclass(frozen=True, slots=True)
class PairVerdict:
    """What `dedup` decides for two documents A (0) and B (1), and the measures behind it.

    `kind` is the copy's `MatchKind` (``UNIQUE`` or ``EMPTY`` when neither is a copy of the
    other); `copy` is 0 or 1, the document that is the copy (None when neither is).
    `jaccard` and `containment` are those of the two shingle sets (of the sketched prefixes);
    `shingles` the sizes of the two sets; `aligned` the rewrite stage's aligned share, for
    the copies that stage found (``rewrite``, ``partial``, and excerpts only its sentence keys
    made candidates). A pair above the thresholds can still be ``UNIQUE``: the stage only
    verifies the pairs that LSH (or equal normalised texts) made candidates.
    """

    kind: MatchKind
    copy: int | None
    jaccard: float
    containment: float
    shingles: tuple[int, int]
    aligned: float | None

    @property
    def is_duplicate(self) -> bool:
        return self.copy is not None

    @property
    def label(self) -> str:
        """The kind as written to `meta.dup.kind`."""
        return self.kind.label


def judge_pair(text_a: str, text_b: str, config: DedupConfig) -> PairVerdict:
    """The decision a `dedup` run with `config` makes for `text_a` (first in input order) and
    `text_b`, were they the whole input."""
    with NearDupIndex(config) as index:
        prepared = index.sketcher.prepare([text_a, text_b])
        index.add_prepared(prepared)
        result = index.finish()
        overlaps = pair_overlaps(prepared.sets, np.array([[0, 1]], dtype=np.int64))
        kinds = [result.assignments.kind_of(i) for i in (0, 1)]
        copies = [i for i in (0, 1) if kinds[i].is_duplicate]
        copy = copies[0] if copies else None
        kind = kinds[copy] if copy is not None else max(kinds)
        aligned = None
        if result.aligned is not None and copy is not None and _claimed_by_stage(result, copy):
            aligned = round(float(result.aligned[copy]), 4)
        sizes = prepared.sets.sizes()
        return PairVerdict(
            kind=kind,
            copy=copy,
            jaccard=float(overlaps.jaccard[0]),
            containment=float(overlaps.containment[0]),
            shingles=(int(sizes[0]), int(sizes[1])),
            aligned=aligned,
        )


def _claimed_by_stage(result: DedupResult, copy: int) -> bool:
    """Whether the rewrite stage (not near/containment clustering) found document `copy`."""
    if result.aligned_sentences is not None:
        return bool(result.aligned_sentences[copy] >= 0)
    return result.assignments.kind_of(copy) is MatchKind.REWRITE
