"""Chain-free clustering of verified near-duplicate pairs around representatives.

Transitive clustering (connected components) merges unrelated pages through chains: page A
shares a template with B, B with C, ..., so A and Z end up "duplicates" although they share
nothing but boilerplate. Here a document joins a cluster only if it is verified similar to
the cluster's *representative*:

1. Every candidate pair is verified exactly (`verify`), in batches of `block` pairs; the
   matching ones (`matching_pairs`) are the only links.
2. Documents are ranked by `preference_order`, from properties of the documents alone (never
   where they stand in the input, except as the very last tie-break), so that the same
   documents in any order, under any file names, in any number of shards give the same
   clusters and the same representatives. With ``prefer = "source"`` (the default): the
   earliest publication date first (`published`; documents without one after those with
   one), then the document that *contains the others best* (`containment_scores`: the sum,
   over its matching partners, of the share of the partner's shingles found in it: a source
   contains its excerpts, an excerpt holds only a slice of its source), then the most
   shingles, then a hash of the normalised text, then of the text as it is, then the id
   (`tie_rank`), then the input position (which only separates identical texts with equal
   ids).
3. Visited in that order, a document that no earlier representative claimed becomes a
   representative, and claims every not-yet-claimed document it has a verified match with.

So every member is directly similar to its representative; a chain A~B~C with A !~ C gives
two clusters ({A, B} and {C}), never one, and a derived document joins its source's family
even when it shares little with the source's other copies. The source of five excerpts
taken from different parts of it represents all five whatever the input order, and is never
itself flagged as a copy of one of them.

Every candidate is verified (not only the pairs of documents still unclaimed): the ranking
needs each document's matches before the first claim. That costs the pairs between copies of
one story (ten copies: 45 pairs instead of 9), a few per cent of the candidates on news.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from cleaner.dedup.verify import PairOverlaps
from cleaner.errors import ConfigError

I64Array = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]
F32Array = npt.NDArray[np.float32]
F64Array = npt.NDArray[np.float64]

Preference = Literal["source", "earliest", "longest"]
PREFERENCES: tuple[Preference, ...] = ("source", "earliest", "longest")
"""What `ClusterConfig.prefer` accepts: ``source`` (earliest published, then the document
that contains the others best, then the longest), ``earliest`` (earliest published, then
input order: the first copy seen is kept), ``longest`` (most shingles)."""

NO_DATE = np.iinfo(np.int64).max
"""`published` value of a document without a publication date: ranked after every date."""

CONTAINMENT_SCALE = 1_000_000
"""Containment shares are summed as integers of this scale (`containment_scores`), so that
the sum does not depend on the order of the pairs (float sums do, in their last bits)."""

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


class Settled(enum.IntEnum):
    """What a document decided in an earlier run (a persistent index's) was, as far as a
    later run needs to know to decide its own documents as one run over both would
    (`NearDupIndex.finish(settled=...)`; stored as ``uint8``).

    In one run, clustering decides before the rewrite stage: a document the rewrite stage
    claims is still free during clustering (it may claim a later document there, and its
    sentence keys count), and a document clustering claims is no rewrite candidate at all.
    """

    KEPT = 0  # unique or a representative: may claim later documents in both stages
    LATE_COPY = 1  # claimed by the rewrite stage: free in clustering, claimed in the rewrite stage
    COPY = 2  # claimed by clustering: claims nothing; its keys only make runs as long as in one run

    @staticmethod
    def of(kinds: npt.NDArray[np.uint8], late: npt.NDArray[np.bool_]) -> npt.NDArray[np.uint8]:
        """The roles of documents of these `kinds` (`MatchKind`), `late` where the rewrite
        stage claimed them."""
        copy = kinds >= MatchKind.NORMALIZED
        out = np.full(kinds.size, Settled.KEPT, dtype=np.uint8)
        out[copy] = Settled.COPY
        out[copy & late] = Settled.LATE_COPY
        return out


@dataclass(frozen=True, slots=True)
class ClusterConfig:
    """When a verified pair counts as a match, and which copy represents a cluster."""

    threshold: float = 0.8
    containment_threshold: float = 0.8
    min_containment_shingles: int = 20
    prefer: Preference = "source"

    def __post_init__(self) -> None:
        for name in ("threshold", "containment_threshold"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"{name} must be in (0, 1], not {value}")
        if self.min_containment_shingles < 1:
            raise ConfigError("min_containment_shingles must be >= 1")
        if self.prefer not in PREFERENCES:
            choices = ", ".join(repr(p) for p in PREFERENCES)
            raise ConfigError(f"prefer must be one of {choices}, not {self.prefer!r}")


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
    order: I64Array | None = None  # the preference order that chose the representatives

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


def preference_order(
    sizes: I64Array,
    prefer: Preference,
    *,
    text_hashes: U64Array | None = None,
    raw_hashes: U64Array | None = None,
    published: I64Array | None = None,
    contains: I64Array | None = None,
    tie_rank: I64Array | None = None,
    pinned: int = 0,
) -> I64Array:
    """Document indices, most preferred representative first.

    The first `pinned` documents come before all others, in input order, whatever `prefer`
    says: documents whose decisions are already made (an index's), which a later document
    may join but never claim.

    `sizes`: shingle-set sizes; `text_hashes`: hashes of the normalised texts, `raw_hashes`
    of the texts as they are (equal normalised texts differ by case or punctuation); `published`:
    publication dates as sortable integers (`NO_DATE` for none); `contains`: how well each
    document contains its matching partners (`containment_scores`); `tie_rank`: rank of the
    documents' ids among the documents they could tie with (`id_tie_ranks`). Any of them may
    be None (not known: no document differs by it). The input position is the last key.

    - ``source``: published, contains (most first), sizes (most first), text hash, raw hash,
      tie rank;
    - ``earliest``: published, then input position (the first copy seen is kept);
    - ``longest``: sizes (most first), text hash, raw hash, tie rank.
    """
    order = _ranked(sizes, prefer, text_hashes, raw_hashes, published, contains, tie_rank)
    if pinned <= 0:
        return order
    pinned = min(pinned, order.size)
    rest = order[order >= pinned]
    return np.concatenate([np.arange(pinned, dtype=np.int64), rest]).astype(np.int64)


def _ranked(
    sizes: I64Array,
    prefer: Preference,
    text_hashes: U64Array | None,
    raw_hashes: U64Array | None,
    published: I64Array | None,
    contains: I64Array | None,
    tie_rank: I64Array | None,
) -> I64Array:
    """`preference_order` without pinned documents."""
    n_docs = int(sizes.size)
    position = np.arange(n_docs, dtype=np.int64)
    if prefer == "earliest":
        if published is None:
            return position
        return np.lexsort((position, published)).astype(np.int64)
    zeros = np.zeros(n_docs, dtype=np.int64)
    keys: list[npt.NDArray[np.generic]] = [
        position,
        zeros if tie_rank is None else tie_rank,
        zeros.astype(np.uint64) if raw_hashes is None else raw_hashes,
        zeros.astype(np.uint64) if text_hashes is None else text_hashes,
        -np.asarray(sizes, dtype=np.int64),
    ]
    if prefer == "source":
        keys.append(zeros if contains is None else -contains)
        keys.append(zeros if published is None else published)
    return np.lexsort(tuple(keys)).astype(np.int64)


def id_tie_ranks(ids: Sequence[str], text_hashes: U64Array) -> I64Array:
    """Per document, the rank of its id among the documents that share their text hash (0
    for a hash nobody else has): the tie-break of `preference_order` that is left once the
    documents' contents are equal. Only those documents are sorted, so ranking costs little
    when most texts are distinct."""
    ranks = np.zeros(text_hashes.size, dtype=np.int64)
    _, inverse, counts = np.unique(text_hashes, return_inverse=True, return_counts=True)
    tied = np.flatnonzero(counts[inverse.reshape(-1)] > 1)
    if tied.size:
        ordered = sorted(tied.tolist(), key=ids.__getitem__)
        ranks[np.asarray(ordered, dtype=np.int64)] = np.arange(1, tied.size + 1)
    return ranks


def containment_scores(overlaps: PairOverlaps, n_docs: int) -> I64Array:
    """Per document, how well it contains its partners in `overlaps` (the matching pairs):
    the sum over its partners of ``|A ∩ B| / |B|`` (the share of partner B found in it), in
    units of 1/`CONTAINMENT_SCALE`. A source scores about one per excerpt taken from it; each
    excerpt only the slice of the source it holds. Integer sums: the same whatever the pair
    order."""
    inter = overlaps.intersection.astype(np.int64) * CONTAINMENT_SCALE
    left_gets = inter // np.maximum(overlaps.right_size, 1)
    right_gets = inter // np.maximum(overlaps.left_size, 1)
    scores = np.zeros(n_docs, dtype=np.int64)
    np.add.at(scores, overlaps.left, left_gets)
    np.add.at(scores, overlaps.right, right_gets)
    return scores


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
    published: I64Array | None = None,
    raw_hashes: U64Array | None = None,
    tie_rank: I64Array | None = None,
    pinned: int = 0,
    block: int = 1 << 16,
) -> tuple[Assignments, ClusterStats]:
    """Cluster documents ``0..len(sizes)-1`` given their candidate `pairs`.

    `sizes` are the shingle-set sizes (0 = empty document), `text_hashes` the hashes of the
    whole normalised texts (equal for exact copies), `verify` computes exact overlaps,
    `block` pairs at a time. Only candidates that `verify` confirms (`matching_pairs`) link
    documents. `published`, `raw_hashes` and `tie_rank` rank representatives
    (`preference_order`), the first `pinned` documents before all others; the order used is
    `Assignments.order`, which the rewrite stage continues with.
    """
    config = config or ClusterConfig()
    n_docs = int(sizes.size)
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    matches = verify_matches(pairs, verify, config, block)
    contains = containment_scores(matches, n_docs) if config.prefer == "source" else None
    order = preference_order(
        sizes,
        config.prefer,
        text_hashes=text_hashes,
        raw_hashes=raw_hashes,
        published=published,
        contains=contains,
        tie_rank=tie_rank,
        pinned=pinned,
    )
    rank = np.empty(n_docs, dtype=np.int64)
    rank[order] = np.arange(n_docs, dtype=np.int64)
    # Orient every match from the more preferred document (source) to the less preferred
    # one (target), and visit sources in preference order: a target is always visited later.
    swap = rank[matches.left] > rank[matches.right]
    source = np.where(swap, matches.right, matches.left)
    target = np.where(swap, matches.left, matches.right)
    by_rank = np.lexsort((rank[target], rank[source]))
    representative = np.full(n_docs, -1, dtype=np.int64)
    similarity = np.ones(n_docs, dtype=np.float64)
    containment = np.ones(n_docs, dtype=np.float64)
    _claim(
        source[by_rank],
        target[by_rank],
        matches.jaccard[by_rank],
        matches.containment[by_rank],
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
        candidate_pairs=int(pairs.shape[0]),
        verified_pairs=int(pairs.shape[0]),
        matching_pairs=len(matches),
    )
    return replace(assignments, order=order), stats


def verify_matches(
    pairs: I64Array, verify: Verifier, config: ClusterConfig, block: int
) -> PairOverlaps:
    """The overlaps of the candidate `pairs` that match (`matching_pairs`), verified `block`
    pairs at a time, in the order of `pairs`."""
    parts: list[PairOverlaps] = []
    for lo in range(0, pairs.shape[0], max(block, 1)):
        overlaps = verify(pairs[lo : lo + block])
        parts.append(overlaps.select(matching_pairs(overlaps, config)))
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return PairOverlaps(empty, empty, empty, empty, empty)
    return PairOverlaps(
        *(
            np.concatenate([getattr(part, name) for part in parts]).astype(np.int64)
            for name in ("left", "right", "intersection", "left_size", "right_size")
        )
    )


def _claim(
    source: I64Array,
    target: I64Array,
    jaccard: F64Array,
    contained: F64Array,
    representative: I64Array,
    similarity: F64Array,
    containment: F64Array,
) -> None:
    """The sequential step: sources in preference order (grouped, each group's targets in
    preference order too) become representatives unless already claimed, and claim their
    still-free matched targets. Updates arrays in place."""
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
