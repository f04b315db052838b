"""Chain-free clustering of verified near-duplicate pairs around representatives.

Transitive clustering (connected components) merges unrelated pages through chains: page A
shares a template with B, B with C, ..., so A and Z end up "duplicates" although they share
nothing but boilerplate. Here a document joins a cluster only if it is verified similar to
the cluster's *representative*:

1. Documents are visited in preference order: earliest first (lowest index; the first copy
   seen is kept) or longest first (most shingles; the most complete version is kept), ties
   broken by index.
2. A visited document that no earlier representative claimed becomes a representative, and
   claims every not-yet-claimed document it has a verified match with.

So every member is directly similar to its representative; a chain A~B~C with A !~ C gives
two clusters ({A, B} and {C}), never one. The result is deterministic.

Verification is lazy, because only (representative, member) pairs matter: candidates are
verified in blocks of `block` documents in preference order, and a document already claimed
by a representative has its own candidate pairs skipped. Ten copies of a story give 9
verified pairs instead of 45. Within a block a document may be claimed after its pairs were
verified; that waste is bounded by the block size, which trades it against numpy call
overhead per block.

Each document gets a `MatchKind` saying how it relates to its representative:

- ``unique``: its own representative, no duplicates; ``representative``: kept copy of a
  cluster with members; ``empty``: nothing left after normalisation, never matched;
- ``normalized``: the same normalised text as the representative (`normalization`: case,
  punctuation and digits folded), so not necessarily the same text: ``exact`` is the word of
  `exact_dedup` alone;
- ``near``: Jaccard of the shingle sets >= `threshold` (small edits: a fixed typo, a changed
  headline, an added credit line);
- ``excerpt``, ``revised``, ``expanded``: Jaccard below the threshold, but the shorter of
  the two shingle sets is mostly (>= `containment_threshold`) inside the longer one. Which
  word applies depends on the length ratio ``member / representative`` (in shingles):
  ``excerpt`` below 0.8 (a teaser, a truncated copy), ``expanded`` above 1/0.8 (the story
  was updated and extended), ``revised`` in between (a rewrite of the same length: an
  updated story with a new intro, changed figures, a few sentences swapped);
- ``rewrite``: set afterwards by the rewrite stage (`rewrite.claim_rewrites`), never by
  `cluster_pairs`: few shingles shared, but most sentences of the shorter document align
  with a sentence of the other by their content words (a "spun" copy: synonyms swapped,
  sentences reordered, a paragraph dropped). Only a document left alone here can become one,
  and only through a verified match with its representative;
- ``partial``: set by the rewrite stage too (`passages.copy_kinds`): a candidate of the
  sentence keys whose word shingles are partly (>= `RewriteConfig.partial_containment`)
  inside its representative's, e.g. a copied paragraph with new sentences around it. The
  rewrite stage also gives ``excerpt``/``revised``/``expanded`` to containment matches that
  LSH did not make candidates (a short excerpt of a long source has a low Jaccard).

Containment matches need the shorter set to have at least `min_containment_shingles`
shingles, so a one-line snippet that happens to occur in a long article is not an "excerpt".
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from cleaner.dedup.verify import PairOverlaps
from cleaner.errors import ConfigError

I64Array = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]
F32Array = npt.NDArray[np.float32]
F64Array = npt.NDArray[np.float64]

Preference = Literal["earliest", "longest"]

SIMILAR_LENGTH = 0.8
"""Length ratio (shorter / longer) from which a containment match is ``revised`` rather than
``excerpt`` / ``expanded``."""


class MatchKind(enum.IntEnum):
    """How a document relates to its cluster's representative (stored as ``uint8``)."""

    UNIQUE = 0
    REPRESENTATIVE = 1
    EMPTY = 2
    NORMALIZED = 3  # the same normalised text (digits folded): not `exact_dedup`'s "exact"
    NEAR = 4
    EXCERPT = 5
    REVISED = 6
    EXPANDED = 7
    REWRITE = 8  # see `rewrite`
    PARTIAL = 9  # see `passages`: passages copied verbatim, the rest new

    @property
    def label(self) -> str:
        """Lower-case name, as written to annotations."""
        return self.name.lower()

    @property
    def is_duplicate(self) -> bool:
        """True for documents that are copies of another (their representative)."""
        return self >= MatchKind.NORMALIZED


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """When a verified pair counts as a match, and which copy represents a cluster."""

    threshold: float = 0.8
    containment_threshold: float = 0.8
    min_containment_shingles: int = 20
    prefer: Preference = "earliest"

    def __post_init__(self) -> None:
        for name in ("threshold", "containment_threshold"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], not {value}")
        if self.min_containment_shingles < 1:
            raise ConfigError("min_containment_shingles must be >= 1")
        if self.prefer not in ("earliest", "longest"):
            raise ConfigError(f"prefer must be 'earliest' or 'longest', not {self.prefer!r}")


