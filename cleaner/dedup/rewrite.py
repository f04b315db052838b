"""Rewritten ("spun") stories: sentence-key candidates, verified by sentence alignment.

A spun copy swaps words for synonyms, reorders sentences, drops a paragraph and adds a few
lines, so almost none of its word 5-grams survive (a 5-gram outlives a 25% word swap with
probability 0.75**5 = 0.24) and the near/containment checks miss it. What survives is the
sentence structure: each sentence of the copy still corresponds to one sentence of the
original and keeps most of its content words. Two different stories on the same topic are
the opposite case: they share names and topic words ("Milley", "Gerasimov", "phone call")
all over, but hardly any of their sentences say the same thing.

So this stage works on sentences, each reduced to the set of its content words
(`sentences.SentenceSketches`; stopwords out, numbers kept):

1. **Candidates** (`rewrite_candidates`): each sentence gets `keys_per_sentence` keys, each
   the hash of its `key_words` smallest content-word hashes under an independent
   permutation (a bottom-k MinHash of the sentence). Two sentences with content-word Jaccard
   ``j`` share a key with probability about ``j**key_words``, wherever they sit in their
   documents, so reordering and dropped paragraphs do not matter and an excerpt is found as
   easily as a whole copy. Documents sharing >= `min_shared_keys` keys are candidates; a key
   held by more than `max_key_docs` documents (a stock sentence) pairs nobody.
2. **Guard** (`align_pairs`): each sentence of the shorter document (fewer sentences) is
   aligned with its best match in the other, by content-word Jaccard. The pair is a
   rewrite if at least `aligned_share` of those sentences, and at least
   `min_aligned_sentences`, align with Jaccard >= `sentence_similarity`; or if at least
   `ordered_share` of them form a chain whose best matches at the looser
   `order_similarity` keep their order (`passages.ordered_chain`: light revisions and
   stories respun word by word, every sentence in place). Only the `max_candidates`
   candidates sharing the most keys with a document are checked for it. The same pairs
   are checked on their word shingles (`passages.copy_kinds`): a short excerpt of a long
   source (which LSH on Jaccard does not make a candidate) or a copied paragraph with new
   text around it.
3. **Claim** (`claim_rewrites`): runs after near/containment clustering, on what it left. A
   document still alone (kind ``unique``) can be claimed, as kind ``excerpt``/``revised``/
   ``expanded`` (containment as in `cluster`), ``rewrite`` (aligned) or ``partial``
   (containment >= `partial_containment`), by a more preferred document that is a
   representative or alone itself. As in `cluster`, a document only ever joins a cluster
   through a verified match with its representative.

Defaults, from `bench/dedup_quality.py` on BBC News (2,225 articles + 1,800 generated
rewrites, every pair of the 4,025 documents scored; seeds 0, 1, 2):

- ``sentence_similarity=0.4``, ``aligned_share=0.6``: no false pair in any seed (precision
  1.000; none of the 500 hardest same-topic negatives flagged), recall 0.95-0.99 on the
  heaviest synonym swaps (~31% of content words) and 0.955-0.97 on "mix" (spun: synonyms,
  sentences shuffled across paragraphs, a paragraph dropped, typos, boilerplate), >= 0.985
  on every light kind. The hardest negatives (follow-up stories that reuse background
  paragraphs and quotes) reach an aligned share of 0.56: ``aligned_share=0.55`` lets 3 of
  them through, 0.6 none; ``sentence_similarity=0.35`` flags one in seed 0, 0.45 drops heavy
  recall to ~0.87. Seeds 003 and 004 (one topic, two events) align 0 of 27 sentences; the
  spun seed 000 of `fixtures/dedup_seed000_spun` aligns 25 of 31.
- The ordered guard and partial copies (issue 13; `bench/README.md`): ``order_similarity
  = 0.25`` chosen on MSRP train (the highest threshold keeping >= 95% of its paraphrases,
  `bench/msrp_bench.py`), ``partial_containment = 0.4`` on BBC seed 0 (0.3 flags eleven of
  the 500 hardest negatives); seeds 1 and 2 and the hand-written reuse sets only tested it.
  ``ordered_share = 0.75``, on BBC seed 0 once representatives came from the documents:
  at 0.7 the box-office story and the next weekend's (entertainment/076 and 100, one
  template, new figures) kept 8 of 11 sentences in order (0.727) and were flagged; 0.75
  and 0.8 flag neither and find the same copies (0.6 flags one more hardest negative).
  Seeds 1 and 2, and the two hand-written reuse sets (light revisions >= 0.78 in order,
  independent answers <= 0.67), only tested it.
- Numbers are kept (not folded to ``0`` as for shingles): folded, a box-office story and
  the next weekend's (entertainment/076 and 100: one template, new figures) aligned 0.73
  and were flagged.
- ``key_words=2``, ``keys_per_sentence=4``, ``min_shared_keys=2``: every generated rewrite
  became a candidate (candidate recall 1.000), with ~0.8 candidate pairs per document.
  ``max_key_docs=8`` (4 and 16 give the same scores) skips the inserted boilerplate lines.

Costs (BBC News): sketches ~810 bytes per article (4 per content word, 2 per sentence, 4
per document; the hashes spill to disk with the shingle hashes), sketching ~0.1 ms per
article, the stage in ``finish`` ~0.1 ms per article. Verification runs at ~25,000 pairs per
second; `max_key_docs` and `max_candidates` bound the work where sentences are widely
reused. On the synthetic stream of `bench/dedup_scale.py` (documents cut from runs of BBC
sentences, so every sentence recurs in dozens of documents) at 100,000 documents the stage
adds ~6 s to ``add`` (9 -> 15 s), ~13 s to ``finish`` (2.5 verified pairs per document)
and ~270 MB to the peak RSS (343 -> 610 MB).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial

import numpy as np
import numpy.typing as npt

from cleaner.dedup.cluster import Assignments, ClusterConfig, MatchKind, Settled
from cleaner.dedup.hashing import MASK32, POLY_BASE, fmix32, fmix64
from cleaner.dedup.lsh import run_pairs
from cleaner.dedup.passages import copy_kinds, ordered_chain
from cleaner.dedup.sentences import SentenceSketcher, SentenceSketches
from cleaner.dedup.verify import PairOverlaps
from cleaner.errors import ConfigError
from cleaner.stage import TaskMap, serial_map

U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]
F32Array = npt.NDArray[np.float32]
F64Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_MAX_ELEMENTS = 1 << 19
_CHUNK_WORDS = 1 << 22
_32 = np.uint64(32)
_SALT_MULTIPLIER = 0x9E3779B1
_PASSAGE_SLACK = 0.75
"""Word shingles of a candidate pair are compared when its aligned sentence share reaches
this part of `RewriteConfig.partial_containment`: copied text is
whole sentences that align, but a long copied sentence holds more shingles than a short
one, hence the slack."""


@dataclass(frozen=True, slots=True)
class RewriteConfig:
    """When two documents count as rewrites of one another (defaults: module docstring).

    - `enabled`: False skips the stage, like ``DedupConfig(rewrite=None)``.
    - `min_sentence_words`: sentences with fewer content words are not sketched.
    - `key_words`: content words per candidate key (the candidates' "shingle size");
      `keys_per_sentence` keys per sentence; `min_shared_keys` per candidate pair.
    - `max_key_docs`: a key held by more documents (a stock sentence) makes no candidates.
    - `max_candidates`: per document that may be claimed, only the candidates sharing the
      most keys with it are verified (bounds the work where sentences are widely reused).
    - `sentence_similarity`: content-word Jaccard from which two sentences align.
    - `aligned_share`, `min_aligned_sentences`: how much of the shorter document must align.
    - `order_similarity`, `ordered_share`: the second guard (`passages.ordered_chain`): a
      share `ordered_share` (and `min_aligned_sentences`) of the shorter document's
      sentences whose best matches at content-word Jaccard >= `order_similarity` keep
      their order in the other document (light revisions, word-by-word spun copies).
    - `partial_containment`, `min_partial_shingles`: a candidate whose word shingles are
      this much inside the other's, with at least that many shared, is a ``partial`` copy
      (`passages.copy_kinds`).
    - `seed`: of the key permutations.
    """

    enabled: bool = True
    min_sentence_words: int = 3
    key_words: int = 2
    keys_per_sentence: int = 4
    min_shared_keys: int = 2
    max_key_docs: int = 8
    max_candidates: int = 4
    sentence_similarity: float = 0.4
    aligned_share: float = 0.6
    min_aligned_sentences: int = 3
    order_similarity: float = 0.25
    ordered_share: float = 0.75
    partial_containment: float = 0.4
    min_partial_shingles: int = 20
    seed: int = 1

    def __post_init__(self) -> None:
        for name in (
            "sentence_similarity",
            "aligned_share",
            "order_similarity",
            "ordered_share",
            "partial_containment",
        ):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ConfigError(f"rewrite {name} must be in (0, 1], not {value}")
        for name in (
            "min_sentence_words",
            "key_words",
            "keys_per_sentence",
            "min_shared_keys",
            "min_aligned_sentences",
            "max_candidates",
            "min_partial_shingles",
        ):
            if getattr(self, name) < 1:
                raise ConfigError(f"rewrite {name} must be >= 1, not {getattr(self, name)}")
        if self.key_words > self.min_sentence_words:
            raise ConfigError(
                f"rewrite key_words={self.key_words} exceeds min_sentence_words="
                f"{self.min_sentence_words}: short sentences would get no key"
            )
        if self.max_key_docs < 2:
            raise ConfigError(f"rewrite max_key_docs must be >= 2, not {self.max_key_docs}")

    def sketcher(self) -> SentenceSketcher:
        """The `SentenceSketcher` that prepares documents for this configuration."""
        return SentenceSketcher(min_sentence_words=self.min_sentence_words)


def _slot_keys(hashes: U32Array, sizes: I64Array, slot: int, config: RewriteConfig) -> U32Array:
    """Key `slot` of consecutive sentences (their `hashes`, `sizes` each): a 32-bit hash of
    each sentence's `key_words` smallest content-word hashes under permutation `slot`
    (``fmix32(h ^ salt)``, a bijection of 32-bit values), i.e. a bottom-k MinHash of it."""
    salt = np.uint32((config.seed * _SALT_MULTIPLIER + slot) & MASK32)
    local = np.repeat(np.arange(sizes.size, dtype=np.uint64), sizes) << _32
    permuted = local | fmix32(hashes ^ salt).astype(np.uint64)
    permuted.sort()  # by sentence, then permuted hash: each sentence's minima first
    starts = np.cumsum(sizes) - sizes
    acc = np.full(sizes.size, slot + 1, dtype=np.uint64)
    for m in range(config.key_words):
        acc *= np.uint64(POLY_BASE)
        acc += permuted[starts + m] & np.uint64(MASK32)
    keys: U32Array = (fmix64(acc) & np.uint64(MASK32)).astype(np.uint32)
    return keys


def sentence_keys(sketches: SentenceSketches, config: RewriteConfig) -> U32Array:
    """Every candidate key of every sentence, ``(keys_per_sentence, n_sentences)``.

    A key is a function of its sentence alone, so it can be computed where the documents are
    sketched (map workers), leaving `rewrite_candidates` only the sort that pairs them.
    """
    hashes, sizes = _all_sentences(sketches)
    keys = np.empty((config.keys_per_sentence, sizes.size), dtype=np.uint32)
    for slot in range(config.keys_per_sentence):
        keys[slot] = _slot_keys(hashes, sizes, slot, config)
    return keys


def _all_sentences(sketches: SentenceSketches) -> tuple[U32Array, I64Array]:
    """Every content-word hash of `sketches`, and each sentence's number of them."""
    words = sketches.word_offsets()
    return sketches.read(words[:1], words[-1:]), sketches.sentence_sizes.astype(np.int64)


def _member_sentences(
    sketches: SentenceSketches, members: I64Array
) -> tuple[npt.NDArray[np.bool_], U64Array]:
    """Mask of the sentences of `members` among all sentences, and their documents."""
    is_member = np.zeros(len(sketches), dtype=np.bool_)
    is_member[members] = True
    doc_of = np.repeat(np.arange(len(sketches), dtype=np.uint64), sketches.sentence_counts())
    take = is_member[doc_of]
    return take, doc_of[take]


def _tagged_keys(
    slot_keys: U32Array, take: npt.NDArray[np.bool_], doc_of: U64Array, crowded: U32Array | None
) -> U64Array:
    """``key << 32 | document`` of one key slot for the sentences in `take` (whose documents
    are `doc_of`), less those whose key is in `crowded`."""
    member_keys = np.asarray(slot_keys)[take]
    tagged = (member_keys.astype(np.uint64) << _32) | doc_of
    if crowded is not None and crowded.size:
        tagged = tagged[~np.isin(member_keys, crowded)]
    return tagged


def rewrite_candidates(
    sketches: SentenceSketches,
    members: I64Array,
    config: RewriteConfig,
    *,
    chunk_words: int = _CHUNK_WORDS,
    keys: Sequence[U32Array] | U32Array | None = None,
    crowded: Sequence[U32Array] | None = None,
) -> tuple[I64Array, I64Array]:
    """Pairs of `members` (document ids) sharing at least `min_shared_keys` sentence keys,
    as sorted ``(low id, high id)`` rows, and how many keys each pair shares.

    Key slot by key slot: the keys of all member sentences, each tagged with its document
    (``key << 32 | document``: 8 bytes per sentence, the largest array of the stage), are
    sorted; a key held by 2 to `max_key_docs` documents pairs them all, a key held by more
    is a stock sentence (boilerplate, a quote everyone runs) and is ignored. The hashes are
    read `chunk_words` at a time, documents in order. `keys`, when given, holds each slot's
    keys of every sentence already (`sentence_keys`), and the hashes are not read.
    `crowded` (with `keys`): per slot, sorted keys known to be held by more than
    `max_key_docs` documents elsewhere (a persistent index's history, whose holders are
    not all here): they pair nobody, as if all their holders were here.
    """
    found: list[U64Array] = []
    if keys is not None:
        take, doc_of = _member_sentences(sketches, members)
        for slot, slot_keys in enumerate(keys):
            slot_crowded = None if crowded is None else crowded[slot]
            tagged = _tagged_keys(slot_keys, take, doc_of, slot_crowded)
            found.append(_shared_key_pairs(tagged, config.max_key_docs))
            del tagged
        return _enough_shared(found, config)
    if crowded is not None:
        raise ValueError("crowded sentence keys are only known with the keys (`sentence_keys`)")
    is_member = np.zeros(len(sketches), dtype=np.bool_)
    is_member[members] = True
    counts = sketches.sentence_counts()
    words = sketches.word_offsets()
    chunks = _doc_chunks(words, chunk_words)
    n_tagged = int(counts[is_member].sum())
    for slot in range(config.keys_per_sentence):
        tagged = np.empty(n_tagged, dtype=np.uint64)
        filled = 0
        for first, stop in chunks:
            docs = np.arange(first, stop, dtype=np.int64)
            lo, hi = int(sketches.doc_offsets[first]), int(sketches.doc_offsets[stop])
            hashes = sketches.read(words[first : first + 1], words[stop : stop + 1] - words[first])
            sizes = sketches.sentence_sizes[lo:hi].astype(np.int64)
            chunk_keys = _slot_keys(hashes, sizes, slot, config)
            doc_of = np.repeat(docs, counts[first:stop])
            take = is_member[doc_of]
            part = (chunk_keys[take].astype(np.uint64) << _32) | doc_of[take].astype(np.uint64)
            tagged[filled : filled + part.size] = part
            filled += part.size
        found.append(_shared_key_pairs(tagged, config.max_key_docs))
        del tagged
    return _enough_shared(found, config)


EXCERPT_SENTENCE_SHARE = 0.5
"""`excerpt_candidates`: the share of the shorter document's sketched sentences whose first
key the other document holds too. A verbatim excerpt holds nearly all (a sentence's key
changes only when an edit hits the words its key was drawn from); clustering's containment
rule (>= 0.8 of the shingles) decides after, so this only has to be loose."""


def excerpt_candidates(
    sketches: SentenceSketches,
    members: I64Array,
    config: RewriteConfig,
    *,
    keys: Sequence[U32Array] | U32Array | None = None,
    crowded: Sequence[U32Array] | None = None,
    min_share: float = EXCERPT_SENTENCE_SHARE,
) -> I64Array:
    """Pairs of `members` where most sentences of the one with fewer sentences have their
    first key (slot 0) in the other: an excerpt and its source, a copy of a passage and the
    story it came from, as sorted ``(low id, high id)`` rows.

    LSH on Jaccard does not pair a short excerpt with a long source; these pairs let
    clustering verify them, so that a source's excerpts count in how well it contains the
    others (`cluster.containment_scores`). One slot's sort, and only pairs sharing most of a
    document's sentences: far fewer than `rewrite_candidates`' pairs, which share a few.
    Keys held by more than `max_key_docs` documents (stock sentences), here or in
    `crowded`, pair nobody, as there.
    """
    take, doc_of = _member_sentences(sketches, members)
    first = keys[0] if keys is not None else _slot_keys(*_all_sentences(sketches), 0, config)
    tagged = _tagged_keys(first, take, doc_of, None if crowded is None else crowded[0])
    codes, shared = _key_pair_counts(tagged, config.max_key_docs)
    counts = sketches.sentence_counts()
    low_doc = (codes >> _32).astype(np.int64)
    high_doc = (codes & np.uint64(MASK32)).astype(np.int64)
    fewer = np.minimum(counts[low_doc], counts[high_doc])
    enough = shared >= np.maximum(min_share * fewer, config.min_shared_keys)
    out: I64Array = np.stack([low_doc[enough], high_doc[enough]], axis=1).reshape(-1, 2)
    return out


def _enough_shared(found: list[U64Array], config: RewriteConfig) -> tuple[I64Array, I64Array]:
    """Pairs (``low << 32 | high`` codes, one per slot that paired them) sharing at least
    `min_shared_keys` keys, as ``(low, high)`` rows, and how many keys each shares."""
    codes, shared = _counted(np.concatenate(found))
    enough = shared >= config.min_shared_keys
    codes, shared = codes[enough], shared[enough]
    pairs = np.stack([codes >> _32, codes & np.uint64(MASK32)], axis=1)
    out: I64Array = pairs.astype(np.int64).reshape(-1, 2)
    return out, shared


def _doc_chunks(word_offsets: I64Array, chunk_words: int) -> list[tuple[int, int]]:
    """``[first, stop)`` document ranges of about `chunk_words` content words each."""
    ends = word_offsets[1:]
    bounds: list[tuple[int, int]] = []
    first = 0
    while first < ends.size:
        done = int(word_offsets[first])
        stop = max(int(np.searchsorted(ends, done + chunk_words, side="right")), first + 1)
        bounds.append((first, stop))
        first = stop
    return bounds


def _counted(codes: U64Array) -> tuple[U64Array, I64Array]:
    """Distinct values of `codes` (sorted in place) and how often each occurs."""
    codes.sort()
    starts = np.flatnonzero(np.append(True, codes[1:] != codes[:-1])) if codes.size else codes
    counts: I64Array = np.diff(np.append(starts, codes.size)).astype(np.int64)
    return codes[starts], counts


def _shared_key_pairs(tagged: U64Array, max_key_docs: int) -> U64Array:
    """Distinct document pairs ``low << 32 | high`` sharing a key, from ``key << 32 | doc``
    codes; keys held by more than `max_key_docs` documents are skipped."""
    codes, _ = _key_pair_counts(tagged, max_key_docs)
    return codes


def _key_pair_counts(tagged: U64Array, max_key_docs: int) -> tuple[U64Array, I64Array]:
    """`_shared_key_pairs`, and how many distinct keys each pair shares."""
    tagged.sort()
    tagged = tagged[np.append(True, tagged[1:] != tagged[:-1])] if tagged.size else tagged
    keys = tagged >> np.uint64(32)
    boundary = np.append(True, keys[1:] != keys[:-1]) if keys.size else np.zeros(0, np.bool_)
    run_of = np.cumsum(boundary) - 1
    run_length = np.bincount(run_of)[run_of] if keys.size else np.zeros(0, np.int64)
    useful = (run_length >= 2) & (run_length <= max_key_docs)
    docs = (tagged[useful] & np.uint64(MASK32)).astype(np.int64)
    pairs = run_pairs(keys[useful], docs, max_full_run=max(max_key_docs, 2), anchors=1)
    low = np.minimum(pairs[:, 0], pairs[:, 1]).astype(np.uint64)
    high = np.maximum(pairs[:, 0], pairs[:, 1]).astype(np.uint64)
    return _counted((low << _32) | high)


@dataclass(frozen=True, slots=True)
class Alignment:
    """Sentence alignment of pairs ``(left[k], right[k])``.

    `left_aligned` counts the left document's sentences whose best match in the right one
    reaches the sentence similarity (and `right_aligned` the reverse); `left_ordered`
    (`right_ordered`) the longest chain of its sentences whose best matches at the looser
    order similarity keep their order (`passages.ordered_chain`), computed only where the
    first guard fails on that side and the chain could reach the ordered share (0
    elsewhere: the first guard's count is the evidence there). The
    *shorter* document of a pair is the one with fewer sketched sentences (the left one on
    a tie).
    """

    left: I64Array
    right: I64Array
    left_sentences: I64Array
    right_sentences: I64Array
    left_aligned: I64Array
    right_aligned: I64Array
    left_ordered: I64Array
    right_ordered: I64Array

    def __len__(self) -> int:
        return int(self.left.size)

    @property
    def shorter_sentences(self) -> I64Array:
        return np.minimum(self.left_sentences, self.right_sentences)

    @property
    def shorter_aligned(self) -> I64Array:
        """Aligned sentences of the shorter document."""
        left_shorter = self.left_sentences <= self.right_sentences
        aligned: I64Array = np.where(left_shorter, self.left_aligned, self.right_aligned)
        return aligned

    @property
    def shorter_ordered(self) -> I64Array:
        """Sentences of the shorter document in its ordered chain."""
        left_shorter = self.left_sentences <= self.right_sentences
        ordered: I64Array = np.where(left_shorter, self.left_ordered, self.right_ordered)
        return ordered

    @property
    def share(self) -> F64Array:
        """Aligned share of the shorter document's sentences (0 if it has none)."""
        return _shares(self.shorter_aligned, self.shorter_sentences)

    @property
    def ordered_share(self) -> F64Array:
        """Share of the shorter document's sentences in its ordered chain."""
        return _shares(self.shorter_ordered, self.shorter_sentences)

    def is_rewrite(self, config: RewriteConfig) -> BoolArray:
        """The guards: enough of the shorter document aligns (any order), or enough of it
        aligns in order at the looser similarity; as a share and in number."""
        enough: BoolArray = (self.share >= config.aligned_share) & (
            self.shorter_aligned >= config.min_aligned_sentences
        )
        in_order = (self.ordered_share >= config.ordered_share) & (
            self.shorter_ordered >= config.min_aligned_sentences
        )
        return enough | in_order

    def evidence(self) -> tuple[F64Array, I64Array]:
        """Per pair, the share and number of the shorter document's sentences that the
        guard which saw more of them aligned (any order or ordered chain)."""
        count = np.maximum(self.shorter_aligned, self.shorter_ordered)
        return _shares(count, self.shorter_sentences), count


def _shares(count: I64Array, total: I64Array) -> F64Array:
    out = np.zeros(total.size, dtype=np.float64)
    np.divide(count, total, out=out, where=total > 0)
    return out


def align_pairs(
    sketches: SentenceSketches,
    pairs: I64Array,
    config: RewriteConfig,
    *,
    max_elements: int = _MAX_ELEMENTS,
    tasks: TaskMap = serial_map,
) -> Alignment:
    """Best-match sentence alignment of each pair, vectorised over batches of pairs.

    Every content word common to a left sentence ``i`` and a right sentence ``j`` is one
    match; counting matches per ``(i, j)`` gives the intersection, hence the Jaccard, of
    every sentence pair sharing a word (the others have Jaccard 0). Batches hold about
    `max_elements` content words (left and right); each costs ~100 bytes while in use.
    `tasks` maps the alignment over the batches (the runner's workers, which receive the
    sketches once); results do not depend on it.
    """
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    left, right = pairs[:, 0].copy(), pairs[:, 1].copy()
    counts = sketches.sentence_counts()
    offsets = sketches.word_offsets()
    words = np.diff(offsets)
    work = np.cumsum(words[left] + words[right])
    batches: list[slice] = []
    start = 0
    while start < left.size:
        done = int(work[start - 1]) if start else 0
        stop = max(int(np.searchsorted(work, done + max_elements, side="right")), start + 1)
        batches.append(slice(start, stop))
        start = stop
    found = np.zeros((4, left.size), dtype=np.int64)
    state = (sketches, offsets, config)
    work_items = [(left[b], right[b]) for b in batches]
    results = tasks(_align_task, state, work_items)
    for batch, counted in zip(batches, results, strict=True):
        found[:, batch] = counted
    return Alignment(
        left=left,
        right=right,
        left_sentences=counts[left],
        right_sentences=counts[right],
        left_aligned=found[0],
        right_aligned=found[1],
        left_ordered=found[2],
        right_ordered=found[3],
    )


def _align_task(
    state: tuple[SentenceSketches, I64Array, RewriteConfig],
    pair_batch: tuple[I64Array, I64Array],
) -> I64Array:
    """One batch of `align_pairs`: `state` is what every batch shares."""
    sketches, offsets, config = state
    left, right = pair_batch
    return _align_batch(sketches, offsets, left, right, config)


@dataclass(frozen=True, slots=True)
class _Side:
    """The sentences of one side of a batch of pairs, numbered 0.. in pair order."""

    sizes: I64Array  # per batch sentence: number of content words
    pair_of_sentence: I64Array
    element_pair: I64Array  # per content word: its pair, its batch sentence, its hash
    element_sentence: I64Array
    element_hash: U64Array


def _side(sketches: SentenceSketches, word_offsets: I64Array, docs: I64Array) -> _Side:
    first = sketches.doc_offsets[docs]
    n_sentences = sketches.doc_offsets[docs + 1] - first
    sentence = _ranges(first, n_sentences)  # global ids of the batch's sentences
    sizes = sketches.sentence_sizes[sentence].astype(np.int64)
    # One range per document: its sentences are stored one after another.
    start = word_offsets[docs]
    hashes = sketches.read(start, word_offsets[docs + 1] - start)
    local = np.repeat(np.arange(sentence.size, dtype=np.int64), sizes)
    pair_of_sentence = np.repeat(np.arange(docs.size, dtype=np.int64), n_sentences)
    return _Side(
        sizes=sizes,
        pair_of_sentence=pair_of_sentence,
        element_pair=pair_of_sentence[local],
        element_sentence=local,
        element_hash=hashes.astype(np.uint64),
    )


def _ranges(starts: I64Array, lengths: I64Array) -> I64Array:
    """Concatenation of ``arange(starts[k], starts[k] + lengths[k])`` over k."""
    first = np.cumsum(lengths) - lengths
    out: I64Array = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(
        starts - first, lengths
    )
    return out


def _align_batch(
    sketches: SentenceSketches,
    word_offsets: I64Array,
    left: I64Array,
    right: I64Array,
    config: RewriteConfig,
) -> I64Array:
    """Aligned sentence counts and ordered chains of each side for one batch of pairs:
    rows ``left_aligned, right_aligned, left_ordered, right_ordered``."""
    threshold = config.sentence_similarity
    a = _side(sketches, word_offsets, left)
    b = _side(sketches, word_offsets, right)
    # Join the content words on (pair, hash): each left word meets its right occurrences.
    b_keys = (b.element_pair.astype(np.uint64) << np.uint64(32)) | b.element_hash
    order = np.argsort(b_keys, kind="stable")
    b_keys, b_sentence = b_keys[order], b.element_sentence[order]
    a_keys = (a.element_pair.astype(np.uint64) << np.uint64(32)) | a.element_hash
    lo = np.searchsorted(b_keys, a_keys, side="left")
    hits = np.searchsorted(b_keys, a_keys, side="right") - lo
    i = np.repeat(a.element_sentence, hits)
    j = b_sentence[_ranges(lo, hits)]
    width = max(b.sizes.size, 1)
    cells, common = np.unique(i * width + j, return_counts=True)
    i, j = cells // width, cells % width
    jaccard = common / (a.sizes[i] + b.sizes[j] - common)
    best_a = np.zeros(a.sizes.size, dtype=np.float64)
    best_b = np.zeros(b.sizes.size, dtype=np.float64)
    np.maximum.at(best_a, i, jaccard)
    np.maximum.at(best_b, j, jaccard)
    aligned_a = np.bincount(a.pair_of_sentence[best_a >= threshold], minlength=left.size)
    aligned_b = np.bincount(b.pair_of_sentence[best_b >= threshold], minlength=right.size)
    out = np.zeros((4, left.size), dtype=np.int64)
    out[0], out[1] = aligned_a, aligned_b
    sides = ((a, i, j, best_a, aligned_a), (b, j, i, best_b, aligned_b))
    for row, (side, rows, cols, best, aligned) in enumerate(sides, start=2):
        # The chain is only needed where the first guard fails on this side and enough
        # sentences match at the looser similarity to reach the ordered share: usually a
        # few pairs, whose sentence pairs alone are sorted.
        sentences = np.bincount(side.pair_of_sentence, minlength=left.size)
        needed = np.maximum(
            np.ceil(config.ordered_share * sentences - 1e-9).astype(np.int64),
            config.min_aligned_sentences,
        )
        loose = np.bincount(
            side.pair_of_sentence[best >= config.order_similarity], minlength=left.size
        )
        first_guard = (_shares(aligned, sentences) >= config.aligned_share) & (
            aligned >= config.min_aligned_sentences
        )
        hopeful = (loose >= needed) & ~first_guard
        if not hopeful.any():
            continue
        cells = hopeful[side.pair_of_sentence[rows]]
        out[row] = ordered_chain(
            rows[cells],
            cols[cells],
            jaccard[cells],
            side.pair_of_sentence,
            left.size,
            threshold=config.order_similarity,
            needed=needed,
        )
    return out


@dataclass(frozen=True, slots=True)
class RewriteStats:
    """Work done by the rewrite stage and what it found."""

    candidate_pairs: int
    verified_pairs: int
    rewrites: int


@dataclass(frozen=True, slots=True)
class RewriteClaims:
    """What the rewrite stage decided: the updated `assignments`, and per document the
    share (`aligned`, 1.0 where the stage claimed nothing) and number (`aligned_sentences`,
    -1 there) of the shorter document's sentences aligned with its representative."""

    assignments: Assignments
    aligned: F32Array
    aligned_sentences: I64Array
    stats: RewriteStats


ShingleVerifier = Callable[[I64Array], PairOverlaps]
"""Word-shingle overlaps of pairs, to report similarity/containment of claimed rewrites."""


def claim_rewrites(
    assignments: Assignments,
    sketches: SentenceSketches,
    order: I64Array,
    config: RewriteConfig,
    shingle_overlaps: ShingleVerifier,
    *,
    cluster: ClusterConfig | None = None,
    keys: Sequence[U32Array] | U32Array | None = None,
    crowded: Sequence[U32Array] | None = None,
    pinned: int = 0,
    settled: npt.NDArray[np.uint8] | None = None,
    tasks: TaskMap = serial_map,
) -> RewriteClaims:
    """Let representatives (and lone documents) claim the lone documents they are copies of.

    `order` is the preference order clustering used (most preferred first); a document is
    only claimed by a more preferred one. A candidate pair (sentence keys) is a copy when
    its sentences align (`Alignment.is_rewrite`: kind ``rewrite``) or when its word
    shingles are contained enough (`passages.copy_kinds` with `cluster`'s containment rule:
    ``excerpt``/``revised``/``expanded``, which LSH on Jaccard misses for a short excerpt
    of a long source, or ``partial``). Claimed documents get that kind and their
    word-shingle similarity and containment with their representative. `keys`: the
    sentences' candidate keys if already computed (`sentence_keys`), and `crowded` the keys
    that pair nobody whatever this run holds (`rewrite_candidates`); the first `pinned`
    documents (a persistent index's) are never claimed, and `settled` (`Settled`, one per
    pinned document) says what each was decided to be: a ``COPY`` is no candidate at all and
    a ``LATE_COPY`` still alone is a candidate (its keys count) that claims nothing (it was
    claimed here in its own run), as in one run over both; `tasks`: how the alignment's
    batches are run (`align_pairs`).
    """
    cluster = cluster or ClusterConfig()
    n_docs = len(assignments)
    aligned = np.ones(n_docs, dtype=np.float32)
    aligned_sentences = np.full(n_docs, -1, dtype=np.int64)
    kind = assignments.kind
    alone = kind == MatchKind.UNIQUE
    member = alone | (kind == MatchKind.REPRESENTATIVE)
    taken = np.zeros(n_docs, dtype=np.bool_)  # claimed before this run: claims nothing
    if settled is not None:
        member[: settled.size] &= settled != Settled.COPY
        taken[: settled.size] = (settled == Settled.LATE_COPY) & alone[: settled.size]
    members = order[member[order]]
    if members.size < 2 or not alone.any():
        return RewriteClaims(assignments, aligned, aligned_sentences, RewriteStats(0, 0, 0))
    pairs, shared = rewrite_candidates(sketches, members, config, keys=keys, crowded=crowded)
    rank = np.empty(n_docs, dtype=np.int64)
    rank[order] = np.arange(n_docs, dtype=np.int64)
    # Orient each pair from the preferred document (source) to the other (target), which
    # must be alone to be claimable.
    swap = rank[pairs[:, 0]] > rank[pairs[:, 1]]
    source = np.where(swap, pairs[:, 1], pairs[:, 0])
    target = np.where(swap, pairs[:, 0], pairs[:, 1])
    claimable = alone[target] & (target >= pinned)
    source, target, shared = source[claimable], target[claimable], shared[claimable]
    best = _best_per_target(target, shared, rank[source], config.max_candidates)
    source, target = source[best], target[best]
    if not source.size:
        stats = RewriteStats(int(pairs.shape[0]), 0, 0)
        return RewriteClaims(assignments, aligned, aligned_sentences, stats)
    verified = np.stack([source, target], axis=1)
    alignment = align_pairs(sketches, verified, config, tasks=tasks)
    rewrite = alignment.is_rewrite(config)
    share, count = alignment.evidence()
    kinds = partial(
        copy_kinds,
        containment_threshold=cluster.containment_threshold,
        min_containment_shingles=cluster.min_containment_shingles,
        partial_containment=config.partial_containment,
        min_partial_shingles=config.min_partial_shingles,
    )
    # Word shingles decide the pairs the alignment did not: only where sentences suggest
    # shared text (a copied passage aligns its sentences near 1.0, so a pair with few
    # aligned sentences cannot reach the partial containment). Aligned pairs are copies
    # whatever their shingles; those are compared for the claims alone, below.
    ok = rewrite.copy()
    maybe = np.flatnonzero(~rewrite & (share >= config.partial_containment * _PASSAGE_SLACK))
    if maybe.size:
        ok[maybe] = kinds(shingle_overlaps(verified[maybe])) != MatchKind.UNIQUE
    keep = np.flatnonzero(ok)
    keep = keep[np.lexsort((rank[target[keep]], rank[source[keep]]))]
    claims = keep[_claim(source[keep], target[keep], taken)]
    stats = RewriteStats(
        candidate_pairs=int(pairs.shape[0]),
        verified_pairs=len(alignment),
        rewrites=int(claims.size),
    )
    if not claims.size:
        return RewriteClaims(assignments, aligned, aligned_sentences, stats)
    targets = target[claims]
    aligned[targets] = share[claims]
    aligned_sentences[targets] = count[claims]
    overlaps = shingle_overlaps(verified[claims])
    # Containment names the copy (excerpt, revised, expanded) even when it also aligns;
    # otherwise an aligned copy is a rewrite, and the rest are partial copies.
    claim_kind = kinds(overlaps)
    by_alignment = rewrite[claims] & (
        (claim_kind == MatchKind.UNIQUE) | (claim_kind == MatchKind.PARTIAL)
    )
    claim_kind[by_alignment] = MatchKind.REWRITE
    claimed = _with_claims(assignments, source[claims], targets, claim_kind, overlaps)
    return RewriteClaims(claimed, aligned, aligned_sentences, stats)


def _best_per_target(
    target: I64Array, shared: I64Array, source_rank: I64Array, limit: int
) -> I64Array:
    """Indices of each target's `limit` candidates sharing the most keys (ties: the more
    preferred source), in their original order."""
    order = np.lexsort((source_rank, -shared, target))
    grouped = target[order]
    starts = (
        np.flatnonzero(np.append(True, grouped[1:] != grouped[:-1])) if grouped.size else grouped
    )
    position = np.arange(grouped.size) - np.repeat(starts, np.diff(np.append(starts, grouped.size)))
    keep: I64Array = np.sort(order[position < limit])
    return keep


def _claim(source: I64Array, target: I64Array, before: npt.NDArray[np.bool_]) -> I64Array:
    """Indices of the verified pairs that claim, visiting sources in preference order: a
    source claims its targets unless it was itself claimed (here, or before: `before`), and
    a target is claimed once."""
    claimed = before.copy()
    taken: list[int] = []
    for k, (s, t) in enumerate(zip(source.tolist(), target.tolist(), strict=True)):
        if not claimed[s] and not claimed[t]:
            claimed[t] = True
            taken.append(k)
    return np.array(taken, dtype=np.int64)


def _with_claims(
    assignments: Assignments,
    reps: I64Array,
    targets: I64Array,
    kinds: npt.NDArray[np.uint8],
    overlaps: PairOverlaps,
) -> Assignments:
    """`assignments` with `targets` claimed by `reps` as `kinds`; cluster ids renumbered."""
    n_docs = len(assignments)
    representative = assignments.representative.copy()
    representative[targets] = reps
    kind = assignments.kind.copy()
    kind[targets] = kinds
    kind[reps] = np.where(kind[reps] == MatchKind.UNIQUE, MatchKind.REPRESENTATIVE, kind[reps])
    similarity = assignments.similarity.copy()
    containment = assignments.containment.copy()
    similarity[targets] = overlaps.jaccard
    containment[targets] = overlaps.containment
    is_representative = representative == np.arange(n_docs)
    cluster_ids = np.cumsum(is_representative) - 1
    return replace(
        assignments,
        cluster=cluster_ids[representative].astype(np.int64),
        representative=representative,
        similarity=similarity,
        containment=containment,
        kind=kind,
    )
