"""Text normalisation for near-duplicate detection, vectorised over a batch of documents.

Two copies of a news story differ in ways that say nothing about their content: Unicode forms
(``ﬁ`` vs ``fi``, full-width letters), case, punctuation and quote styles, spacing, and numbers
that were updated between versions ("3 dead" -> "5 dead"). Normalisation removes those so that
shingles compare what the text says. The rules, applied in this order:

1. Unicode NFKC, ``str.casefold`` (``ß`` -> ``ss``, ``Σ`` -> ``σ``), NFKC again (casefolding
   can decompose a character; the second pass is a no-op quick check for almost all text).
2. Every code point gets a class (see `char_class`):
   - letters and marks (``L*``, ``M*``) and non-decimal numbers (``Nl``, ``No``) are kept;
   - decimal digits (``Nd``, any script) are folded to ``0``, so "won 3-1" and "won 2-0" look
     alike and a story whose figures were updated still matches its earlier version. Folding
     (rather than removing) keeps the number of tokens, so shingle alignment is unchanged;
   - apostrophes (``'`` ``‘`` ``’`` ``ʼ``) and invisible format characters (``Cf``: soft hyphen,
     zero-width joiners, BOM; but not the zero-width space) are deleted, so "don't" == "dont"
     and "co\\u00adoperate" == "cooperate";
   - everything else (punctuation, symbols, whitespace, control characters) separates words.
3. Words are the maximal runs of kept characters; the normalised text is the words joined by
   single spaces. ``"The U.S.-led  talks (2004)"`` -> ``"the u s led talks 0000"``.

The batch path works on the UTF-8 bytes of many documents at once, as one ``uint8`` array: ASCII
bytes are classified with arithmetic, multi-byte characters are decoded from their lead bytes
and looked up in a table, and a few boolean masks do the rest; no Python code runs per
character. `normalize` runs the same path on one text.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

SEPARATOR = 0
"""Class of code points that end a word (punctuation, symbols, whitespace, controls)."""
KEEP = 1
"""Class of code points kept as they are (letters, marks, non-decimal numbers)."""
DIGIT = 2
"""Class of decimal digits, folded to ``0``."""
DELETE = 3
"""Class of code points deleted without ending a word (apostrophes, format characters)."""

_APOSTROPHES = frozenset("'\u2018\u2019\u02bc")
_ZERO_WIDTH_SPACE = "\u200b"
_SPACE = 0x20
_ZERO = 0x30
_BMP = 0x10000

U8Array = npt.NDArray[np.uint8]
U32Array = npt.NDArray[np.uint32]
I64Array = npt.NDArray[np.int64]


def char_class(ch: str) -> int:
    """Return the normalisation class (`SEPARATOR`, `KEEP`, `DIGIT`, `DELETE`) of one character.

    This is the single definition of the rules; the vectorised path uses a table built from it.
    """
    if ch in _APOSTROPHES:
        return DELETE
    category = unicodedata.category(ch)
    if category == "Nd":
        return DIGIT
    if category[0] in "LM" or category in ("Nl", "No"):
        return KEEP
    if category == "Cf" and ch != _ZERO_WIDTH_SPACE:
        return DELETE
    return SEPARATOR


#: Table entry of a Basic Multilingual Plane code point not classified yet.
_UNKNOWN = 255


@functools.cache
def _bmp_class_table() -> npt.NDArray[np.uint8]:
    """Classes of the 65,536 Basic Multilingual Plane code points, filled on demand.

    Entries start as `_UNKNOWN`; `classify` fills those of the code points it meets with
    `char_class`, so a run pays for the few hundred characters its text uses instead of 65,536
    `unicodedata` calls (about 30 ms) at every start. Code points beyond the BMP are rare in news
    text and are classified per batch with `char_class`.
    """
    return np.full(_BMP, _UNKNOWN, dtype=np.uint8)


def classify(codepoints: U32Array) -> npt.NDArray[np.uint8]:
    """Vectorised `char_class` over an array of code points (table look-up, ~3 ns each)."""
    table = _bmp_class_table()
    classes = table.take(codepoints, mode="clip")
    unknown = classes == _UNKNOWN
    if unknown.any():
        # Astral code points are clipped to U+FFFF here, as in the look-up above.
        new = np.unique(np.minimum(codepoints[unknown], _BMP - 1))
        table[new] = [char_class(chr(int(cp))) for cp in new]
        classes[unknown] = table.take(codepoints[unknown], mode="clip")
    astral = np.flatnonzero(codepoints >= _BMP)
    if astral.size:
        unique, inverse = np.unique(codepoints[astral], return_inverse=True)
        found = np.array([char_class(chr(int(cp))) for cp in unique], dtype=np.uint8)
        classes[astral] = found[inverse]
    return classes


def classify_utf8(data: U8Array) -> U8Array:
    """The class of every byte of UTF-8 text: each byte of a character gets its class.

    ASCII bytes (most of most news text) are classified with a few arithmetic comparisons.
    Multi-byte characters are decoded from their lead byte and classified with `classify`.
    A non-ASCII decimal digit becomes one `DIGIT` lead byte (later rewritten to ``0``)
    followed by `DELETE` continuation bytes. `data` must end with 3 padding bytes so that
    reading past a lead byte stays in bounds (`normalize_batch` ensures that).
    """
    letters = data | np.uint8(0x20)  # maps A-Z onto a-z
    letters -= np.uint8(ord("a"))
    classes = (letters < 26).view(np.uint8)  # KEEP == 1
    digits = data - np.uint8(ord("0"))
    classes |= (digits < 10).view(np.uint8) << np.uint8(1)  # DIGIT == 2
    classes |= (data == ord("'")).view(np.uint8) * np.uint8(DELETE)
    leads = np.flatnonzero(data >= 0xC0)
    if not leads.size:
        return classes
    lead = data[leads].astype(np.uint32)
    b1, b2, b3 = (data[leads + k].astype(np.uint32) & np.uint32(0x3F) for k in (1, 2, 3))
    width = 2 + (lead >= 0xE0).astype(np.int64) + (lead >= 0xF0)
    codepoints = np.where(
        width == 2,
        ((lead & 0x1F) << 6) | b1,
        np.where(
            width == 3,
            ((lead & 0x0F) << 12) | (b1 << 6) | b2,
            ((lead & 0x07) << 18) | (b1 << 12) | (b2 << 6) | b3,
        ),
    ).astype(np.uint32)
    lead_classes = classify(codepoints)
    rest_classes = np.where(lead_classes == DIGIT, np.uint8(DELETE), lead_classes)
    classes[leads] = lead_classes
    classes[leads + 1] = rest_classes
    for k in (2, 3):
        longer = width > k
        classes[leads[longer] + k] = rest_classes[longer]
    return classes


@dataclass(frozen=True, slots=True)
class NormalizedBatch:
    """Normalised text of a batch of documents as one UTF-8 byte stream, with word positions.

    `data` holds every document's normalised text, each word followed by one space. Word
    ``k`` is ``data[word_starts[k]:word_ends[k]]``; the words of document ``i`` are
    ``word_offsets[i]:word_offsets[i + 1]``.
    """

    data: U8Array
    word_starts: I64Array
    word_ends: I64Array
    word_offsets: I64Array

    def __len__(self) -> int:
        return int(self.word_offsets.size - 1)

    def doc_spans(self) -> tuple[I64Array, I64Array]:
        """Start and end of each document's text in `data` (both 0 for empty documents)."""
        first = self.word_offsets[:-1]
        last = self.word_offsets[1:]
        starts = np.zeros(first.size, dtype=np.int64)
        ends = np.zeros(first.size, dtype=np.int64)
        nonempty = np.flatnonzero(last > first)
        starts[nonempty] = self.word_starts[first[nonempty]]
        ends[nonempty] = self.word_ends[last[nonempty] - 1]
        return starts, ends

    def text(self, i: int) -> str:
        """The normalised text of document `i` (words joined by single spaces)."""
        starts, ends = self.doc_spans()
        return self.data[starts[i] : ends[i]].tobytes().decode("utf-8")