@dataclass(frozen=True, slots=True)
class Assignments:
    """Per document: cluster, representative, similarity to it, and the kind of match.

    `cluster` ids are dense, numbered in the order of their representatives' indices.
    `similarity` and `containment` are measured against the representative (1.0 for a
    representative itself, 0.0 for an empty document).
    """

    cluster: I64Array
    representative: I64Array
    similarity: F32Array
    containment: F32Array
    kind: npt.NDArray[np.uint8]

    def __len__(self) -> int:
        return int(self.cluster.size)

    def kind_of(self, i: int) -> MatchKind:
        return MatchKind(int(self.kind[i]))

    @property
    def is_duplicate(self) -> npt.NDArray[np.bool_]:
        """Mask of documents that are copies of their representative."""
        return self.kind >= MatchKind.NORMALIZED

    def counts(self) -> dict[str, int]:
        """Number of documents of each kind, by label."""
        found = np.bincount(self.kind, minlength=len(MatchKind))
        return {kind.label: int(found[kind]) for kind in MatchKind}


def preference_order(sizes: I64Array, prefer: Preference) -> I64Array:
    """Document indices, most preferred representative first (ties: lower index first)."""
    if prefer == "longest":
        return np.argsort(-sizes, kind="stable").astype(np.int64)
    return np.arange(sizes.size, dtype=np.int64)


def matching_pairs(overlaps: PairOverlaps, config: ClusterConfig) -> npt.NDArray[np.bool_]:
    """Mask of the verified pairs that count as matches (near or containment)."""
    near = overlaps.jaccard >= config.threshold
    smaller = np.minimum(overlaps.left_size, overlaps.right_size)
    contained = (overlaps.containment >= config.containment_threshold) & (
        smaller >= config.min_containment_shingles
    )
    return near | contained


@dataclass(frozen=True, slots=True)
class ClusterStats:
    """How much verification clustering needed."""

    candidate_pairs: int
    verified_pairs: int
    matching_pairs: int


Verifier = Callable[[I64Array], PairOverlaps]
"""Exact overlaps of rows of document-id pairs (e.g. ``partial(pair_overlaps, sets)``)."""


