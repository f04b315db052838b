"""A batch decided against an index by the one-run code: `check_batch`.

The indexed documents that can matter to the batch are loaded from the store (their
sketches, `codec`) and put, in index order, *before* the batch in a fresh `NearDupIndex`;
`NearDupIndex.finish` then decides as in any run. So a batch gets the verdicts it would get
deduplicated in one run after the whole history, by construction: the same candidate
generation, verification, clustering and rewrite stage, and whatever improves them improves
this too. Indexed documents are pinned first in the preference order (`finish(pinned=...)`),
whatever `prefer` says, so they are never claimed by a batch document: decisions about
indexed documents never change. Within the batch, `prefer` decides as in any run.

Which indexed documents "can matter": `finish` pairs documents through runs of equal keys
(band keys, text hashes, sentence keys). A run of at most `max_full_run` members gives all
its pairs, a longer one pairs every member with its first `anchors` members; a sentence key
held by more than `max_key_docs` documents pairs nobody. So for each key of the batch, the
store returns its ``cap = limit + 1`` earliest holders (`keys.caps`): a run that is long in
the history is long here too (same anchors, the earliest holders), a short one is complete.
A sentence key with ``cap`` holders in the history pairs nobody whatever the batch holds:
its holders are not loaded at all, the store names it crowded and `finish(crowded=...)`
ignores it, as the one run does. (On a long history most stock sentences are crowded: this
is what keeps a batch from loading most of the history.) Pairs of two indexed documents are
not compared (`finish(pinned=...)`): their decisions were made when they were added.
Every pair `finish` would form with a batch document is formed here, and nothing more; the
work is per batch key, whatever the size of the history.

The index holds every document of the history, the copies too, each with what it was
decided to be (`Settled`), and `finish(settled=...)` lets each take part as in one run over
everything: a copy that clustering claimed claims nothing, but its keys make runs of equal
keys (and their anchors) what they are in one run; a copy that the rewrite stage claimed is
still free in clustering (in one run, clustering decides before the rewrite stage: it may
claim a batch document there) and its sentence keys count toward crowded keys, but it claims
nothing in the rewrite stage. (Holding representatives only, as the first format did, a batch
differed from one run wherever such copies mattered: 2 documents of a 10,000 batch against
30,000 indexed on `bench/index_bench.py`'s stream.)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

import cleaner.index.codec as codec
from cleaner.dedup.cluster import MatchKind
from cleaner.dedup.index import (
    DedupConfig,
    DedupResult,
    NearDupIndex,
    PreparedSketches,
    Sketcher,
)
from cleaner.dedup.lsh import sorted_unique
from cleaner.index.keys import SENTENCE, caps, key_rows, space_of
from cleaner.index.store import Candidates, IndexedDoc, IndexStore
from cleaner.stage import TaskMap, serial_map

U8Array = npt.NDArray[np.uint8]
U32Array = npt.NDArray[np.uint32]
I64Array = npt.NDArray[np.int64]

#: The meta.dup key naming where and when the indexed representative was seen.
DUP_INDEXED = "indexed"
#: Indexed documents loaded and decoded at a time (`check_batch`): ~2.8 KB of record each.
LOAD_CHUNK = 20_000


@dataclass(frozen=True)
class BatchCheck:
    """The verdicts of a batch of `size` documents checked against `history` (indexed
    documents, the first ``len(history)`` rows of `result`)."""

    result: DedupResult
    history: list[IndexedDoc]
    size: int

    @property
    def offset(self) -> int:
        return len(self.history)

    @property
    def kinds(self) -> U8Array:
        """The batch documents' `MatchKind` values, in batch order."""
        return self.result.assignments.kind[self.offset :]

    def kind_of(self, i: int) -> MatchKind:
        return MatchKind(int(self.kinds[i]))

    def copies(self) -> I64Array:
        """How many batch documents each batch document represents."""
        a = self.result.assignments
        reps = a.representative[self.offset :][a.is_duplicate[self.offset :]]
        counts: I64Array = np.bincount(reps, minlength=self.offset + self.size)[self.offset :]
        return counts.astype(np.int64)

    def annotation(self, i: int) -> dict[str, Any]:
        """`DedupResult.annotation` of batch document `i`; an indexed representative is also
        named by its date and location (`DUP_INDEXED`)."""
        out = self.result.annotation(self.offset + i)
        rep = int(self.result.assignments.representative[self.offset + i])
        if rep < self.offset:
            doc = self.history[rep]
            out[DUP_INDEXED] = {"date": doc.date, "location": doc.location}
        return out

    def indexed_rows(self) -> I64Array:
        """Batch rows that join the index on update: every document but the empty ones,
        the copies too (with their `roles`), as they are in one run over everything."""
        return np.flatnonzero(self.kinds != MatchKind.EMPTY).astype(np.int64)

    def roles(self) -> U8Array:
        """What each batch document was decided to be (`Settled`), in batch order."""
        return self.result.settled()[self.offset :]


def check_batch(
    config: DedupConfig,
    store: IndexStore,
    prepared: PreparedSketches,
    ids: Sequence[str],
    *,
    settings: str,
    tasks: TaskMap = serial_map,
) -> BatchCheck:
    """Decide `prepared` (documents `ids`) against the index in `store` (see module doc)."""
    wanted = caps(config.max_full_run, config.rewrite.max_key_docs if config.rewrite else 2)
    found = store.candidates(key_rows(prepared), wanted, frozenset({SENTENCE}))
    slots = len(prepared.sentence_keys) if prepared.sentence_keys is not None else 0
    history: list[IndexedDoc] = []
    with NearDupIndex(config) as index:
        # Loaded and decoded LOAD_CHUNK documents at a time, in number order: only the index's
        # arrays grow with what is loaded, not the records and their decoded copy as well.
        for lo in range(0, found.numbers.size, LOAD_CHUNK):
            docs, records = store.load(found.numbers[lo : lo + LOAD_CHUNK])
            known = codec.decode(records, bands=index.bands, slots=slots, made_by=settings)
            del records
            index.add_prepared(known, [doc.id for doc in docs])
            history += docs
            del known
        index.add_prepared(prepared, ids)
        crowded = crowded_keys(found, slots) if slots else None
        settled = np.array([doc.role for doc in history], dtype=np.uint8)
        result = index.finish(tasks=tasks, pinned=len(history), settled=settled, crowded=crowded)
    return BatchCheck(result=result, history=history, size=len(prepared))


def crowded_keys(found: Candidates, slots: int) -> list[U32Array]:
    """The crowded sentence keys of `found`, per key slot, sorted (`NearDupIndex.finish`)."""
    out: list[U32Array] = []
    for slot in range(slots):
        keys = found.crowded_key[found.crowded_space == space_of(SENTENCE, slot)]
        out.append(sorted_unique(keys.astype(np.uint32)))
    return out


def concat_prepared(parts: Sequence[PreparedSketches], sketcher: Sketcher) -> PreparedSketches:
    """Batches of sketches made by `sketcher`, joined into one (none: an empty batch)."""
    return PreparedSketches.concat(parts) if parts else sketcher.prepare([])
