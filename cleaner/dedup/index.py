"""`NearDupIndex`: add batches of documents, then `finish()` to get verified clusters.

The index is an object owned by the caller (a run), never a module global. It keeps only
compact numpy arrays per document, not the texts and not the signatures:

- LSH band keys: 8 bytes x `bands` (23 bands -> 184 bytes with the defaults), in RAM;
- the sorted unique shingle hashes, needed to verify candidates exactly: 4 bytes per distinct
  shingle, about one per word for word shingles. In RAM up to `DedupConfig.spill_bytes`,
  beyond that in an anonymous temporary file, from which verification reads only the
  documents it compares (`store.HashStore.read`);
- 12 bytes of set size and whole-text hash;
- the ids the caller passed, packed as UTF-8 (their length + 8 bytes); none for documents
  added without ids (their id is their position);
- rewrite mode (`DedupConfig.rewrite`, on by default): the sentence sketches
  (`sentences.SentenceStore`): 4 bytes per content word of each sentence, spilled like the
  shingle hashes, plus 2 bytes per sentence and 4 per document in RAM; and each sentence's
  candidate keys (`rewrite.sentence_keys`), 4 x 4 bytes per sentence in RAM. BBC News (19
  sentences per article): 843 + 308 bytes per article.

Measured on BBC News (2,225 articles, 2,267 UTF-8 bytes and ~385 shingles each): 1,737 bytes
per document in arrays without the rewrite stage, 0.77x the input text; 2,881 with it; about
200 (without) and 546 (with) bytes of that stay in RAM once the hashes are spilled.
Signatures are not kept: band keys are all that candidate generation needs. Every array
grows in place (`store.AppendArray`, remapped, never copied), so the index never holds two
copies of itself, and `finish()` joins nothing.

`finish()` runs the whole detection: candidate pairs from equal band keys, plus pairs of
documents with identical normalised text (so exact copies are found with certainty, not
with LSH probability); chain-free clustering around representatives (`cluster_pairs`), which
verifies exactly (`verify`) every candidate pair it uses, and skips the pairs of documents
already claimed by a representative. Candidates are generated band by band; verification
reads the shingle hashes of the documents it compares, block by block. In rewrite mode,
documents still alone after that may then be claimed as rewrites (`rewrite.claim_rewrites`).

An index that spilled owns a temporary file: `close()` it (or use it as a context manager)
to delete the file at once; otherwise it goes when the index is garbage-collected, and the
operating system removes it anyway when the process ends (it is unlinked from the start).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields, replace
from functools import partial
from types import TracebackType
from typing import Any

import numpy as np
import numpy.typing as npt

from cleaner.dedup.cluster import (
    NO_DATE,
    Assignments,
    ClusterConfig,
    MatchKind,
    Settled,
    cluster_pairs,
    id_tie_ranks,
    preference_order,
)
from cleaner.dedup.lsh import band_keys, candidate_pairs, choose_bands, run_pairs, unique_pairs
from cleaner.dedup.minhash import MinHashSigner, Scheme
from cleaner.dedup.rewrite import (
    RewriteConfig,
    claim_rewrites,
    excerpt_candidates,
    sentence_keys,
)
from cleaner.dedup.sentences import SentenceSketches, SentenceStore
from cleaner.dedup.shingles import ShingleConfig, ShingleSets, gather_ranges
from cleaner.dedup.store import AppendArray, HashStore, IdLog
from cleaner.dedup.verify import PairOverlaps, pair_overlaps
from cleaner.errors import ConfigError
from cleaner.stage import TaskMap, serial_map

U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]
F32Array = npt.NDArray[np.float32]

_VERIFY_PAIRS = 1 << 16
"""Pairs verified per read from a spilled store (bounds the documents read at once)."""

SKETCH_PREFIX_CHARS = 1_000_000
"""Characters of a document that are sketched (`DedupConfig.max_chars`): 1M characters is
hundreds of times a news article, and bounds the memory sketching takes per document (about
50 bytes per character) whatever the size of the input."""


@dataclass(frozen=True, slots=True)
class DedupConfig:
    """All parameters of near-duplicate detection, with defaults tuned for news articles.

    - `shingles`: word 5-grams.
    - `num_perm`, `seed`, `scheme`: MinHash signature (datasketch-compatible).
    - `lsh_threshold`, `target_recall`: LSH bands/rows are chosen so that a pair with Jaccard
      `lsh_threshold` becomes a candidate with probability >= `target_recall`. It is below
      the match threshold so that excerpts (a half-length excerpt has Jaccard ~0.5) are found
      too; verification removes the extra candidates. `bands`/`rows` override the choice.
    - `max_full_run`, `run_anchors`: how runs of equal band keys are paired (see `lsh`).
    - `cluster`: match thresholds and representative preference (see `cluster`).
    - `chunk_chars`: texts are processed in batches of about this many characters.
    - `spill_bytes`, `spill_dir`: shingle hashes beyond `spill_bytes` bytes (~1.6 KB per news
      article) move to a temporary file in `spill_dir` (default: the system's temporary
      directory, ``$TMPDIR``); ``None`` keeps them in RAM. Results do not depend on it. The
      default (256 MiB, ~160,000 articles) leaves small runs in RAM and bounds big ones.
    - `rewrite`: detection of rewritten ("spun") copies among what near/containment leaves
      unclaimed (see `rewrite`); ``None`` (or ``enabled=False``) turns it off.
    - `max_chars`: only the first `max_chars` characters of a document are sketched (shingles,
      exact-copy hash, sentences), which bounds the memory per document; two documents that
      differ only after that prefix are copies of each other.
    """

    shingles: ShingleConfig = field(default_factory=ShingleConfig)
    num_perm: int = 128
    seed: int = 1
    scheme: Scheme = "affine32"
    lsh_threshold: float = 0.5
    target_recall: float = 0.95
    bands: int | None = None
    rows: int | None = None
    max_full_run: int = 16
    run_anchors: int = 4
    cluster: ClusterConfig = field(default_factory=ClusterConfig)
    chunk_chars: int = 1 << 18
    spill_bytes: int | None = 256 << 20
    spill_dir: str | None = None
    rewrite: RewriteConfig | None = field(default_factory=RewriteConfig)
    max_chars: int = SKETCH_PREFIX_CHARS

    def __post_init__(self) -> None:
        if self.max_chars < 1:
            raise ConfigError(f"max_chars must be >= 1, not {self.max_chars}")
        if self.spill_bytes is not None and self.spill_bytes < 0:
            raise ConfigError(f"spill_bytes must be >= 0 or None, not {self.spill_bytes}")
        if self.lsh_threshold > self.cluster.threshold:
            raise ConfigError(
                f"lsh_threshold {self.lsh_threshold} is above the match threshold"
                f" {self.cluster.threshold}: matching pairs would be missed"
            )
        if (self.bands is None) != (self.rows is None):
            raise ConfigError("give both bands and rows, or neither")
        if (
            self.bands is not None
            and self.rows is not None
            and (self.bands < 1 or self.rows < 1 or self.bands * self.rows > self.num_perm)
        ):
            raise ConfigError(
                f"bands={self.bands} x rows={self.rows} must be >= 1 and fit"
                f" num_perm={self.num_perm}"
            )

    def band_shape(self) -> tuple[int, int]:
        """``(bands, rows)``: the override if given, else `choose_bands`."""
        if self.bands is not None and self.rows is not None:
            return self.bands, self.rows
        return choose_bands(self.lsh_threshold, self.num_perm, self.target_recall)


@dataclass(frozen=True, slots=True)
class DedupStats:
    """Counts from one `finish()`, for run reports."""

    documents: int
    empty: int
    bands: int
    rows: int
    candidate_pairs: int
    verified_pairs: int
    matching_pairs: int
    clusters_with_duplicates: int
    duplicates: int
    rewrite_candidate_pairs: int = 0
    rewrite_verified_pairs: int = 0


@dataclass(frozen=True, slots=True)
class DedupResult:
    """The ids in the order they were added, their `Assignments`, and `DedupStats`.

    `ids` is a compact read-only sequence (`store.DocIds`), equal to a tuple or list of the
    same strings.

    `aligned` (rewrite mode only): per document, the share of the shorter document's
    sentences aligned with its representative's (1.0 unless the rewrite stage claimed it);
    `aligned_sentences` their number (-1 unless the rewrite stage claimed it). Both are the
    evidence of the shared passages that `annotation` writes for the stage's claims.
    """

    ids: Sequence[str]
    assignments: Assignments
    stats: DedupStats
    aligned: F32Array | None = None
    aligned_sentences: I64Array | None = None

    def annotation(self, i: int) -> dict[str, Any]:
        """What to write into document `i`'s meta: its cluster and why it is (not) a copy."""
        a = self.assignments
        rep = int(a.representative[i])
        out: dict[str, Any] = {
            "cluster": int(a.cluster[i]),
            "kind": a.kind_of(i).label,
            "representative": self.ids[rep],
            "similarity": round(float(a.similarity[i]), 4),
            "containment": round(float(a.containment[i]), 4),
        }
        if self.aligned_sentences is not None and self.aligned_sentences[i] >= 0:
            if self.aligned is not None:
                out["aligned"] = round(float(self.aligned[i]), 4)
            out["aligned_sentences"] = int(self.aligned_sentences[i])
        elif self.aligned is not None and a.kind_of(i) is MatchKind.REWRITE:
            out["aligned"] = round(float(self.aligned[i]), 4)
        return out

    def settled(self) -> npt.NDArray[np.uint8]:
        """What each document was decided to be, for a later run (`Settled`): a copy the
        rewrite stage claimed (`aligned_sentences` >= 0) is a ``LATE_COPY``."""
        late = np.zeros(len(self.assignments), dtype=np.bool_)
        if self.aligned_sentences is not None:
            late = self.aligned_sentences >= 0
        return Settled.of(self.assignments.kind, late)

    def duplicates(self) -> list[tuple[str, str, str]]:
        """``(id, representative id, kind)`` of every document that is a copy."""
        a = self.assignments
        return [
            (self.ids[i], self.ids[int(a.representative[i])], a.kind_of(i).label)
            for i in np.flatnonzero(a.is_duplicate).tolist()
        ]