def cluster_pairs(
    pairs: I64Array,
    sizes: I64Array,
    text_hashes: U64Array,
    verify: Verifier,
    config: ClusterConfig | None = None,
    *,
    block: int = 256,
) -> tuple[Assignments, ClusterStats]:
    """Cluster documents ``0..len(sizes)-1`` given their candidate `pairs`.

    `sizes` are the shingle-set sizes (0 = empty document), `text_hashes` the hashes of the
    whole normalised texts (equal for exact copies), `verify` computes exact overlaps. Only
    candidates that `verify` confirms (`matching_pairs`) link documents.
    """
    config = config or ClusterConfig()
    n_docs = int(sizes.size)
    order = preference_order(sizes, config.prefer)
    rank = np.empty(n_docs, dtype=np.int64)
    rank[order] = np.arange(n_docs, dtype=np.int64)
    # Orient every candidate from the more preferred document (source) to the less preferred
    # one (target) and group by source in preference order: a target is always visited later.
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    swap = rank[pairs[:, 0]] > rank[pairs[:, 1]]
    source = np.where(swap, pairs[:, 1], pairs[:, 0])
    target = np.where(swap, pairs[:, 0], pairs[:, 1])
    by_rank = np.argsort(rank[source], kind="stable")
    source, target = source[by_rank], target[by_rank]
    group_starts = np.flatnonzero(np.diff(source, prepend=-1) != 0)
    group_ends = np.append(group_starts[1:], source.size)

    representative = np.full(n_docs, -1, dtype=np.int64)
    similarity = np.ones(n_docs, dtype=np.float64)
    containment = np.ones(n_docs, dtype=np.float64)
    verified = matched = 0
    for lo in range(0, group_starts.size, block):
        starts, ends = group_starts[lo : lo + block], group_ends[lo : lo + block]
        live = representative[source[starts]] == -1
        starts, ends = starts[live], ends[live]
        lengths = ends - starts
        edges = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(
            starts - (np.cumsum(lengths) - lengths), lengths
        )
        edges = edges[representative[target[edges]] == -1]
        if not edges.size:
            continue
        overlaps = verify(np.stack([source[edges], target[edges]], axis=1))
        ok = matching_pairs(overlaps, config)
        verified += edges.size
        matched += int(ok.sum())
        _claim(
            source[edges[ok]],
            target[edges[ok]],
            overlaps.jaccard[ok],
            overlaps.containment[ok],
            representative,
            similarity,
            containment,
        )
    alone = np.flatnonzero(representative == -1)
    representative[alone] = alone
    assignments = _assignments(
        representative, similarity, containment, sizes, text_hashes, config.threshold
    )
    stats = ClusterStats(
        candidate_pairs=int(pairs.shape[0]), verified_pairs=verified, matching_pairs=matched
    )
    return assignments, stats


def _claim(
    source: I64Array,
    target: I64Array,
    jaccard: F64Array,
    contained: F64Array,
    representative: I64Array,
    similarity: F64Array,
    containment: F64Array,
) -> None:
    """The sequential step: sources in preference order become representatives (unless
    already claimed) and claim their still-free matched targets. Updates arrays in place."""
    if not source.size:
        return
    starts = np.flatnonzero(np.diff(source, prepend=-1) != 0)
    ends = np.append(starts[1:], source.size)
    for lo, hi, doc in zip(starts.tolist(), ends.tolist(), source[starts].tolist(), strict=True):
        if representative[doc] != -1:
            continue
        representative[doc] = doc
        free = lo + np.flatnonzero(representative[target[lo:hi]] == -1)
        members = target[free]
        representative[members] = doc
        similarity[members] = jaccard[free]
        containment[members] = contained[free]


def _assignments(
    representative: I64Array,
    similarity: F64Array,
    containment: F64Array,
    sizes: I64Array,
    text_hashes: U64Array,
    threshold: float,
) -> Assignments:
    """Kinds and cluster ids from the finished representative assignment."""
    n_docs = int(sizes.size)
    kind = np.full(n_docs, MatchKind.UNIQUE, dtype=np.uint8)
    members = np.flatnonzero(representative != np.arange(n_docs))
    reps = representative[members]
    kind[reps] = MatchKind.REPRESENTATIVE
    ratio = sizes[members] / sizes[reps]
    member_kind = np.full(members.size, MatchKind.REVISED, dtype=np.uint8)
    member_kind[ratio < SIMILAR_LENGTH] = MatchKind.EXCERPT
    member_kind[ratio > 1.0 / SIMILAR_LENGTH] = MatchKind.EXPANDED
    member_kind[similarity[members] >= threshold] = MatchKind.NEAR
    same_text = (text_hashes[members] == text_hashes[reps]) & (similarity[members] == 1.0)
    member_kind[same_text] = MatchKind.NORMALIZED
    kind[members] = member_kind
    empty = sizes == 0
    kind[empty] = MatchKind.EMPTY
    similarity[empty] = 0.0
    containment[empty] = 0.0
    # Dense cluster ids in the order of the representatives' indices.
    is_representative = representative == np.arange(n_docs)
    cluster_ids = np.cumsum(is_representative) - 1
    return Assignments(
        cluster=cluster_ids[representative].astype(np.int64),
        representative=representative,
        similarity=similarity.astype(np.float32),
        containment=containment.astype(np.float32),
        kind=kind,
    )
