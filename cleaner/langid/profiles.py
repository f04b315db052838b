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

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import orjson

from cleaner.langid.ngrams import Keys, keys_of

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
    """Read every profile in `directory` (langdetect's JSON format) into one matrix.

    Vectorised over the ~180,000 (n-gram, language) entries: per profile, one pass of C-level
    iteration collects its n-grams and counts; keys, rows and probabilities are then computed
    in numpy (about 4x faster than a Python loop per entry, and it is paid in every worker).
    The JSON is read with orjson (the standard module took a third of the load), and the
    logarithm is taken of the known entries only: every other cell of the matrix holds the
    same smoothing weight, log(alpha / base_freq), written once (the values are the same as
    taking the logarithm of the whole matrix; a test compares them).
    """
    files = sorted(p for p in directory.iterdir() if p.is_file() and not p.name.startswith("."))
    languages: list[str] = []
    grams: list[str] = []
    counts: list[npt.NDArray[np.float64]] = []
    columns: list[npt.NDArray[np.intp]] = []
    for col, path in enumerate(files):
        profile = orjson.loads(path.read_bytes())
        languages.append(str(profile["name"]))
        freq: dict[str, int] = profile["freq"]
        sizes = np.fromiter(map(len, freq), dtype=np.intp, count=len(freq))
        wanted = (sizes >= 1) & (sizes <= MAX_GRAM)
        words = list(freq)
        if not wanted.all():
            words = [w for w, ok in zip(words, wanted.tolist(), strict=True) if ok]
        n_words = np.asarray(profile["n_words"], dtype=np.float64)
        found = np.fromiter(freq.values(), dtype=np.float64, count=len(freq))[wanted]
        # P(w|l) = freq / n_words[len(w) - 1], the same IEEE division langdetect does.
        counts.append(found / n_words[sizes[wanted] - 1])
        grams.extend(words)
        columns.append(np.full(len(words), col, dtype=np.intp))
    if len(set(languages)) != len(languages) or len(languages) < 2:
        raise ValueError(f"langdetect profiles in {directory}: need two or more distinct languages")
    keys, rows = np.unique(keys_of(grams), return_inverse=True)
    smoothing = alpha / base_freq
    known = np.concatenate(counts)
    known += smoothing
    np.log(known, out=known)
    weights = np.full((keys.size, len(languages)), np.log(smoothing), dtype=np.float32)
    weights[rows, np.concatenate(columns)] = known  # float64 -> float32, rounded as astype does
    return Profiles(tuple(languages), keys, weights)
