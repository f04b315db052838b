"""`PreparedSketches` <-> one bytes record per document, field by field.

A persistent index keeps, for every indexed document, everything a one-run dedup keeps of
it in `NearDupIndex` (band keys, shingle hashes, whole-text hash, sentence sketches and
their candidate keys), so that a batch is checked against it by the same `finish` code.
Each array of `PreparedSketches` is one `Column` below: how to cut it per document and how
to join documents back. A field added to `PreparedSketches` needs one more `Column` line
(and its keyword in `_build`); records written before it are refused by the format version
(`cleaner.index.format`), never misread.

A record is a header of ``uint32`` element counts, one per column, then each column's bytes
in column order (little-endian numpy dtypes).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from cleaner.dedup.cluster import NO_DATE
from cleaner.dedup.index import PreparedSketches
from cleaner.dedup.sentences import SentenceSketches
from cleaner.dedup.shingles import ShingleSets
from cleaner.errors import ConfigError

I64Array = npt.NDArray[np.int64]
AnyArray = npt.NDArray[np.generic]

Cut = Callable[[PreparedSketches], tuple[AnyArray, I64Array]]
"""A batch -> (all its values in document order, the number of values of each document)."""


@dataclass(frozen=True, slots=True)
class Column:
    """One array of `PreparedSketches`, stored per document."""

    name: str
    dtype: str
    cut: Cut
    rewrite_only: bool = False


def _band_keys(p: PreparedSketches) -> tuple[AnyArray, I64Array]:
    n = len(p)
    values = np.ascontiguousarray(p.band_keys.T).reshape(-1)  # per document: its bands
    return values, np.full(n, p.band_keys.shape[0], dtype=np.int64)


def _shingles(p: PreparedSketches) -> tuple[AnyArray, I64Array]:
    return p.sets.hashes, p.sets.sizes()


def _text_hash(p: PreparedSketches) -> tuple[AnyArray, I64Array]:
    return p.sets.text_hashes, np.ones(len(p), dtype=np.int64)


def _sentence_sizes(p: PreparedSketches) -> tuple[AnyArray, I64Array]:
    assert p.sentences is not None
    return p.sentences.sentence_sizes, p.sentences.sentence_counts()


def _sentence_words(p: PreparedSketches) -> tuple[AnyArray, I64Array]:
    assert p.sentences is not None
    words = p.sentences.word_offsets()
    hashes = p.sentences.read(words[:1], words[-1:] - words[:1])
    return hashes, np.diff(words)


def _sentence_keys(p: PreparedSketches) -> tuple[AnyArray, I64Array]:
    assert p.sentences is not None and p.sentence_keys is not None
    counts = p.sentences.sentence_counts()
    # per document: its sentences' keys, sentence by sentence, slot after slot
    values = np.ascontiguousarray(p.sentence_keys.T).reshape(-1)
    return values, counts * p.sentence_keys.shape[0]


def _published(p: PreparedSketches) -> tuple[AnyArray, I64Array]:
    n = len(p)
    dates = np.full(n, NO_DATE, dtype=np.int64) if p.published is None else p.published
    return dates, np.ones(n, dtype=np.int64)


def _raw_hash(p: PreparedSketches) -> tuple[AnyArray, I64Array]:
    n = len(p)
    hashes = np.zeros(n, dtype=np.uint64) if p.raw_hashes is None else p.raw_hashes
    return hashes, np.ones(n, dtype=np.int64)


COLUMNS: tuple[Column, ...] = (
    Column("band_keys", "<u8", _band_keys),
    Column("shingles", "<u4", _shingles),
    Column("text_hash", "<u8", _text_hash),
    Column("published", "<i8", _published),
    Column("raw_hash", "<u8", _raw_hash),
    Column("sentence_sizes", "<u2", _sentence_sizes, rewrite_only=True),
    Column("sentence_words", "<u4", _sentence_words, rewrite_only=True),
    Column("sentence_keys", "<u4", _sentence_keys, rewrite_only=True),
)


def encode(prepared: PreparedSketches) -> list[bytes]:
    """One record per document of `prepared`, in order."""
    n = len(prepared)
    rewrite = prepared.sentences is not None
    parts: list[tuple[bytes, I64Array, I64Array, int]] = []
    counts = np.zeros((n, len(COLUMNS)), dtype="<u4")
    for k, column in enumerate(COLUMNS):
        if column.rewrite_only and not rewrite:
            parts.append((b"", np.zeros(n, np.int64), np.zeros(n + 1, np.int64), 0))
            continue
        values, sizes = column.cut(prepared)
        data = np.ascontiguousarray(values, dtype=column.dtype)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        counts[:, k] = sizes
        parts.append((data.tobytes(), sizes, offsets, data.itemsize))
    records: list[bytes] = []
    for i in range(n):
        pieces = [counts[i].tobytes()]
        for raw, _, offsets, size in parts:
            pieces.append(raw[int(offsets[i]) * size : int(offsets[i + 1]) * size])
        records.append(b"".join(pieces))
    return records


def decode(records: Sequence[bytes], *, bands: int, slots: int, made_by: str) -> PreparedSketches:
    """`PreparedSketches` of the documents whose `records` these are, in order.

    `bands` and `slots` (sentence keys per sentence, 0 without the rewrite stage) come from
    the index's settings; a record that does not fit them is a corrupt index.
    """
    width = len(COLUMNS)
    header = width * 4
    counts = np.zeros((len(records), width), dtype=np.int64)
    chunks: list[list[memoryview]] = [[] for _ in COLUMNS]
    itemsizes = [np.dtype(c.dtype).itemsize for c in COLUMNS]
    for i, record in enumerate(records):
        if len(record) < header:
            raise ConfigError("index record too short: the index is corrupt")
        row = np.frombuffer(record, dtype="<u4", count=width).astype(np.int64)
        counts[i] = row
        at = header
        view = memoryview(record)  # column slices without copies: joined once below
        for k, size in enumerate(itemsizes):
            end = at + int(row[k]) * size
            chunks[k].append(view[at:end])
            at = end
        if at != len(record):
            raise ConfigError("index record of the wrong length: the index is corrupt")
    values: dict[str, AnyArray] = {}
    for k, c in enumerate(COLUMNS):
        # One column at a time, copied out in the machine's byte order (which `_build` keeps
        # without another copy): each column's joined bytes are freed before the next one is
        # joined, so decoding needs the records and the arrays, not twice the arrays.
        native = np.dtype(c.dtype).newbyteorder("=")
        values[c.name] = np.frombuffer(b"".join(chunks[k]), dtype=c.dtype).astype(native)
        chunks[k] = []
    sizes = {c.name: counts[:, k] for k, c in enumerate(COLUMNS)}
    return _build(values, sizes, bands=bands, slots=slots, made_by=made_by)


def _offsets(sizes: I64Array) -> I64Array:
    offsets = np.zeros(sizes.size + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return offsets


def _build(
    values: dict[str, AnyArray],
    sizes: dict[str, I64Array],
    *,
    bands: int,
    slots: int,
    made_by: str,
) -> PreparedSketches:
    n = int(sizes["band_keys"].size)
    singles = ("text_hash", "published", "raw_hash")
    if np.any(sizes["band_keys"] != bands) or any(np.any(sizes[c] != 1) for c in singles):
        raise ConfigError("index records do not match the index settings: the index is corrupt")
    band_keys = values["band_keys"].astype(np.uint64, copy=False).reshape(n, bands).T.copy()
    sets = ShingleSets(
        hashes=values["shingles"].astype(np.uint32, copy=False),
        offsets=_offsets(sizes["shingles"]),
        text_hashes=values["text_hash"].astype(np.uint64, copy=False),
    )
    sentences = keys = None
    if slots:
        sentence_counts = sizes["sentence_sizes"]
        sentences = SentenceSketches(
            hashes=values["sentence_words"].astype(np.uint32, copy=False),
            sentence_sizes=values["sentence_sizes"].astype(np.uint16, copy=False),
            doc_offsets=_offsets(sentence_counts),
        )
        if np.any(sizes["sentence_keys"] != sentence_counts * slots):
            raise ConfigError("index sentence keys do not match: the index is corrupt")
        total = int(sentence_counts.sum())
        keys = values["sentence_keys"].astype(np.uint32, copy=False).reshape(total, slots).T.copy()
    return PreparedSketches(
        band_keys=band_keys,
        sets=sets,
        sentences=sentences,
        sentence_keys=keys,
        made_by=made_by,
        published=values["published"].astype(np.int64, copy=False),
        raw_hashes=values["raw_hash"].astype(np.uint64, copy=False),
    )
