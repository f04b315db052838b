"""langdetect's shipped profiles as a dense matrix of smoothed log-probabilities.

langdetect's `DetectorFactory.add_profile` gives n-gram w in language l the probability
P(w|l) = freq_l(w) / n_words_l[len(w) - 1] (0 where the profile lacks it), and
`Detector._update_lang_prob` multiplies each language's probability by alpha / BASE_FREQ +
P(w|l), alpha being 0.5 (ALPHA_DEFAULT) plus Gaussian noise of width 0.05 per trial. Here
the noise is left out: row i of `log_weights` holds log(0.5 / 10000 + P(w_i|l)) for every
language, so a text's score is a sum of rows.

The profiles are read in sorted file order, so the language order (and the order of float
sums) does not depend on the file system.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cleaner.langid.ngrams import Keys, key_of

MAX_GRAM = 3


@dataclass(frozen=True)
class Profiles:
    """Languages, the sorted keys of every known n-gram and their log-weights (float32)."""

    languages: tuple[str, ...]
    keys: Keys
    log_weights: npt.NDArray[np.float32]  # shape (len(keys), len(languages))

    def lookup(self, keys: Keys) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
        """(row of each key, whether it is a known n-gram: rows of unknown keys mean nothing)."""
        rows = np.searchsorted(self.keys, keys)
        rows[rows == self.keys.size] = 0
        return rows, self.keys[rows] == keys


def default_directory() -> Path:
    """The profiles directory of the installed langdetect package."""
    from langdetect.detector_factory import PROFILES_DIRECTORY

    return Path(PROFILES_DIRECTORY)


def load_profiles(directory: Path, alpha: float, base_freq: float) -> Profiles:
    """Read every profile in `directory` (langdetect's JSON format) into one matrix."""
    files = sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))
    languages: list[str] = []
    columns: list[dict[str, float]] = []
    for path in files:
        profile = json.loads(path.read_text(encoding="utf-8"))
        n_words = profile["n_words"]
        languages.append(str(profile["name"]))
        columns.append(
            {
                word: count / n_words[len(word) - 1]
                for word, count in profile["freq"].items()
                if 1 <= len(word) <= MAX_GRAM
            }
        )
    if len(set(languages)) != len(languages) or len(languages) < 2:
        raise ValueError(f"langdetect profiles in {directory}: need two or more distinct languages")
    words = sorted({word for column in columns for word in column})
    word_keys = np.fromiter((key_of(w) for w in words), dtype=np.uint64, count=len(words))
    order = np.argsort(word_keys, kind="stable")
    row_of = {words[i]: row for row, i in enumerate(order.tolist())}
    probs = np.zeros((len(words), len(languages)), dtype=np.float64)
    for col, column in enumerate(columns):
        rows = np.fromiter((row_of[w] for w in column), dtype=np.intp, count=len(column))
        probs[rows, col] = np.fromiter(column.values(), dtype=np.float64, count=len(column))
    probs += alpha / base_freq
    np.log(probs, out=probs)  # in place: the float64 matrix is the load's peak memory
    return Profiles(tuple(languages), word_keys[order], probs.astype(np.float32))
