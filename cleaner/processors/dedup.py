"""`dedup`: near-duplicate detection (MinHash + LSH, verified, chain-free) as a chain step.

A whole-corpus stage (`DedupStage`, see `cleaner.stage`): map workers sketch every document,
the reduce clusters the sketches of the whole run with a `NearDupIndex`, and each document is
then annotated from its shard's verdicts (`DedupVerdicts`). Annotate first, decide later:
with `policy = "flag"` (the default) copies stay in the output with `meta.dup`

    {"kind": "near", "of": <representative id>, "cluster": <representative id>,
     "similarity": 0.91, "containment": 0.97}

and the representative of a cluster with copies gets
`{"kind": "representative", "cluster": <its id>, "copies": 3}`. Kinds: "normalized" (the
same words once case, punctuation and digits are folded: `exact_dedup` alone says "exact"),
"near" (Jaccard of shingles >= threshold), "excerpt" / "revised" /
"expanded" (one contains the other; the shorter is an excerpt of, about as long as, or longer
than the representative), and "rewrite" (few shared word runs, but most sentences of the
shorter one align with sentences of the other: a spun copy with words swapped and sentences
reordered, or a story respun word by word with its sentences in place), and "partial" (a
share of the shorter one's word 5-grams, >= 0.3, copied from the other: a copied paragraph
with new text around it). For the kinds the rewrite stage finds (rewrite, partial, and
excerpts that only its sentence keys made candidates) `aligned` gives the share and
`aligned_sentences` the number of the shorter document's sentences aligned with the other's:
the shared passages, which `cleaner compare` shows. With `policy = "drop"` copies go to the
rejects file, naming their representative.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal

import numpy as np

from cleaner.dedup.cluster import ClusterConfig, MatchKind
from cleaner.dedup.dates import DATE_FIELDS, published_key
from cleaner.dedup.index import (
    SKETCH_PREFIX_CHARS,
    DedupConfig,
    DedupResult,
    NearDupIndex,
    PreparedSketches,
    Sketcher,
)
from cleaner.dedup.rewrite import RewriteConfig
from cleaner.dedup.shingles import ShingleConfig
from cleaner.document import Document, Drop
from cleaner.errors import CleanerError, ConfigError
from cleaner.index.api import Index, provenance
from cleaner.index.check import DUP_INDEXED, BatchCheck, concat_prepared
from cleaner.meta import (
    DUP_CLUSTER,
    DUP_COPIES,
    DUP_KIND,
    DUP_OF,
    KIND_REPRESENTATIVE,
    META_DUP,
    REASON_DUPLICATE,
)
from cleaner.processors.base import ProcessorBase
from cleaner.registry import Range, check_options, register
from cleaner.stage import BoolArray, Signed, TaskMap, serial_map

#: A share or a similarity: more than 0, at most 1.
_SHARE = Range(0, 1, low_open=True)
#: What numpy's legacy seeding (and so datasketch) accepts as a seed.
SEED_RANGE = Range(0, 2**32 - 1)


@register
class Dedup(ProcessorBase):
    """Flag (or drop) near-duplicates of earlier (or longer) documents, with the evidence."""

    name: ClassVar[str] = "dedup"

    @dataclass(frozen=True)
    class Options:
        """Parameters of near-duplicate detection; the defaults suit news articles.

        `threshold`: Jaccard of shingle sets for "near"; `containment_threshold`: share of
        the smaller document's shingles found in the larger one, for excerpts and updated
        versions; `prefer`: which copy represents a cluster, from the documents alone, never
        their input order: "source" (the earliest published, by the first of `date_fields`
        in meta that holds a date; else the one that contains the others best; else the
        longest; ties by text, then id), "earliest" (the earliest published, else the first
        in input order) or "longest" (the most shingles); `shingle_unit`/`shingle_size`:
        word or character n-grams; `num_perm`,
        `seed`: MinHash signature (datasketch-compatible); `lsh_threshold`: similarity at
        which a pair becomes a candidate with probability >= `target_recall`; `rewrite`:
        also find rewritten ("spun") copies among the documents left alone, by aligning their
        sentences (a share `rewrite_aligned_share` of the shorter document's sentences must
        match one of the other's with content-word Jaccard >= `rewrite_sentence_similarity`);
        `max_sketch_chars`: only this many first characters of a document are sketched,
        which bounds the memory per document (documents differing only after it are copies).
        `index`: a persistent index (a file, or ``redis://host:port/db``) the run is checked
        against as well (`cleaner.index`); `update`: add the run's representatives to it, in
        one atomic commit; `store_text`: keep their texts in it too (for `compare`).
        """

        policy: Literal["flag", "drop"] = "flag"
        threshold: Annotated[float, _SHARE] = 0.8
        containment_threshold: Annotated[float, _SHARE] = 0.8
        prefer: Literal["source", "earliest", "longest"] = "source"
        date_fields: tuple[str, ...] = DATE_FIELDS
        shingle_unit: Literal["word", "char"] = "word"
        shingle_size: Annotated[int, Range(1, 1000)] = 5
        num_perm: Annotated[int, Range(1, 4096)] = 128
        seed: Annotated[int, SEED_RANGE] = 1
        lsh_threshold: Annotated[float, _SHARE] = 0.5
        target_recall: Annotated[float, Range(0, 1, low_open=True, high_open=True)] = 0.95
        rewrite: bool = True
        rewrite_sentence_similarity: Annotated[float, _SHARE] = 0.4
        rewrite_aligned_share: Annotated[float, _SHARE] = 0.6
        batch_size: Annotated[int, Range(1, 1_000_000)] = 2048
        max_sketch_chars: Annotated[int, Range(1, 2**30)] = SKETCH_PREFIX_CHARS
        index: str = ""
        update: bool = False
        store_text: bool = False

        def dedup_config(self) -> DedupConfig:
            rewrite = (
                RewriteConfig(
                    sentence_similarity=self.rewrite_sentence_similarity,
                    aligned_share=self.rewrite_aligned_share,
                )
                if self.rewrite
                else None
            )
            return DedupConfig(
                rewrite=rewrite,
                shingles=ShingleConfig(unit=self.shingle_unit, n=self.shingle_size),
                num_perm=self.num_perm,
                seed=self.seed,
                lsh_threshold=min(self.lsh_threshold, self.threshold),
                target_recall=self.target_recall,
                cluster=ClusterConfig(
                    threshold=self.threshold,
                    containment_threshold=self.containment_threshold,
                    prefer=self.prefer,
                ),
                max_chars=self.max_sketch_chars,
            )

    def __init__(self, options: Options) -> None:
        self.options = options
        check_options(options, "[dedup]")  # Options built in code skip make_options' checks
        # validate now, LSH bands included: a bad value is a config error at start-up
        options.dedup_config().band_shape()
        if options.update and not options.index:
            raise ConfigError("[dedup] update needs an index: give --index PATH")

    def start(self) -> DedupRun:
        return DedupRun(self.options)

    def sketcher(self) -> Sketcher:
        """What map workers use to prepare documents for `DedupRun.observe_prepared`."""
        return Sketcher(self.options.dedup_config())

    def global_stage(self) -> DedupStage:
        return DedupStage(self.options)

    def process(self, doc: Document) -> Document | Drop:
        raise CleanerError(
            "dedup needs the whole input: run it through Pipeline.run or cleaner clean/dedup"
        )


class DedupRun:
    """One run's index: observes documents in order, then annotates them in the same order."""

    def __init__(self, options: Dedup.Options) -> None:
        self.options = options
        self.index = NearDupIndex(options.dedup_config())
        self._positions = array("q")
        self._pending_texts: list[str] = []
        self._pending_ids: list[str] = []
        self._pending_published: list[int] = []
        self._result: DedupResult | BatchCheck | None = None
        self._kinds: np.ndarray[Any, np.dtype[np.uint8]] | None = None
        self._copies: np.ndarray[Any, np.dtype[np.int64]] | None = None
        self._cursor = 0
        # With an index: the batch is kept aside (it goes after the indexed documents).
        self._batch: list[PreparedSketches] = []
        self._batch_ids: list[str] = []
        self._provenance: list[tuple[str, str]] = []
        self._texts: list[str] | None = [] if options.store_text else None

    def observe(self, position: int, doc: Document) -> None:
        self._positions.append(position)
        # Only the sketched prefix is kept until the batch is sketched.
        self._pending_texts.append(doc.text[: self.options.max_sketch_chars])
        self._pending_ids.append(doc.id)
        self._pending_published.append(
            published_key(doc.meta, self.options.date_fields, doc.fields)
        )
        if self.options.index:
            self._provenance.append(provenance(doc))
            if self._texts is not None:
                self._texts.append(doc.text)
        if len(self._pending_texts) >= self.options.batch_size:
            self._flush()

    def observe_prepared(
        self,
        positions: Sequence[int],
        ids: Sequence[str],
        prepared: PreparedSketches,
        sources: IndexSigned | None = None,
    ) -> None:
        """Observe documents sketched elsewhere (`Dedup.sketcher`), like `observe` each;
        with an index, `sources` gives their provenance (and texts with `store_text`)."""
        self._flush()
        self._positions.extend(positions)
        if self.options.index:
            self._provenance.extend(sources.provenance if sources else [("", "")] * len(ids))
            if self._texts is not None:
                texts = sources.texts if sources is not None else None
                self._texts.extend(texts if texts is not None else [""] * len(ids))
        self._add(prepared, ids)

    def _add(self, prepared: PreparedSketches, ids: Sequence[str]) -> None:
        if self.options.index:
            self._batch.append(prepared)
            self._batch_ids.extend(ids)
        else:
            self.index.add_prepared(prepared, ids)

    def _flush(self) -> None:
        if self._pending_texts:
            prepared = self.index.sketcher.prepare(self._pending_texts)
            self._add(prepared.with_published(self._pending_published), self._pending_ids)
            self._pending_texts, self._pending_ids, self._pending_published = [], [], []

    def finish(self, tasks: TaskMap = serial_map) -> None:
        """Cluster what was observed; `tasks` may spread the heaviest step over workers."""
        self._flush()
        if self.options.index:
            self._result = self._check_against_index(tasks)
            self._kinds = self._result.kinds
            self._copies = self._result.copies()
            return
        self._result = self.index.finish(tasks=tasks)
        # The decisions are all in the result; free the keys and the spill file now.
        self.index.close()
        assignments = self._result.assignments
        duplicates = assignments.is_duplicate
        self._kinds = assignments.kind
        self._copies = np.bincount(
            assignments.representative[duplicates].astype(np.int64),
            minlength=len(self._result.ids),
        )

    def _check_against_index(self, tasks: TaskMap) -> BatchCheck:
        """The batch decided after the index's documents; with `update`, its representatives
        added in one commit, under the writer lock held from the check to the commit."""
        self.index.close()
        prepared = concat_prepared(self._batch, self.index.sketcher)
        self._batch = []
        options = self.options
        with Index.open(options.index, options.dedup_config(), store_text=options.store_text) as db:
            if not options.update:
                return db.check(prepared, self._batch_ids, tasks)
            with db.store.writer("cleaner dedup --update"):
                checked = db.check(prepared, self._batch_ids, tasks)
                db.commit(prepared, self._batch_ids, checked, self._provenance, self._texts)
            return checked

    def apply(self, position: int, doc: Document) -> Document | Drop:
        if self._result is None or self._copies is None or self._kinds is None:
            raise CleanerError("dedup: apply() before finish()")
        i = self._cursor
        if i >= len(self._positions) or self._positions[i] != position:
            raise CleanerError(f"dedup: document at position {position} was not observed")
        self._cursor += 1
        kind = MatchKind(int(self._kinds[i]))
        annotation = self._result.annotation(i) if kind.is_duplicate else None
        return _decided(doc, kind, int(self._copies[i]), annotation, self.options.policy)

    def verdicts(self, start: int, stop: int | None) -> DedupVerdicts:
        """The decisions for the observed documents at positions in ``[start, stop)`` (no
        upper bound with None), detached from the index: small, picklable, and applied in
        another process exactly as `apply` would here."""
        if self._result is None or self._copies is None or self._kinds is None:
            raise CleanerError("dedup: verdicts() before finish()")
        positions = np.frombuffer(self._positions, dtype=np.int64)
        first = int(np.searchsorted(positions, start, side="left"))
        last = len(positions) if stop is None else int(np.searchsorted(positions, stop))
        kinds = self._kinds[first:last].copy()
        annotations = {
            row: self._result.annotation(first + row)
            for row in np.flatnonzero(kinds >= MatchKind.NORMALIZED).tolist()
        }
        return DedupVerdicts(
            positions=positions[first:last].copy(),
            kinds=kinds,
            copies=self._copies[first:last].copy(),
            annotations=annotations,
            policy=self.options.policy,
        )


class DedupStage:
    """`dedup` as a whole-corpus stage: sketches in the map, clustering in the reduce."""

    name: ClassVar[str] = Dedup.name
    sees_blank: ClassVar[bool] = False

    def __init__(self, options: Dedup.Options) -> None:
        self.options = options
        self._sketcher: Sketcher | None = None

    def __getstate__(self) -> dict[str, Any]:
        return {"options": self.options}  # the sketcher is rebuilt where it is used

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["options"])  # type: ignore[misc]

    def sign(self, docs: list[Document]) -> PreparedSketches | IndexSigned:
        if self._sketcher is None:
            self._sketcher = Sketcher(self.options.dedup_config())
        prepared = self._sketcher.prepare([doc.text for doc in docs])
        fields = self.options.date_fields
        prepared = prepared.with_published(
            [published_key(doc.meta, fields, doc.fields) for doc in docs]
        )
        if not self.options.index:
            return prepared
        texts = [doc.text for doc in docs] if self.options.store_text else None
        return IndexSigned(prepared, [provenance(doc) for doc in docs], texts)

    def decide(self, shards: Iterator[Signed], tasks: TaskMap) -> DedupDecided:
        run = DedupRun(self.options)
        bases: list[int] = []
        alive: list[BoolArray] = []
        for shard in shards:
            bases.append(shard.base)
            alive.append(shard.alive)
            rows = np.flatnonzero(shard.alive)
            if rows.size:
                signed: PreparedSketches | IndexSigned = shard.signatures
                sources = signed.take(rows) if isinstance(signed, IndexSigned) else None
                prepared = signed.prepared if isinstance(signed, IndexSigned) else signed
                run.observe_prepared(
                    shard.positions[rows].tolist(),
                    [shard.ids[j] for j in rows.tolist()],
                    prepared.take(rows),
                    sources,
                )
        run.finish(tasks=tasks)
        return DedupDecided(run, bases, alive)

    def apply(self, decisions: DedupVerdicts, position: int, doc: Document) -> Document | Drop:
        return decisions.apply(position, doc)


@dataclass(frozen=True)
class IndexSigned:
    """A shard's signatures when the run is checked against an index: the sketches, and what
    the index keeps of each document besides (date and location; the text with
    `store_text`)."""

    prepared: PreparedSketches
    provenance: list[tuple[str, str]]
    texts: list[str] | None = None

    def take(self, rows: Any) -> IndexSigned:
        """The documents at `rows` (provenance and texts; `prepared` is taken apart)."""
        picked = [int(r) for r in rows]
        texts = [self.texts[r] for r in picked] if self.texts is not None else None
        return IndexSigned(self.prepared, [self.provenance[r] for r in picked], texts)


@dataclass
class DedupDecided:
    """The clustered run, cut per shard (shards start at `bases`, in input order)."""

    run: DedupRun
    bases: list[int]
    alive: list[BoolArray]

    def for_shard(self, index: int) -> DedupVerdicts:
        stop = self.bases[index + 1] if index + 1 < len(self.bases) else None
        return self.run.verdicts(self.bases[index], stop)

    def kept(self, index: int) -> BoolArray:
        kept = np.ones(len(self.alive[index]), dtype=np.bool_)
        if self.options_drop:
            verdicts = self.for_shard(index)
            copies = np.asarray(
                [MatchKind(int(k)).is_duplicate for k in verdicts.kinds], dtype=np.bool_
            )
            kept[np.flatnonzero(self.alive[index])[copies]] = False
        return kept

    @property
    def options_drop(self) -> bool:
        return self.run.options.policy == "drop"


@dataclass
class DedupVerdicts:
    """`DedupRun`'s decisions for a run of consecutive observed documents (`DedupRun.verdicts`).

    `apply` must see those documents in order, like `DedupRun.apply`; a shard of a sharded
    run gets its own, so shards can be annotated in any process and in any order.
    """

    positions: np.ndarray[Any, np.dtype[np.int64]]
    kinds: np.ndarray[Any, np.dtype[np.uint8]]
    copies: np.ndarray[Any, np.dtype[np.int64]]
    annotations: dict[int, dict[str, Any]]
    policy: str
    _cursor: int = 0

    def apply(self, position: int, doc: Document) -> Document | Drop:
        i = self._cursor
        if i >= len(self.positions) or int(self.positions[i]) != position:
            raise CleanerError(f"dedup: document at position {position} was not observed")
        self._cursor += 1
        kind = MatchKind(int(self.kinds[i]))
        return _decided(doc, kind, int(self.copies[i]), self.annotations.get(i), self.policy)


def _decided(
    doc: Document,
    kind: MatchKind,
    copies: int,
    annotation: dict[str, Any] | None,
    policy: str,
) -> Document | Drop:
    """`doc` with its dedup decision: annotated in meta, and dropped if it is a copy and the
    policy says so. `annotation` is `DedupResult.annotation` for copies."""
    if kind is MatchKind.REPRESENTATIVE:
        rep = {DUP_KIND: KIND_REPRESENTATIVE, DUP_CLUSTER: doc.id, DUP_COPIES: copies}
        return doc.with_meta(**{META_DUP: rep})
    if not kind.is_duplicate:
        return doc
    assert annotation is not None
    representative = annotation["representative"]
    dup = {
        DUP_KIND: kind.label,
        DUP_OF: representative,
        DUP_CLUSTER: representative,
        "similarity": annotation["similarity"],
        "containment": annotation["containment"],
    }
    for evidence in ("aligned", "aligned_sentences"):  # the rewrite stage's shared passages
        if evidence in annotation:
            dup[evidence] = annotation[evidence]
    if DUP_INDEXED in annotation:  # the representative is in the index, not in this run
        dup[DUP_INDEXED] = annotation[DUP_INDEXED]
    if policy == "drop":
        detail = (
            f"{kind.label} duplicate of {representative} (jaccard {dup['similarity']}, "
            f"containment {dup['containment']})"
        )
        dropped = doc.with_meta(**{META_DUP: dup})
        return Drop(dropped, "dedup", REASON_DUPLICATE, detail, duplicate_of=representative)
    return doc.with_meta(**{META_DUP: dup})
