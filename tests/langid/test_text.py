"""langdetect's text preparation and character normalisation, checked against langdetect."""

from __future__ import annotations

import re

import numpy as np
import pytest
from langdetect.detector import Detector
from langdetect.detector_factory import DetectorFactory
from langdetect.utils.ngram import NGram

from cleaner.langid.text import CharTable, code_points, drop_latin_if_minor, prepare


def langdetect_text(text: str) -> str:
    """What langdetect keeps of `text` before taking n-grams (append, then cleaning_text)."""
    factory = DetectorFactory()
    factory.langlist = ["a"]  # create() only checks that some language is loaded
    detector: Detector = factory.create()
    detector.append(text)
    detector.cleaning_text()
    return str(detector.text)


def ours(text: str) -> str:
    points = drop_latin_if_minor(code_points(prepare(text)))
    return points.tobytes().decode("utf-32-le", "surrogatepass")


def fold(text: str) -> str:
    return re.sub(" {2,}", " ", text)


TEXTS = [
    "Visit https://example.com/a?b=c or mail jane.doe@example.org today.",
    "Tie\u0302\u0301ng Vie\u0323\u0302t co\u0301 dấu",  # decomposed Vietnamese marks
    "中文新闻 with a few English words " + "中文新闻" * 15,  # Latin is the minority
    "ạạạạạạ ab",  # U+1Exx counts as non-Latin in langdetect (its block test never matches)
    "Plain English text, nothing to remove.",
    "Ошибка 404 page not found",
    "",
]


@pytest.mark.parametrize("text", TEXTS)
def test_prepared_text_is_langdetects(text: str) -> None:
    # langdetect also folds runs of spaces; the n-gram step ignores a space after a space.
    assert fold(ours(text)) == fold(langdetect_text(text))


def test_latin_letters_go_only_when_they_are_the_minority() -> None:
    assert "English" not in ours(TEXTS[2]) and "中文" in ours(TEXTS[2])
    assert "ab" not in ours(TEXTS[3])
    assert ours("Ошибка 404 page not found").endswith("page not found")


def test_text_is_cut_at_langdetects_length_limit() -> None:
    assert len(prepare("a" * 20_000)) == 10_000


CHARS = (
    "AZaz09 .,!?\u00e9\u00d7\u0219\u021b\u06cc\u1ea1\u1e00\u3042\u30a2\u3105\u4e00\uac00"
    "\u2019\U00010400\U0001f600"
)


def test_char_table_is_ngram_normalize() -> None:
    table = CharTable.build()
    normalized, upper = table.normalize(code_points(CHARS))
    expected = [NGram.normalize(ch) for ch in CHARS]
    assert [chr(int(cp)) for cp in normalized] == expected
    assert upper.tolist() == [ch.isupper() for ch in expected]
    assert upper[CHARS.index("\U00010400")]  # an upper-case letter above the BMP


def test_char_table_filled_on_demand_equals_the_whole_plane_tabulated() -> None:
    every = np.arange(0x10000, dtype=np.uint32)
    expected = [NGram.normalize(chr(cp)) for cp in range(0x10000)]
    expected_upper = [NGram.normalize(ch).isupper() for ch in expected]
    table = CharTable.build()
    table.normalize(code_points("Grüße, Ἀθῆναι, 東京"))  # some entries first, the rest below
    normalized, upper = table.normalize(every)
    assert [chr(int(cp)) for cp in normalized] == expected
    assert upper.tolist() == expected_upper


def test_char_table_starts_empty() -> None:
    assert not CharTable.build().known.any()
