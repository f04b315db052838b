"""Filters: each drop reason, its boundary, and documents that must be kept."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from cleaner.document import Document, Drop
from cleaner.errors import ConfigError
from cleaner.processors.filters import Filters, count_words
from cleaner.registry import make_options


def apply(text: str, meta: dict[str, Any] | None = None, **options: Any) -> Document | Drop:
    processor = Filters(make_options(Filters.Options, options, where="[filters]"))
    return processor.process(Document(id="d", text=text, meta=meta or {}))


def dropped(result: Document | Drop) -> Drop:
    assert isinstance(result, Drop), result
    assert result.processor == "filters"
    return result


EN = {"lang": "en", "lang_score": 0.9999}


def test_defaults_keep_every_text_with_a_word() -> None:
    for text, meta in [("x", {"lang": "unknown", "lang_score": 0.0}), ("a b", EN)]:
        doc = Document(id="d", text=text, meta=meta)
        assert Filters(Filters.Options()).process(doc) is doc


def test_defaults_drop_a_text_without_words_as_the_cli_does() -> None:
    # `[filters] min_words = 1` in default.toml is the Options default, for library and CLI.
    drop = dropped(Filters(Filters.Options()).process(Document(id="d", text="- …")))
    assert drop.detail == "0 words < min_words 1"


def test_min_words_boundary() -> None:
    text = "one two three four five"
    assert isinstance(apply(text, min_words=5), Document)
    drop = dropped(apply(text, min_words=6))
    assert drop.reason == "too_short"
    assert drop.detail == "5 words < min_words 6"
    assert drop.label == "filters.too_short"


def test_min_chars_boundary() -> None:
    assert isinstance(apply("x" * 10, min_chars=10), Document)
    drop = dropped(apply("x" * 9, min_chars=10))
    assert (drop.reason, drop.detail) == ("too_short", "9 chars < min_chars 10")


def test_max_chars_boundary() -> None:
    assert isinstance(apply("x" * 10, max_chars=10), Document)
    drop = dropped(apply("x" * 11, max_chars=10))
    assert (drop.reason, drop.detail) == ("too_long", "11 chars > max_chars 10")


def test_blank_text_is_left_to_the_pipeline_empty_policy() -> None:
    for text in ("", " \n\t"):
        doc = Document(id="d", text=text)
        assert Filters(Filters.Options(min_words=5, min_chars=5)).process(doc) is doc


def test_symbol_only_text_has_no_words() -> None:
    drop = dropped(apply("👍👍 !!! — …", min_words=1))
    assert drop.detail == "0 words < min_words 1"


def test_word_count() -> None:
    assert count_words("It's 5 o’clock, state-of-the-art snake_case — ok") == 6
    assert count_words("政府宣布新的预算") == 8
    assert count_words("東京は晴れ。Tokyo is sunny") == 8
    assert count_words("") == 0
    assert count_words("one two three four", limit=2) == 2
    assert count_words("one", limit=2) == 1


def test_language_not_allowed() -> None:
    drop = dropped(apply("Guten Tag", {"lang": "de", "lang_score": 1.0}, languages=["en"]))
    assert drop.reason == "language"
    assert drop.detail == "lang=de not in ['en']"


def test_language_allowed_case_insensitively_and_by_primary_subtag() -> None:
    assert isinstance(apply("x", EN, languages=["EN", "fr"]), Document)
    zh = {"lang": "zh-cn", "lang_score": 1.0}
    assert isinstance(apply("x", zh, languages=["zh"]), Document)
    assert isinstance(apply("x", zh, languages=["zh-cn"]), Document)
    assert isinstance(dropped(apply("x", zh, languages=["zh-tw"])), Drop)


def test_unknown_language_kept_or_dropped() -> None:
    unknown = {"lang": "unknown", "lang_score": 0.0}
    assert isinstance(apply("x", unknown, languages=["en"]), Document)
    assert isinstance(apply("x", {}, languages=["en"]), Document)
    drop = dropped(apply("x", unknown, languages=["en"], keep_unknown_language=False))
    assert (drop.reason, drop.detail) == ("language", "lang=unknown (not identified)")
    # A custom unknown label is recognised by its zero score.
    custom = {"lang": "xx-none", "lang_score": 0.0}
    assert dropped(apply("x", custom, keep_unknown_language=False)).reason == "language"


def test_language_score_boundary() -> None:
    meta = {"lang": "en", "lang_score": 0.8}
    assert isinstance(apply("x", meta, min_lang_score=0.8), Document)
    drop = dropped(apply("x", meta, min_lang_score=0.81))
    assert drop.reason == "language_score"
    assert drop.detail == "lang_score=0.8 < min_lang_score 0.81"


def test_length_is_checked_before_language() -> None:
    drop = dropped(apply("Hallo", {"lang": "de", "lang_score": 1.0}, min_words=3, languages=["en"]))
    assert drop.reason == "too_short"


@pytest.mark.parametrize(
    "params", [{"min_words": -1}, {"max_chars": -5}, {"min_lang_score": 1.5}, {"languages": "en"}]
)
def test_bad_options_are_config_errors(params: dict[str, Any]) -> None:
    with pytest.raises(ConfigError):
        make_options(Filters.Options, params, where="[filters]")


def test_processor_pickles() -> None:
    processor = Filters(Filters.Options(min_words=2, languages=("en",)))
    clone = pickle.loads(pickle.dumps(processor))
    doc = Document(id="d", text="one", meta=EN)
    assert clone.process(doc) == processor.process(doc)
