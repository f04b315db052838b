"""Synthetic news-like articles for the dedup tests: deterministic, unrelated unless built so.

Random words from a fixed pseudo-vocabulary make articles that share no 5-word shingle by
chance, so every similarity in a test is one the test planted.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

ArticleMaker = Callable[[int, int], str]


def _vocabulary(size: int = 4000) -> list[str]:
    rng = np.random.default_rng(12345)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    words = {"".join(rng.choice(letters, int(rng.integers(2, 10)))) for _ in range(size * 2)}
    return sorted(words)[:size]


_WORDS = _vocabulary()


def make_article(seed: int, n_words: int = 300) -> str:
    """A text of `n_words` words in sentences and paragraphs, fully determined by `seed`."""
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(_WORDS), n_words)
    out: list[str] = []
    sentence_left = 0
    for i, pick in enumerate(picks.tolist()):
        word = _WORDS[pick]
        if sentence_left == 0:
            word = word.capitalize()
            sentence_left = int(rng.integers(8, 20))
        sentence_left -= 1
        if sentence_left == 0 or i == n_words - 1:
            word += "."
            if rng.random() < 0.25:
                word += "\n\n"
        out.append(word)
    return " ".join(out).replace("\n\n ", "\n\n")
