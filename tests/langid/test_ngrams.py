"""The n-gram features are langdetect's own, occurrence for occurrence."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from cleaner.langid import FastDetector
from cleaner.langid.ngrams import key_of, keys_of, ngram_keys
from cleaner.langid.text import code_points, drop_latin_if_minor, prepare
from cleaner.processors.language import _factory


def langdetects(text: str) -> Counter[int]:
    """The n-grams langdetect's detector would sample from (its private extraction step)."""
    detector = _factory().create()
    detector.append(text)
    detector.cleaning_text()
    return Counter(key_of(gram) for gram in detector._extract_ngrams())


def ours(text: str, detector: FastDetector) -> Counter[int]:
    profiles, table = detector._load()
    keys = ngram_keys(*table.normalize(drop_latin_if_minor(code_points(prepare(text)))))
    _, known = profiles.lookup(keys)
    return Counter(keys[known].tolist())


TEXTS = [
    "The NASA and FBI reports said HELLO to everyone, didn't they?",
    "  Leading spaces,,, punctuation -- and    runs of spaces... end ",
    "A B C D. I am OK. McDonald's iPhone ÉCOLE École",
    "Tie\u0302\u0301ng Vie\u0323\u0302t và tiếng Việt",
    "Ελληνικά ΚΕΦΑΛΑΙΑ και πεζά",
    "日本語のテキストとカタカナ、ひらがな。漢字も。",
    "한국어 텍스트입니다. 中文的句子。",
    "Русский текст с English words и цифрами 2024.",
    "ăâîșț ĂÂÎȘȚ română",
    "x",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_features_are_langdetects(text: str, detector: FastDetector) -> None:
    assert ours(text, detector) == langdetects(text)


def test_keys_of_different_lengths_never_collide() -> None:
    grams = [" ", "a", " a", "a ", "ab", " ab", "ab ", "abc", "\uffff", "\uffff\uffff"]
    assert len({key_of(g) for g in grams}) == len(grams)


def test_no_text_no_keys() -> None:
    empty = np.empty(0, dtype=np.uint32)
    assert ngram_keys(empty, np.empty(0, dtype=np.bool_)).size == 0


def test_keys_of_many_grams_are_key_of_each() -> None:
    grams = ["a", " a", "ab", "abc", "日本語", "\U0001f600a", "\uffff\uffff\uffff", "é ", "b"]
    assert keys_of(grams).tolist() == [key_of(g) for g in grams]
    assert keys_of([]).size == 0