@dataclass(frozen=True, slots=True)
class PreparedSketches:
    """Documents ready to join an index: what `NearDupIndex.add_prepared` appends as is.

    `band_keys` ``(bands, n)``, the sorted unique shingle hashes (`ShingleSets`), and in
    rewrite mode the sentence sketches. Computing this is all the per-document work of
    indexing (`Sketcher.prepare`), so it can run in map workers next to the text, and the
    reduce only appends arrays. Pickles compactly (numpy arrays).
    """

    band_keys: U64Array
    sets: ShingleSets
    sentences: SentenceSketches | None
    sentence_keys: U32Array | None = None  # (keys_per_sentence, n_sentences): rewrite mode
    made_by: str = ""  # the `Sketcher.settings` these were made with
    published: I64Array | None = None  # publication dates (`dates.published_key`), or none
    raw_hashes: U64Array | None = None  # `raw_text_hashes` of the sketched texts

    def with_published(self, published: I64Array | Sequence[int]) -> PreparedSketches:
        """These sketches with the documents' publication dates (`NO_DATE` for none)."""
        dates = np.asarray(published, dtype=np.int64)
        if dates.shape != (len(self),):
            raise ValueError(f"{dates.size} publication dates for {len(self)} documents")
        return replace(self, published=dates)

    def __len__(self) -> int:
        return len(self.sets)

    @staticmethod
    def concat(parts: Sequence[PreparedSketches]) -> PreparedSketches:
        """Batches prepared by one `Sketcher` (at least one), joined, documents in order."""
        if len(parts) == 1:
            return parts[0]
        sentences = [p.sentences for p in parts if p.sentences is not None]
        keys = [p.sentence_keys for p in parts if p.sentence_keys is not None]
        return PreparedSketches(
            band_keys=np.concatenate([p.band_keys for p in parts], axis=1),
            sets=ShingleSets.concat([p.sets for p in parts]),
            sentences=SentenceSketches.concat(sentences) if sentences else None,
            sentence_keys=np.concatenate(keys, axis=1) if keys else None,
            made_by=parts[0].made_by,
            published=_joined([p.published for p in parts], np.int64, NO_DATE, parts),
            raw_hashes=_joined([p.raw_hashes for p in parts], np.uint64, 0, parts),
        )

    def take(self, rows: I64Array | Sequence[int]) -> PreparedSketches:
        """The documents at `rows`, in that order."""
        rows = np.asarray(rows, dtype=np.int64)
        sentences = keys = None
        if self.sentences is not None:
            sentences = self.sentences.take(rows)
            if self.sentence_keys is not None:
                first = self.sentences.doc_offsets[rows]
                count = self.sentences.doc_offsets[rows + 1] - first
                keys = np.stack([gather_ranges(k, first, count) for k in self.sentence_keys])
                keys = keys.reshape(self.sentence_keys.shape[0], -1)
        return PreparedSketches(
            band_keys=self.band_keys[:, rows],
            sets=self.sets.take(rows),
            sentences=sentences,
            sentence_keys=keys,
            made_by=self.made_by,
            published=None if self.published is None else self.published[rows],
            raw_hashes=None if self.raw_hashes is None else self.raw_hashes[rows],
        )


