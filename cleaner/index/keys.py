"""The lookup keys of a batch of sketches: what a store indexes, and what a batch asks for.

Candidate generation in `NearDupIndex.finish` pairs documents through three kinds of equal
keys: LSH band keys (per band), the whole normalised text's hash, and (rewrite mode) the
sentence keys (per key slot). A store keeps, for each key, the numbers of the indexed
documents holding it, and answers a batch with the holders of the batch's keys: only the
`cap` lowest-numbered (earliest) holders of each key, which is exact (see
`cleaner.index.check`) and bounds the answer by the batch, not by the history. Every
document of the history is a holder, the copies too (`stored_key_rows`), so that a key is
held by as many documents as in one run over everything.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cleaner.dedup.cluster import Settled
from cleaner.dedup.index import PreparedSketches
from cleaner.dedup.lsh import sorted_unique

I64Array = npt.NDArray[np.int64]

#: Key kinds, as stored (one small integer each, combined with the band or slot).
BAND, TEXT, SENTENCE = 0, 1, 2


@dataclass(frozen=True, slots=True)
class KeyRows:
    """``(doc, space, key)`` rows: the document (row in its batch), the key space (kind and
    band or slot, `space_of`) and the key as a signed 64-bit integer (how stores keep it).
    Unique rows, grouped by key space."""

    doc: I64Array
    space: I64Array
    key: I64Array

    def __len__(self) -> int:
        return int(self.doc.size)


def space_of(kind: int, number: int) -> int:
    """The key space of band / slot `number` of a key `kind`."""
    return kind * 1024 + number


def key_rows(prepared: PreparedSketches) -> KeyRows:
    """Every lookup key of every document of `prepared` (empty documents have none: they
    are never candidates), each ``(doc, space, key)`` once."""
    n = len(prepared)
    nonempty = prepared.sets.sizes() > 0
    docs: list[I64Array] = []
    spaces: list[I64Array] = []
    keys: list[I64Array] = []
    rows = np.arange(n, dtype=np.int64)[nonempty]

    def part(space: int, doc: I64Array, key: I64Array) -> None:
        docs.append(doc)
        spaces.append(np.full(doc.size, space, dtype=np.int64))
        keys.append(key)

    # One band key and one text hash per document: unique as they are.
    for band, band_row in enumerate(prepared.band_keys):
        part(space_of(BAND, band), rows, band_row[nonempty].view(np.int64))
    part(space_of(TEXT, 0), rows, prepared.sets.text_hashes[nonempty].view(np.int64))
    if prepared.sentences is not None and prepared.sentence_keys is not None:
        # Two sentences of a document may share a key: ``doc << 32 | key`` codes, made unique
        # with one sort of one array per slot.
        counts = prepared.sentences.sentence_counts()
        owner = np.repeat(np.arange(n, dtype=np.uint64), counts)
        keep = nonempty[owner.astype(np.int64)]
        for slot, slot_keys in enumerate(prepared.sentence_keys):
            tagged = (owner[keep] << np.uint64(32)) | slot_keys[keep].astype(np.uint64)
            codes = sorted_unique(tagged)
            doc = (codes >> np.uint64(32)).astype(np.int64)
            part(space_of(SENTENCE, slot), doc, (codes & np.uint64(0xFFFFFFFF)).astype(np.int64))
    if not docs:
        empty = np.zeros(0, dtype=np.int64)
        return KeyRows(doc=empty, space=empty.copy(), key=empty.copy())
    return KeyRows(doc=np.concatenate(docs), space=np.concatenate(spaces), key=np.concatenate(keys))


def stored_key_rows(prepared: PreparedSketches, roles: npt.NDArray[np.uint8]) -> KeyRows:
    """The keys a store keeps for `prepared` whose documents were decided to be `roles`
    (`Settled`): all of `key_rows`, but no sentence keys of a ``COPY`` (clustering claimed
    it: in one run it is no rewrite candidate and its sentences are counted by nobody)."""
    rows = key_rows(prepared)
    keep = (rows.space // 1024 != SENTENCE) | (roles[rows.doc] != Settled.COPY)
    if keep.all():
        return rows
    return KeyRows(doc=rows.doc[keep], space=rows.space[keep], key=rows.key[keep])


def spaces(keys: KeyRows) -> list[int]:
    """The key spaces `keys` holds, in order (a count per space: no sort of the rows)."""
    return np.flatnonzero(np.bincount(keys.space)).tolist() if len(keys) else []


def caps(max_full_run: int, max_key_docs: int) -> dict[int, int]:
    """How many holders of a key of each kind a batch needs to be decided exactly: one more
    than the longest run `finish` pairs in full (bands and text hashes: `max_full_run`;
    sentence keys: `max_key_docs`)."""
    return {BAND: max_full_run + 1, TEXT: max_full_run + 1, SENTENCE: max(max_key_docs, 2) + 1}
