"""The plain form rules match against, and the small text predicates beside it."""

from __future__ import annotations

import pytest

from cleaner.rules.plain import (
    ends_sentence,
    is_heading,
    phrase_key,
    plain_line,
    strip_list_marker,
    word_count,
)


@pytest.mark.parametrize(
    ("line", "plain"),
    [
        ("*Image: AP/Sputnik*", "Image: AP/Sputnik"),
        ("### Category", "Category"),
        ("> > quoted words", "quoted words"),
        (
            "[pic.twitter.com/IYKRO8toUn](https://pic.twitter.com/IYKRO8toUn)",
            "pic.twitter.com/IYKRO8toUn",
        ),
        (
            "— Teri Schultz (@terischultz) [May 19, 2022](#)",
            "— Teri Schultz (@terischultz) May 19, 2022",
        ),
        ("![alt text](img.png) after", "alt text after"),
        ("the \\$40 billion bill", "the $40 billion bill"),
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("  many \t  spaces  ", "many spaces"),
        ("**bold** and \\*literal\\*", "bold and *literal*"),
        ("_emphasis_ but snake_case stays", "emphasis but snake_case stays"),
        ("#NATO is a hashtag, not a heading", "#NATO is a hashtag, not a heading"),
        ("", ""),
    ],
)
def test_plain_line(line: str, plain: str) -> None:
    assert plain_line(line) == plain


def test_phrase_key_ignores_case_edges_and_emphasis() -> None:
    assert phrase_key(plain_line("**No time to read?**")) == "no time to read"
    assert phrase_key(plain_line("- Advertisement -")) == "advertisement"
    assert phrase_key(plain_line("Share this:")) == "share this"
    # inner punctuation is part of the phrase
    assert phrase_key("Don't miss") == "don't miss"


def test_word_count() -> None:
    assert word_count("") == 0
    assert word_count("one") == 1
    assert word_count("by Tyler Durden") == 3


def test_strip_list_marker() -> None:
    assert strip_list_marker("1. Army-Wars-Conflict Zones-Military Tech.") == (
        "Army-Wars-Conflict Zones-Military Tech."
    )
    assert strip_list_marker("- Europe") == "Europe"
    assert strip_list_marker("2) Main") == "Main"
    assert strip_list_marker("2022 budget") == "2022 budget"


def test_is_heading() -> None:
    assert is_heading("### Tags")
    assert is_heading("#")
    assert not is_heading("#NATO")
    assert not is_heading("Tags")


@pytest.mark.parametrize(
    ("plain", "expected"),
    [
        ("He said so.", True),
        ("Why?", True),
        ("Reuters [describes]:", True),
        ("“It was over.”", True),
        ("Sweden: Roller coaster derailment", False),
        ("Army-Wars-Conflict Zones", False),
        ("", False),
    ],
)
def test_ends_sentence(plain: str, expected: bool) -> None:
    assert ends_sentence(plain) is expected
