"""`CharScan` answers exactly what the regex search answers, ASCII shortcut or not."""

from __future__ import annotations

import pickle
import re

import pytest

from cleaner.processors.encoding import Encoding
from cleaner.processors.normalize import _ANY_HINT
from cleaner.processors.scan import CharScan

PATTERNS = [
    _ANY_HINT,
    re.compile(Encoding._single_char_pattern(Encoding.Options())),
    re.compile(Encoding._single_char_pattern(Encoding.Options(uncurl_quotes=True))),
    re.compile(r"[aeiou\d]"),
]


@pytest.mark.parametrize("pattern", PATTERNS)
def test_found_in_is_search(pattern: re.Pattern[str]) -> None:
    scan = CharScan(pattern)
    for code in [*range(0x3000), 0xFEFF, 0x1F600]:
        for text in (f"plain text {chr(code)} end", chr(code), f"é {chr(code)}"):
            assert scan.found_in(text) == (pattern.search(text) is not None), (code, text)
    assert scan.found_in("") is False


def test_pickles() -> None:
    scan = CharScan(_ANY_HINT)
    copy = pickle.loads(pickle.dumps(scan))
    assert copy.found_in("a\tb") and not copy.found_in("a b")
