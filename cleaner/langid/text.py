"""langdetect's text preparation and character normalisation, on arrays of code points.

Each step reproduces one piece of langdetect (1.0.9), using its own regular expressions and
its own `NGram.normalize` where it has them:

- `Detector.append`: URLs and e-mail addresses become a space, `NGram.normalize_vi` folds
  Vietnamese letter + combining mark into one character, the text is cut at
  `max_text_length` characters (each substitution runs only when the text holds what its
  pattern needs: "://", "@", a combining mark). `append` also folds runs of spaces into
  one; that is left to `ngrams`, where a space after a space yields nothing either way;
- `Detector.cleaning_text`: when Latin letters are fewer than half of the other characters,
  the Latin ones are removed (langdetect compares `unicode_block(ch)` with a block *name*
  it never returns, so every character from U+0300 up counts as non-Latin; so here too);
- `NGram.normalize`, applied to every character before n-grams are taken: tabulated for the
  Basic Multilingual Plane by calling langdetect's own function, each character the first
  time a text holds it (every block it rewrites lies in that plane; characters above it are
  left as they are).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

CodePoints = npt.NDArray[np.uint32]

MAX_TEXT_LENGTH = 10_000  # langdetect's Detector.max_text_length default
_BMP = 0x10000
_LATIN_FIRST, _LATIN_LAST = ord("A"), ord("z")  # langdetect's 'A' <= ch <= 'z', [\]^_` included
_NON_LATIN_FIRST = 0x300


def prepare(text: str, max_length: int = MAX_TEXT_LENGTH) -> str:
    """The text as langdetect's `Detector.append` stores it for one call."""
    from langdetect.detector import Detector
    from langdetect.utils.ngram import NGram

    if "://" in text:
        text = Detector.URL_RE.sub(" ", text)
    if "@" in text:
        text = Detector.MAIL_RE.sub(" ", text)
    if any(mark in text for mark in NGram.DMARK_CLASS):
        text = NGram.normalize_vi(text)
    return text[:max_length]


def code_points(text: str) -> CodePoints:
    """The characters of `text` as code points (lone surrogates kept as they are)."""
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


def drop_latin_if_minor(points: CodePoints) -> CodePoints:
    """langdetect's `cleaning_text`: Latin letters go when they are under half the rest."""
    latin = (points >= _LATIN_FIRST) & (points <= _LATIN_LAST)
    non_latin = int(np.count_nonzero(points >= _NON_LATIN_FIRST))
    if int(np.count_nonzero(latin)) * 2 < non_latin:
        return points[~latin]
    return points


@dataclass(frozen=True)
class CharTable:
    """`NGram.normalize` and `str.isupper` of the normalised character, per BMP code point.

    Filled on demand: a character's entry is computed (with langdetect's own function) the
    first time a text holds it. Tabulating the whole plane up front took 65,536 calls and
    about 0.3 s of every run's start-up, for the few hundred characters a corpus uses.
    """

    normalized: CodePoints
    upper: npt.NDArray[np.bool_]
    known: npt.NDArray[np.bool_]

    @classmethod
    def build(cls) -> CharTable:
        """An empty table; entries are computed as characters are first seen."""
        return cls(
            normalized=np.zeros(_BMP, dtype=np.uint32),
            upper=np.zeros(_BMP, dtype=np.bool_),
            known=np.zeros(_BMP, dtype=np.bool_),
        )

    def _fill(self, points: CodePoints) -> None:
        """Compute the entries of the BMP code points `points` not tabulated yet."""
        missing = points[~self.known[points]]
        if missing.size == 0:
            return
        from langdetect.utils.ngram import NGram

        normalize = NGram.normalize
        for cp in np.unique(missing).tolist():
            char = normalize(chr(cp))
            self.normalized[cp] = ord(char)
            self.upper[cp] = char.isupper()
        self.known[missing] = True

    def normalize(self, points: CodePoints) -> tuple[CodePoints, npt.NDArray[np.bool_]]:
        """(normalised code points, whether each is upper case)."""
        if points.size == 0 or int(points.max()) < _BMP:
            self._fill(points)
            normalized = self.normalized[points]
            self._fill(normalized)
            return normalized, self.upper[normalized]
        high = points >= _BMP
        low = np.where(high, 0, points).astype(np.uint32)
        self._fill(low)
        normalized = self.normalized[low]
        normalized[high] = points[high]
        low_normalized = np.where(high, 0, normalized).astype(np.uint32)
        self._fill(low_normalized)
        upper = self.upper[low_normalized]
        upper[high] = [chr(int(cp)).isupper() for cp in points[high]]
        return normalized, upper