def normalized_utf8(text: str) -> bytes:
    """Rule 1 (NFKC, casefold, NFKC) applied to `text`, as UTF-8 bytes.

    ASCII text takes a shortcut with the same result: no ASCII character has a compatibility
    decomposition, and casefolding ASCII lowers A-Z and nothing else, which is what
    `bytes.lower` does (without the Unicode case tables, ~3x faster on a news article).
    """
    if text.isascii():
        return text.encode("ascii").lower()
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return folded.encode("utf-8", "surrogatepass")


def normalize_batch(texts: Sequence[str], *, fold_digits: bool = True) -> NormalizedBatch:
    """Normalise `texts` (see the module docstring) into one `NormalizedBatch`.

    A few numpy passes over the batch's UTF-8 bytes; about 20 bytes of temporary memory per
    input byte, so callers batch by total text size. With ``fold_digits=False`` ASCII digits
    are kept as they are (other decimal digits still become ``0``): the rewrite stage's
    sentence sketches treat numbers as content (see `sentences`).
    """
    return normalize_encoded([normalized_utf8(text) for text in texts], fold_digits=fold_digits)


def normalize_encoded(encoded: Sequence[bytes], *, fold_digits: bool = True) -> NormalizedBatch:
    """`normalize_batch` of texts already through `normalized_utf8` (rules 2 and 3)."""
    # NUL separates documents: it is a SEPARATOR, so no word crosses a document boundary, and
    # the final NUL ends the batch's last word. Three more bytes pad `classify_utf8`'s reads.
    data = np.frombuffer(b"\x00".join(encoded) + b"\x00\x00\x00\x00", dtype=np.uint8)
    doc_bounds = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(e) + 1 for e in encoded], out=doc_bounds[1:])
    classes = classify_utf8(data)[: data.size - 3]
    data = data[: data.size - 3]

    deleted = np.flatnonzero(classes == DELETE)
    if deleted.size:
        keep = classes != DELETE
        data = data[keep]
        classes = classes[keep]
        doc_bounds -= np.searchsorted(deleted, doc_bounds)
    else:
        data = data.copy()
    digits = classes == DIGIT
    if not fold_digits:
        digits &= data >= 0x80  # the lead byte of a non-ASCII digit
    data[digits] = _ZERO

    in_word = classes != SEPARATOR
    # Word starts and ends alternate in the change points; every word ends before a NUL.
    changes = np.flatnonzero(in_word[1:] != in_word[:-1]) + 1
    if in_word[0]:
        changes = np.concatenate([[0], changes])
    raw_starts = changes[0::2]
    raw_ends = changes[1::2]
    word_offsets = np.searchsorted(raw_starts, doc_bounds).astype(np.int64)

    # Compact: keep word bytes and the first separator byte after each word, as one space.
    keep_mask = in_word.copy()
    keep_mask[raw_ends] = True
    compact = data[keep_mask]
    word_lengths = raw_ends - raw_starts
    word_starts = np.zeros(raw_starts.size, dtype=np.int64)
    if raw_starts.size > 1:
        np.cumsum(word_lengths[:-1] + 1, out=word_starts[1:])
    word_ends = word_starts + word_lengths
    compact[word_ends] = _SPACE
    return NormalizedBatch(
        data=compact,
        word_starts=word_starts,
        word_ends=word_ends,
        word_offsets=word_offsets,
    )


def normalize(text: str) -> str:
    """Normalise one text: NFKC, casefold, digits to 0, punctuation out, single spaces."""
    return normalize_batch([text]).text(0)