def _joined(
    arrays: Sequence[npt.NDArray[Any] | None],
    dtype: type[np.generic],
    missing: int,
    parts: Sequence[PreparedSketches],
) -> Any:
    """Per-document arrays of `parts` joined; a part without one counts as `missing` for
    each of its documents; None when no part has one."""
    if all(a is None for a in arrays):
        return None
    return np.concatenate(
        [
            np.full(len(part), missing, dtype=dtype) if a is None else np.asarray(a, dtype=dtype)
            for a, part in zip(arrays, parts, strict=True)
        ]
    )


class Sketcher:
    """Texts -> `PreparedSketches` for one `DedupConfig`: the map half of indexing.

    Equal texts give equal sketches whatever the batch they come in, so sketching in
    workers, shard by shard, and indexing in one place gives the index `add` would build.
    """

    def __init__(self, config: DedupConfig) -> None:
        self.config = config
        self.bands, self.rows = config.band_shape()
        self.signer = MinHashSigner(
            shingles=config.shingles,
            num_perm=config.num_perm,
            seed=config.seed,
            scheme=config.scheme,
            chunk_chars=config.chunk_chars,
        )
        rewrite = config.rewrite
        self.rewriter = rewrite.sketcher() if rewrite and rewrite.enabled else None
        # Everything a sketch depends on: an index only takes sketches made the same way.
        self.settings = repr(
            (
                self.bands,
                self.rows,
                config.shingles,
                config.num_perm,
                config.seed,
                config.scheme,
                rewrite if self.rewriter is not None else None,
                config.max_chars,
            )
        )

    def prepare(self, texts: Sequence[str]) -> PreparedSketches:
        """Band keys, unique shingle hashes and (rewrite mode) sentence sketches of `texts`
        (of their first `max_chars` characters)."""
        texts = self.prefixes(texts)
        parts: list[PreparedSketches] = []
        for start, stop in self.signer.chunks(texts):
            chunk = texts[start:stop]
            signatures, sets = self.signer.sketch(chunk)
            parts.append(self.from_signatures(signatures, sets, chunk_texts=chunk))
        if not parts:
            return self.from_signatures(
                np.zeros((0, self.config.num_perm), dtype=np.uint32),
                ShingleSets.concat([]),
                chunk_texts=[],
            )
        return PreparedSketches.concat(parts)

    def prefixes(self, texts: Sequence[str]) -> Sequence[str]:
        """`texts` cut to the `max_chars` characters that are sketched."""
        limit = self.config.max_chars
        if all(len(text) <= limit for text in texts):
            return texts
        return [text[:limit] for text in texts]

    def from_signatures(
        self,
        signatures: U32Array,
        sets: ShingleSets,
        *,
        chunk_texts: Sequence[str] | None = None,
        sentences: SentenceSketches | None = None,
    ) -> PreparedSketches:
        """Prepare documents already signed; sentence sketches from `sentences` or the texts."""
        if signatures.shape != (len(sets), self.config.num_perm):
            raise ValueError(
                f"signatures shape {signatures.shape} does not match {len(sets)} documents"
                f" x num_perm {self.config.num_perm}"
            )
        if self.rewriter is not None and sentences is None and chunk_texts is not None:
            sentences = self.rewriter.sketch(chunk_texts)
        if self.rewriter is not None and (sentences is None or len(sentences) != len(sets)):
            raise ValueError(
                "rewrite mode needs the documents' sentence sketches:"
                " sentences=config.rewrite.sketcher().sketch(texts)"
            )
        keys = None
        if self.rewriter is not None and sentences is not None and self.config.rewrite:
            keys = sentence_keys(sentences, self.config.rewrite)
        return PreparedSketches(
            band_keys=band_keys(signatures, self.bands, self.rows),
            sets=sets.unique_sorted(),
            sentences=sentences if self.rewriter is not None else None,
            sentence_keys=keys,
            made_by=self.settings,
            raw_hashes=None if chunk_texts is None else raw_text_hashes(chunk_texts),
        )


