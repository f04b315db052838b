"""Sentence sketches: each sentence of a document as the set of hashes of its content words.

The rewrite stage (`rewrite`) compares documents sentence by sentence, and only needs to know
which content words each sentence has. So instead of texts it keeps, per document, per
sentence, the sorted unique 32-bit hashes of its content words (`SentenceSketches`).

A content word is a word of the sentence after `normalization` (NFKC, casefold, punctuation
out) that is not a stopword (`ENGLISH_STOPWORDS`: function words and news filler such as
"said"), and is at least two characters long. Unlike near-duplicate shingling, ASCII digits
are *not* folded to ``0``: numbers are content here. Two follow-up stories built on one
template ("Meet The Fockers took $44.7m" one weekend, "$42.8m" the next) share most words
but not their figures, while a spun copy of a story keeps every figure.

Sentences are cut by `mark_sentences` (line breaks, ``. ! ? …`` before a capital, ``。！？``);
those with fewer than `min_sentence_words` content words (headings, bylines, "Share this
article") are left out of the sketch.

Layout (`SentenceSketches`): one ``uint32`` array of hashes, sentence after sentence, one
``uint16`` size per sentence and one ``int64`` offset per document; an index keeps them in a
`SentenceStore` (hashes spilled with the shingle hashes, a ``uint32`` sentence count per
document). Measured on BBC News: ~19 sentences and ~200 content words per article, 845
bytes per document (0.37x the UTF-8 text), of which ~45 stay in RAM once spilled.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

from cleaner.dedup.hashing import MASK32, SpanHasher, hash32_bytes
from cleaner.dedup.normalization import normalize_encoded, normalized_utf8
from cleaner.dedup.shingles import gather_ranges
from cleaner.dedup.store import AppendArray, HashStore
from cleaner.errors import ConfigError

U8Array = npt.NDArray[np.uint8]
U16Array = npt.NDArray[np.uint16]
U32Array = npt.NDArray[np.uint32]
U64Array = npt.NDArray[np.uint64]
I64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_CHUNK_CHARS = 1 << 18

_STOPWORDS_TEXT = """
a about above after again against all almost along already also although always am among
an and another any are around as at be became because been before being below between
both but by can cannot could did do does doing done down during each either else even
ever every few for from further get gets got had has have having he her here hers herself
him himself his how however i if in into is it its itself just last later least less like
made make many may me might more most much must my myself near neither never next no nor
not now of off often on once one only onto or other others our ours ourselves out over own
per perhaps put rather really same say said says see seen shall she should since so some
still such than that the their theirs them themselves then there these they this those
though through thus to too told two under until up upon us very via was way we well were
what whatever when where whether which while who whom whose why will with within without
would yes yet you your yours yourself mr mrs ms dr added according including
"""
ENGLISH_STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
"""Function words and news filler ("said", "told", "added", "according"), left out of the
sentence sets. Written in normalised form (lower case, no apostrophes). English only: in
other languages function words stay in, which makes unrelated sentences look a little more
alike; pass `stopwords` to `SentenceSketcher` for another language."""

# Sentence ends become this word (two Ogham letters: a script no news text uses, NFKC- and
# casefold-stable), so that whole documents are normalised and hashed at once and the
# marker's hash tells where each sentence ends.
_MARK = "\u1690\u1690"
_MARK_HASH = hash32_bytes(_MARK)

_MARK_SPACED = f" {_MARK} "
_WESTERN_END = re.compile(r"[.!?…][\"'”’)\]]*\s+(?![a-z])")
_CJK_ENDS = "。！？"
_CJK_END = re.compile(f"[{_CJK_ENDS}]")

MAX_SENTENCE_WORDS = 0xFFFF
"""Content words kept per sentence (sizes are ``uint16``): the smallest hashes of a longer
"sentence" (a list or table without punctuation), a consistent sample of it."""


def mark_sentences(text: str) -> str:
    """`text` with a marker word at every sentence end: at line breaks, after ``. ! ? …``
    (plus closing quotes or brackets) followed by white space and a character that is not a
    lower-case ASCII letter, and at ``。！？``.

    Deliberately simple: "Mr. Smith" becomes two pieces, but the first has no content word
    and is dropped, and every copy of a sentence is cut the same way. Three passes of C
    string code (~20 µs for a 2 KB article; one regular expression with alternatives for
    all cases takes 3x as long).
    """
    text = _WESTERN_END.sub(_MARK_SPACED, text.replace("\n", _MARK_SPACED))
    if any(end in text for end in _CJK_ENDS):
        text = _CJK_END.sub(_MARK_SPACED, text)
    return text


def marked_utf8(text: str) -> bytes:
    """`normalized_utf8(mark_sentences(text))`, without the Unicode tables for ASCII text.

    The marks are the only non-ASCII characters that `mark_sentences` adds to an ASCII text,
    and they are NFKC- and casefold-stable, so lowering A-Z in the UTF-8 bytes is the whole
    normalisation (the Unicode path costs ~2.5x more, for every article, because of them).
    """
    marked = mark_sentences(text)
    if text.isascii():
        return marked.encode("utf-8").lower()
    return normalized_utf8(marked)


def split_sentences(text: str) -> list[str]:
    """The sentences of `text` as `mark_sentences` cuts them (empty pieces dropped)."""
    return [s.strip() for s in mark_sentences(text).split(_MARK) if s.strip()]


class HashReader(Protocol):
    """Where the hashes of an index live (`store.HashStore`: RAM or a temporary file)."""

    def read(self, starts: I64Array, sizes: I64Array) -> U32Array:
        """The items ``[starts[i], starts[i] + sizes[i])`` of each range, concatenated."""
        ...


@dataclass(frozen=True, slots=True)
class SentenceSketches:
    """Content-word hashes of the sentences of many documents (two-level CSR layout).

    Sentence ``s`` holds ``sentence_sizes[s]`` sorted unique ``uint32`` hashes, stored one
    sentence after another in `hashes`; document ``i`` owns sentences
    ``doc_offsets[i]:doc_offsets[i + 1]``. `hashes` is an array, or, in an index, the store
    that holds them (read range by range, never as a whole: see `read`).
    """

    hashes: U32Array | HashReader
    sentence_sizes: U16Array
    doc_offsets: I64Array

    def __len__(self) -> int:
        return int(self.doc_offsets.size - 1)

    @property
    def nbytes(self) -> int:
        """Bytes of the arrays held (hashes only when they are an array)."""
        held = self.hashes.nbytes if isinstance(self.hashes, np.ndarray) else 0
        return int(held + self.sentence_sizes.nbytes + self.doc_offsets.nbytes)

    def read(self, starts: I64Array, sizes: I64Array) -> U32Array:
        """Hashes ``[starts[i], starts[i] + sizes[i])`` of each range, concatenated."""
        if isinstance(self.hashes, np.ndarray):
            return gather_ranges(self.hashes, starts, sizes)
        return self.hashes.read(starts, sizes)

    def take(self, rows: I64Array) -> SentenceSketches:
        """The documents at `rows`, in that order (hashes must be an array)."""
        rows = np.asarray(rows, dtype=np.int64)
        words = self.word_offsets()
        sentence_starts = self.doc_offsets[rows]
        sentence_counts = self.doc_offsets[rows + 1] - sentence_starts
        doc_offsets = np.zeros(rows.size + 1, dtype=np.int64)
        np.cumsum(sentence_counts, out=doc_offsets[1:])
        sizes = self.sentence_sizes.astype(np.int64)
        kept_sizes = gather_ranges(sizes, sentence_starts, sentence_counts)
        word_starts = words[rows]
        hashes = gather_ranges(_in_memory(self.hashes), word_starts, words[rows + 1] - word_starts)
        return SentenceSketches(
            hashes=hashes,
            sentence_sizes=kept_sizes.astype(np.uint16),
            doc_offsets=doc_offsets,
        )

    def sentence_counts(self) -> I64Array:
        """Number of sketched sentences of each document."""
        return np.diff(self.doc_offsets)

    def word_offsets(self) -> I64Array:
        """Start of each document's hashes in `hashes`, plus the end (8 bytes a document,
        where offsets per sentence would take 8 bytes a sentence)."""
        counts = self.sentence_counts()
        words = np.zeros(len(self), dtype=np.int64)
        nonempty = np.flatnonzero(counts > 0)
        if nonempty.size:
            # Empty documents own no sentence, so each sum runs to the next non-empty start.
            starts = self.doc_offsets[nonempty]
            words[nonempty] = np.add.reduceat(self.sentence_sizes, starts, dtype=np.int64)
        offsets = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(words, out=offsets[1:])
        return offsets

    def sentences(self, i: int) -> list[U32Array]:
        """The sentence sets of document `i` (for tests and inspection)."""
        lo, hi = int(self.doc_offsets[i]), int(self.doc_offsets[i + 1])
        if hi == lo:
            return []
        sizes = self.sentence_sizes[lo:hi].astype(np.int64)
        start = self.word_offsets()[i : i + 1]
        data = self.read(start, np.array([sizes.sum()], dtype=np.int64))
        return np.split(data, np.cumsum(sizes)[:-1])

    @staticmethod
    def concat(parts: Sequence[SentenceSketches]) -> SentenceSketches:
        """Join batches into one `SentenceSketches`, documents in order."""
        if not parts:
            return SentenceSketches(
                hashes=np.zeros(0, dtype=np.uint32),
                sentence_sizes=np.zeros(0, dtype=np.uint16),
                doc_offsets=np.zeros(1, dtype=np.int64),
            )
        if len(parts) == 1:
            return parts[0]
        shifts = np.cumsum([0] + [int(p.doc_offsets[-1]) for p in parts[:-1]])
        offsets = np.concatenate(
            [parts[0].doc_offsets[:1]]
            + [p.doc_offsets[1:] + shift for p, shift in zip(parts, shifts, strict=True)]
        )
        return SentenceSketches(
            hashes=np.concatenate([_in_memory(p.hashes) for p in parts]),
            sentence_sizes=np.concatenate([p.sentence_sizes for p in parts]),
            doc_offsets=offsets.astype(np.int64),
        )


def _in_memory(hashes: U32Array | HashReader) -> U32Array:
    if not isinstance(hashes, np.ndarray):
        raise TypeError("only sketches whose hashes are an array can be joined or stored")
    return hashes


class SentenceStore:
    """The `SentenceSketches` of an index, appended batch by batch without copies.

    The hashes (~4 bytes per content word, ~800 bytes per news article) go to a
    `store.HashStore`, so they spill to a temporary file with the index's shingle hashes;
    sentence sizes (2 bytes each) and per-document sentence counts (4 bytes) stay in RAM
    (`store.AppendArray`). `sketches` gives everything as one `SentenceSketches` that reads
    its hashes from the store range by range.
    """

    def __init__(self, *, spill_bytes: int | None = None, spill_dir: str | None = None) -> None:
        self._hashes = HashStore(spill_bytes=spill_bytes, spill_dir=spill_dir)
        self._sentence_sizes = AppendArray(np.uint16)
        self._sentence_counts = AppendArray(np.uint32)

    def __len__(self) -> int:
        return len(self._sentence_counts)

    @property
    def nbytes(self) -> int:
        """Bytes held in RAM."""
        return self._hashes.ram_bytes + self._sentence_sizes.nbytes + self._sentence_counts.nbytes

    @property
    def disk_bytes(self) -> int:
        """Bytes of hashes spilled to the temporary file."""
        return self._hashes.disk_bytes

    def append(self, sketches: SentenceSketches) -> None:
        self._hashes.append(_in_memory(sketches.hashes))
        self._sentence_sizes.append(sketches.sentence_sizes)
        self._sentence_counts.append(sketches.sentence_counts())

    def sketches(self) -> SentenceSketches:
        """Everything appended so far; the hashes are read from the store as needed."""
        offsets = np.zeros(len(self) + 1, dtype=np.int64)
        np.cumsum(self._sentence_counts.view(), out=offsets[1:])
        return SentenceSketches(
            hashes=self._hashes,
            sentence_sizes=self._sentence_sizes.view(),
            doc_offsets=offsets,
        )

    def close(self) -> None:
        self._hashes.close()
        self._sentence_sizes.close()
        self._sentence_counts.close()


class SentenceSketcher:
    """Texts -> `SentenceSketches`, vectorised per batch (owns its hash power tables).

    Each text is marked at its sentence ends (one regular-expression substitution), then the
    whole batch is normalised and its words hashed in numpy, as for shingles; no Python code
    runs per sentence or per word. Batches are bounded by `chunk_chars` characters
    (normalisation needs ~20 bytes of temporary memory per input byte).
    """

    def __init__(
        self,
        min_sentence_words: int = 3,
        stopwords: frozenset[str] = ENGLISH_STOPWORDS,
        chunk_chars: int = _CHUNK_CHARS,
    ) -> None:
        if min_sentence_words < 1:
            raise ConfigError(f"min_sentence_words must be >= 1, not {min_sentence_words}")
        self.min_sentence_words = min_sentence_words
        self.chunk_chars = chunk_chars
        self._hasher = SpanHasher()
        self._stop_hashes = np.unique(
            np.fromiter((hash32_bytes(w) for w in stopwords), dtype=np.uint64, count=len(stopwords))
        )

    def sketch(self, texts: Sequence[str]) -> SentenceSketches:
        """Sentence sketches of `texts`, in order."""
        parts: list[SentenceSketches] = []
        start, size = 0, 0
        for i, text in enumerate(texts):
            size += len(text) + 1
            if size >= self.chunk_chars:
                parts.append(self._sketch_batch(texts[start : i + 1]))
                start, size = i + 1, 0
        if start < len(texts) or not parts:
            parts.append(self._sketch_batch(texts[start:]))
        return SentenceSketches.concat(parts)

    def _sketch_batch(self, texts: Sequence[str]) -> SentenceSketches:
        batch = normalize_encoded([marked_utf8(t) for t in texts], fold_digits=False)
        n_docs = len(texts)
        words_per_doc = np.diff(batch.word_offsets)
        hashes = np.zeros(0, dtype=np.uint64)
        if batch.word_starts.size:
            hashes = self._hasher.span_hashes(batch.data, batch.word_starts, batch.word_ends)
            hashes &= np.uint64(MASK32)
        is_mark = hashes == np.uint64(_MARK_HASH)
        # Sentence of each word: its document's first sentence plus the marks before it there.
        doc_of_word = np.repeat(np.arange(n_docs, dtype=np.int64), words_per_doc)
        marks = np.zeros(hashes.size + 1, dtype=np.int64)
        np.cumsum(is_mark, out=marks[1:])
        doc_start_marks = marks[batch.word_offsets[:-1]]
        sentences_per_doc = marks[batch.word_offsets[1:]] - doc_start_marks + 1
        base = np.cumsum(sentences_per_doc) - sentences_per_doc
        sentence_of_word = (base - doc_start_marks)[doc_of_word] + marks[:-1]
        content = ~is_mark & _longer_than_one_char(batch.data, batch.word_starts, batch.word_ends)
        content &= ~_member(hashes, self._stop_hashes)
        # One sort gives every sentence's sorted hashes (timsort: the keys are already in
        # runs, sentence by sentence); repeated words collapse.
        keys = (sentence_of_word[content].astype(np.uint64) << np.uint64(32)) | hashes[content]
        keys.sort(kind="stable")
        keys = keys[np.append(True, keys[1:] != keys[:-1])] if keys.size else keys
        sentence_of_key = (keys >> np.uint64(32)).astype(np.int64)
        n_sentences = int(sentences_per_doc.sum())
        sizes = np.bincount(sentence_of_key, minlength=n_sentences)
        kept = sizes >= self.min_sentence_words
        keep_key = kept[sentence_of_key]
        if sizes.max(initial=0) > MAX_SENTENCE_WORDS:
            first = np.cumsum(sizes) - sizes
            keep_key &= np.arange(keys.size) - first[sentence_of_key] < MAX_SENTENCE_WORDS
            sizes = np.minimum(sizes, MAX_SENTENCE_WORDS)
        doc_of_sentence = np.repeat(np.arange(n_docs, dtype=np.int64), sentences_per_doc)
        offsets = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(doc_of_sentence[kept], minlength=n_docs), out=offsets[1:])
        return SentenceSketches(
            hashes=(keys[keep_key] & np.uint64(MASK32)).astype(np.uint32),
            sentence_sizes=sizes[kept].astype(np.uint16),
            doc_offsets=offsets,
        )


def _member(values: U64Array, sorted_set: U64Array) -> BoolArray:
    """Mask of `values` found in the small `sorted_set`: a 16-bit bitmap of the set's low
    bits rules out almost every other value at once; binary search confirms the rest."""
    bitmap = np.zeros(1 << 16, dtype=np.bool_)
    bitmap[(sorted_set & np.uint64(0xFFFF)).astype(np.int64)] = True
    found = bitmap[(values & np.uint64(0xFFFF)).astype(np.int64)]
    maybe = np.flatnonzero(found)
    if maybe.size:
        position = np.minimum(np.searchsorted(sorted_set, values[maybe]), sorted_set.size - 1)
        found[maybe] = sorted_set[position] == values[maybe]
    return found


def _longer_than_one_char(data: U8Array, starts: I64Array, ends: I64Array) -> BoolArray:
    """Mask of the UTF-8 spans holding more than one character: longer than the byte width
    that their first (lead) byte announces."""
    lead = data[starts]
    width = 1 + (lead >= 0xC0).astype(np.int64) + (lead >= 0xE0) + (lead >= 0xF0)
    longer: BoolArray = ends - starts > width
    return longer
