"""`FastDetector`: langdetect's model and features, every n-gram counted once, no sampling.

langdetect runs `n_trial` random walks: each draws n-grams of the text at random and
multiplies the language probabilities by their weights until one language passes
CONV_THRESHOLD (0.99999); the answer is the average of the walks. The language a walk
converges to is, for all but near-tied texts, the one with the largest sum of log-weights
over all the text's n-grams, which is what this detector computes, exactly and in one pass.

The score keeps the meaning of langdetect's, the share of walks that end on the language.
A walk between the best language b and another language l is a random walk of
log P(b) - log P(l) whose steps are the per-n-gram differences d of their log-weights (mean
mu, variance var over the text's n-grams); it stops near +-A = log(0.99999 / 0.00001). A
Brownian motion with that drift reaches +A before -A with probability
1 / (1 + exp(-2 * mu * A / var)) (the gambler's ruin). b must beat every rival, so its share
is at most the smallest of these over l; that bound is the score:

    score(b) = 1 / (1 + max over l != b of exp(-2 * mu_l * A / var_l))

~1.0 for clear text (langdetect: 0.99999...), 0.5 for a text split evenly between two
languages. Since b has the largest sum, mu_l >= 0 and the score is never under 0.5, so
langdetect's "no language above 0.1" cannot happen here; a text without any known n-gram
is still no answer.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import numpy.typing as npt

from cleaner.cache import cache_dir
from cleaner.langid.ngrams import Keys, ngram_keys
from cleaner.langid.profile_cache import cached_profiles
from cleaner.langid.profiles import Profiles, default_directory
from cleaner.langid.text import CharTable, code_points, drop_latin_if_minor, prepare

# langdetect's constants (Detector, 1.0.9), the values its detector uses.
ALPHA = 0.5
BASE_FREQ = 10_000.0
CONV_THRESHOLD = 0.99999
_BOUNDARY = math.log(CONV_THRESHOLD / (1.0 - CONV_THRESHOLD))


class FastDetector:
    """Detect a text's language with langdetect's profiles, loaded on first use.

    The profiles (about 20 MB as a matrix) and the character table belong to this object
    and are read once, when the first text is detected; they are not pickled, so a copy sent
    to a worker process loads its own there.
    """

    def __init__(self, directory: Path | None = None) -> None:
        self._directory = directory
        self._profiles: Profiles | None = None
        self._chars: CharTable | None = None

    def __getstate__(self) -> dict[str, object]:
        return {"_directory": self._directory, "_profiles": None, "_chars": None}

    def _load(self) -> tuple[Profiles, CharTable]:
        if self._profiles is None or self._chars is None:
            directory = self._directory or default_directory()
            self._profiles = cached_profiles(directory, ALPHA, BASE_FREQ, cache_dir())
            self._chars = CharTable.build()
        return self._profiles, self._chars

    @property
    def languages(self) -> tuple[str, ...]:
        """The profile languages, in the (sorted) order of the score columns."""
        return self._load()[0].languages

    def detect(self, text: str) -> tuple[str, float] | None:
        """(best language, its score in [0, 1]), or None when langdetect would find none."""
        profiles, chars = self._load()
        points = drop_latin_if_minor(code_points(prepare(text)))
        keys = ngram_keys(*chars.normalize(points))
        if keys.size == 0:
            return None
        unique, counts = _count(keys)
        rows, known = profiles.lookup(unique)
        if not known.all():
            rows, counts = rows[known], counts[known]
            if rows.size == 0:
                return None
        weights = np.take(profiles.log_weights, rows, axis=0).astype(np.float64)
        n = counts.astype(np.float64)
        totals = n @ weights
        best = int(np.argmax(totals))
        return profiles.languages[best], _walk_share(weights, n, totals, best)


def _count(keys: Keys) -> tuple[Keys, npt.NDArray[np.intp]]:
    """(distinct keys, how often each occurs); `np.unique` does the same, slower.

    Sorts `keys` in place (the caller's array is scratch).
    """
    keys.sort()
    first = np.empty(keys.size, dtype=np.bool_)
    first[0] = True
    np.not_equal(keys[1:], keys[:-1], out=first[1:])
    starts = first.nonzero()[0]
    counts = np.empty(starts.size, dtype=np.intp)
    np.subtract(starts[1:], starts[:-1], out=counts[:-1])
    counts[-1] = keys.size - starts[-1]
    return keys[starts], counts


def _walk_share(
    weights: npt.NDArray[np.float64],
    counts: npt.NDArray[np.float64],
    totals: npt.NDArray[np.float64],
    best: int,
) -> float:
    """Bound on the share of langdetect's walks that end on `best` (module docstring).

    Per rival l, the steps d = w_best - w_l have sum totals[best] - totals[l] and square sum
    S(w_best^2) - 2 S(w_best w_l) + S(w_l^2), S being the count-weighted sum over n-grams.
    `weights` is overwritten (squared in place: one matrix pass and allocation fewer).
    """
    size = counts.sum()
    cross = (counts * weights[:, best]) @ weights
    np.multiply(weights, weights, out=weights)  # `weights` is scratch from here on
    squares = counts @ weights
    mean = totals[best] - totals
    mean /= size
    var = squares[best] - 2.0 * cross
    var += squares
    var /= size
    var -= mean * mean
    clear = var > 1e-12
    exponent = np.full(var.size, -np.inf)
    np.divide(-2.0 * mean * _BOUNDARY, var, out=exponent, where=clear)
    # A rival indistinguishable from the best on this text (same weights) ties with it.
    exponent[(var <= 1e-12) & (mean <= 0.0)] = 0.0
    exponent[best] = -np.inf
    return 1.0 / (1.0 + math.exp(min(float(exponent.max()), 700.0)))