def raw_text_hashes(texts: Sequence[str]) -> U64Array:
    """A 64-bit hash (BLAKE2b) of each text as it is, not normalised: it orders documents
    whose normalised texts are equal (`cluster.preference_order`) by their content, so that
    which of them represents does not depend on their names or input order."""
    out = np.empty(len(texts), dtype=np.uint64)
    for i, text in enumerate(texts):
        digest = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        out[i] = int.from_bytes(digest, "little")
    return out


class NearDupIndex:
    """Collects documents in batches; `finish()` returns verified, chain-free clusters."""

    def __init__(self, config: DedupConfig | None = None) -> None:
        self.config = config or DedupConfig()
        self.sketcher = Sketcher(self.config)
        self.bands, self.rows = self.sketcher.bands, self.sketcher.rows
        self._ids = IdLog()
        self._keys = [AppendArray(np.uint64) for _ in range(self.bands)]
        self._sizes = AppendArray(np.uint32)  # distinct shingles per document
        self._text_hashes = AppendArray(np.uint64)
        self._published = AppendArray(np.int64)  # publication dates, NO_DATE when unknown
        self._raw_hashes = AppendArray(np.uint64)  # `raw_text_hashes` (0 when not given)
        self._hashes = HashStore(
            spill_bytes=self.config.spill_bytes, spill_dir=self.config.spill_dir
        )
        self._rewriter = self.sketcher.rewriter
        # Rewrite mode: sentence sketches (`sentences`), spilled like the shingle hashes.
        self._sentences = SentenceStore(
            spill_bytes=self.config.spill_bytes, spill_dir=self.config.spill_dir
        )
        # ... and each sentence's candidate keys (`rewrite.sentence_keys`), in RAM.
        rewrite = self.config.rewrite
        key_slots = rewrite.keys_per_sentence if self._rewriter and rewrite else 0
        self._sentence_keys = [AppendArray(np.uint32) for _ in range(key_slots)]

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def nbytes(self) -> int:
        """Bytes the index holds in RAM: arrays and packed ids (not Python object overhead)."""
        return (
            sum(k.nbytes for k in self._keys)
            + self._sizes.nbytes
            + self._text_hashes.nbytes
            + self._published.nbytes
            + self._raw_hashes.nbytes
            + self._hashes.ram_bytes
            + self._ids.nbytes
            + self._sentences.nbytes
            + sum(k.nbytes for k in self._sentence_keys)
        )

    @property
    def disk_bytes(self) -> int:
        """Bytes spilled to temporary files (shingle hashes, sentence sketches); 0 in RAM."""
        return self._hashes.disk_bytes + self._sentences.disk_bytes

    def close(self) -> None:
        """Free the arrays and delete the temporary file; do not use the index afterwards."""
        self._hashes.close()
        self._sentences.close()
        arrays = (*self._keys, self._sizes, self._text_hashes, self._published, self._raw_hashes)
        for array in (*arrays, *self._sentence_keys):
            array.close()

    def __enter__(self) -> NearDupIndex:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __del__(self) -> None:
        if hasattr(self, "_sentences"):  # set last in __init__: everything exists
            self.close()

    def add(
        self,
        texts: Sequence[str],
        ids: Sequence[str] | None = None,
        *,
        published: Sequence[int] | I64Array | None = None,
    ) -> None:
        """Add a batch of texts; `ids` default to their running numbers as strings;
        `published`: their publication dates (`dates.published_key`; none by default)."""
        self._check_ids(len(texts), ids)
        prepared = self.sketcher.prepare(texts)
        if published is not None:
            prepared = prepared.with_published(published)
        self.add_prepared(prepared, ids)

    def add_sketches(
        self,
        signatures: U32Array,
        sets: ShingleSets,
        ids: Sequence[str] | None = None,
        *,
        sentences: SentenceSketches | None = None,
    ) -> None:
        """Add documents already sketched by a `MinHashSigner` with this index's settings.

        `signatures` is ``(n, num_perm)``; `sets` their shingle sets (any order, duplicates
        allowed). Lets callers sketch in worker processes and index in one place. In rewrite
        mode `sentences` is required: ``config.rewrite.sketcher().sketch(texts)``.
        """
        self._check_ids(len(sets), ids)
        self.add_prepared(self.sketcher.from_signatures(signatures, sets, sentences=sentences), ids)

    def add_prepared(self, prepared: PreparedSketches, ids: Sequence[str] | None = None) -> None:
        """Append documents prepared by a `Sketcher` with this index's config (`prepare`)."""
        self._check_prepared(prepared, ids)
        for row, keys in zip(self._keys, prepared.band_keys, strict=True):
            row.append(keys)
        unique = prepared.sets
        self._sizes.append(unique.sizes())
        self._text_hashes.append(unique.text_hashes)
        if prepared.published is None:
            self._published.append(np.full(len(prepared), NO_DATE, dtype=np.int64))
        else:
            self._published.append(prepared.published)
        if prepared.raw_hashes is None:
            self._raw_hashes.append(np.zeros(len(prepared), dtype=np.uint64))
        else:
            self._raw_hashes.append(prepared.raw_hashes)
        self._hashes.append(unique.hashes)
        if prepared.sentences is not None and prepared.sentence_keys is not None:
            self._sentences.append(prepared.sentences)
            for store, keys in zip(self._sentence_keys, prepared.sentence_keys, strict=True):
                store.append(keys)
        self._ids.extend(ids, len(prepared))

    def _check_prepared(self, prepared: PreparedSketches, ids: Sequence[str] | None) -> None:
        """Raise ValueError, before anything is appended, unless `prepared` fits this index."""
        self._check_ids(len(prepared), ids)
        if prepared.band_keys.shape[0] != self.bands:
            raise ValueError(
                f"prepared with {prepared.band_keys.shape[0]} bands, the index has {self.bands}"
            )
        if (self._rewriter is None) != (prepared.sentences is None):
            raise ValueError("prepared sketches and index disagree on the rewrite stage")
        if prepared.sentences is not None:
            keys = prepared.sentence_keys
            expected = (len(self._sentence_keys), prepared.sentences.sentence_sizes.size)
            if keys is None or keys.shape != expected:
                raise ValueError(
                    f"rewrite mode needs {expected[0]} keys for each of the"
                    f" {expected[1]} sentences (Sketcher.prepare)"
                )
        if prepared.made_by and prepared.made_by != self.sketcher.settings:
            raise ValueError(
                "sketches prepared with other settings than this index's:"
                f" {prepared.made_by} != {self.sketcher.settings}"
            )

    @staticmethod
    def _check_ids(count: int, ids: Sequence[str] | None) -> None:
        if ids is not None and len(ids) != count:
            raise ValueError(f"{len(ids)} ids for {count} documents")

    def _offsets(self) -> I64Array:
        """Where each document's hashes start in the store (and the total, last)."""
        offsets = np.zeros(len(self._sizes) + 1, dtype=np.int64)
        np.cumsum(self._sizes.view(), out=offsets[1:])
        return offsets

    def _band_rows(self) -> Iterator[U64Array]:
        """The band keys one band at a time (views, no copies)."""
        for row in self._keys:
            keys: U64Array = row.view()
            yield keys

    def _verifier(
        self, offsets: I64Array, text_hashes: U64Array
    ) -> Callable[[I64Array], PairOverlaps]:
        """Exact overlaps of rows of document pairs (`pair_overlaps`).

        In RAM the sets are one array and `pair_overlaps` gathers from it directly. Spilled,
        each call reads just the documents its pairs name (`HashStore.read`), at most
        `_VERIFY_PAIRS` pairs' worth at a time, into a small local `ShingleSets`.
        """
        if not self._hashes.spilled:
            sets = ShingleSets(self._hashes.array(), offsets, text_hashes)
            return partial(pair_overlaps, sets)

        def verify(pairs: I64Array) -> PairOverlaps:
            pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
            parts = [
                self._verify_spilled(pairs[lo : lo + _VERIFY_PAIRS], offsets, text_hashes)
                for lo in range(0, pairs.shape[0], _VERIFY_PAIRS)
            ]
            if len(parts) == 1:
                return parts[0]
            return PairOverlaps(
                *(
                    np.concatenate([getattr(p, f.name) for p in parts]).astype(np.int64)
                    for f in fields(PairOverlaps)
                )
            )

        return verify

    def _verify_spilled(
        self, pairs: I64Array, offsets: I64Array, text_hashes: U64Array
    ) -> PairOverlaps:
        docs, local = np.unique(pairs.reshape(-1), return_inverse=True)
        starts = offsets[docs]
        sizes = offsets[docs + 1] - starts
        local_offsets = np.zeros(docs.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=local_offsets[1:])
        sets = ShingleSets(self._hashes.read(starts, sizes), local_offsets, text_hashes[docs])
        overlaps = pair_overlaps(sets, local.reshape(-1, 2))
        return replace(overlaps, left=pairs[:, 0].copy(), right=pairs[:, 1].copy())

    def _sentence_pairs(self, members: I64Array, crowded: Sequence[U32Array] | None) -> I64Array:
        """Pairs of `members` where one holds most sentences of the other
        (`excerpt_candidates`), or none when the rewrite stage is off."""
        rewrite = self.config.rewrite
        if self._rewriter is None or rewrite is None or members.size < 2:
            return np.zeros((0, 2), dtype=np.int64)
        keys = [k.view() for k in self._sentence_keys]
        return excerpt_candidates(
            self._sentences.sketches(), members, rewrite, keys=keys, crowded=crowded
        )

    def finish(
        self,
        *,
        tasks: TaskMap = serial_map,
        pinned: int = 0,
        settled: npt.NDArray[np.uint8] | None = None,
        crowded: Sequence[U32Array] | None = None,
    ) -> DedupResult:
        """Find candidates, verify them, cluster; the index can keep growing afterwards.

        `tasks` runs the rewrite stage's sentence alignment, batch by batch (the runner's
        worker processes; the results do not depend on it). The first `pinned` documents are
        preferred to all others, in the order they were added (a persistent index's
        documents, whose decisions never change: later ones may join them, never claim them,
        and pairs of two of them are not even compared). `settled` (`Settled`, one per pinned
        document; None: all ``KEPT``) is what each of them was decided to be in its own run,
        so that they take part as in one run over both: a ``COPY`` claims nothing (its keys
        make runs of equal keys as long as in one run, and its pairs are dropped unverified)
        and is no rewrite candidate; a ``LATE_COPY`` (claimed by the rewrite stage) is free
        in clustering and claims nothing in the rewrite stage. `crowded`: per key slot of the
        rewrite stage, sorted sentence keys held by more than ``max_key_docs`` documents of
        which not all were added here (a persistent index's crowded keys): they pair nobody,
        as in a run holding all their holders.
        """
        offsets = self._offsets()
        text_hashes: U64Array = self._text_hashes.view()
        verify = self._verifier(offsets, text_hashes)
        config = self.config
        sizes = np.diff(offsets)
        published: I64Array = self._published.view()
        raw_hashes: U64Array = self._raw_hashes.view()
        tie_rank = id_tie_ranks(self._ids.view(), raw_hashes)
        # Candidates are generated in an order that depends on the documents alone (runs of
        # equal keys are paired through their first members), so they do not depend on the
        # input order either; how well each document contains the others is not known yet.
        static = preference_order(
            sizes,
            config.cluster.prefer,
            text_hashes=text_hashes,
            raw_hashes=raw_hashes,
            published=published,
            tie_rank=tie_rank,
            pinned=pinned,
        )
        members = static[sizes[static] > 0]
        lsh_pairs = candidate_pairs(
            self._band_rows(),
            members,
            max_full_run=config.max_full_run,
            anchors=config.run_anchors,
        )
        exact_pairs = run_pairs(
            text_hashes[members],
            members,
            max_full_run=config.max_full_run,
            anchors=config.run_anchors,
        )
        # Sentence keys pair a short excerpt with its long source, which LSH (on Jaccard)
        # does not: verified here too, a source's excerpts count in how well it contains the
        # others, so it outranks a copy of one of its passages and claims the copies
        # (`cluster_pairs`' containment rule), instead of being claimed by one.
        sentence_pairs = self._sentence_pairs(members, crowded)
        pairs = unique_pairs(np.concatenate([lsh_pairs, exact_pairs, sentence_pairs]))
        del lsh_pairs, exact_pairs, sentence_pairs
        if pinned:  # rows are (low, high): both pinned when the later one is
            pairs = pairs[pairs[:, 1] >= pinned]
        if settled is not None and settled.size:
            if settled.size != pinned:
                raise ValueError(f"settled: {settled.size} roles for {pinned} pinned documents")
            copy = np.flatnonzero(settled == Settled.COPY)  # the low member is the pinned one
            pairs = pairs[~np.isin(pairs[:, 0], copy)]
        assignments, work = cluster_pairs(
            pairs,
            sizes,
            text_hashes,
            verify,
            config.cluster,
            published=published,
            raw_hashes=raw_hashes,
            tie_rank=tie_rank,
            pinned=pinned,
        )
        order = static if assignments.order is None else assignments.order
        aligned = aligned_sentences = rewrite_work = None
        if self._rewriter is not None and config.rewrite is not None:
            claims = claim_rewrites(
                assignments,
                self._sentences.sketches(),
                order,
                config.rewrite,
                verify,
                cluster=config.cluster,
                keys=[k.view() for k in self._sentence_keys],
                crowded=crowded,
                pinned=pinned,
                settled=settled,
                tasks=tasks,
            )
            assignments, aligned = claims.assignments, claims.aligned
            aligned_sentences, rewrite_work = claims.aligned_sentences, claims.stats
        kinds = np.bincount(assignments.kind, minlength=len(MatchKind))
        stats = DedupStats(
            documents=len(self._ids),
            empty=int(kinds[MatchKind.EMPTY]),
            bands=self.bands,
            rows=self.rows,
            candidate_pairs=work.candidate_pairs,
            verified_pairs=work.verified_pairs,
            matching_pairs=work.matching_pairs,
            clusters_with_duplicates=int(kinds[MatchKind.REPRESENTATIVE]),
            duplicates=int(assignments.is_duplicate.sum()),
            rewrite_candidate_pairs=rewrite_work.candidate_pairs if rewrite_work else 0,
            rewrite_verified_pairs=rewrite_work.verified_pairs if rewrite_work else 0,
        )
        return DedupResult(
            ids=self._ids.view(),
            assignments=assignments,
            stats=stats,
            aligned=aligned,
            aligned_sentences=aligned_sentences,
        )
