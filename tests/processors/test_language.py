"""Language annotation: right codes, deterministic across runs and processes, safe on junk."""

from __future__ import annotations

import json
import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.errors import ConfigError
from cleaner.processors.language import Language, _has_letters, _letter_count, sample_text
from cleaner.registry import make_options

SAMPLES = {
    "en": (
        "The city council approved a new budget on Monday after months of debate. "
        "Officials said the money would go to schools, roads and the harbour."
    ),
    "fr": (
        "Le conseil municipal a approuvé lundi un nouveau budget après des mois de débat. "
        "Les élus ont expliqué que l'argent servirait aux écoles et aux routes."
    ),
    "de": (
        "Der Stadtrat hat am Montag nach monatelanger Debatte einen neuen Haushalt beschlossen. "
        "Das Geld soll nach Angaben der Verwaltung in Schulen und Straßen fließen."
    ),
    "ru": (
        "Городской совет в понедельник утвердил новый бюджет после долгих споров. "
        "По словам чиновников, деньги пойдут на школы, дороги и порт."
    ),
    "zh-cn": (
        "市议会星期一在经过几个月的辩论后批准了新的预算。"
        "官员说，这笔钱将用于学校、道路和港口的建设。"
    ),
}


def annotate(text: str, **options: object) -> Document:
    processor = Language(make_options(Language.Options, options, where="[language]"))
    result = processor.process(Document(id="d", text=text))
    assert isinstance(result, Document)
    return result


@pytest.mark.parametrize(("expected", "text"), sorted(SAMPLES.items()))
def test_languages_are_identified(expected: str, text: str) -> None:
    doc = annotate(text)
    assert doc.meta["lang"] == expected
    assert 0.9 <= doc.meta["lang_score"] <= 1.0


def test_score_is_rounded_to_four_places() -> None:
    score = annotate(SAMPLES["en"] + " " + SAMPLES["fr"]).meta["lang_score"]
    assert round(score, 4) == score


def test_same_result_twenty_times_even_if_global_seed_changes() -> None:
    from langdetect import DetectorFactory

    mixed = "Le port et the harbour, der Hafen, the city council a approuvé."
    first = annotate(mixed, engine="langdetect").meta
    saved = DetectorFactory.seed
    try:
        for i in range(20):
            DetectorFactory.seed = i  # someone else's global must not matter
            meta = annotate(mixed, engine="langdetect").meta
            assert (meta["lang"], meta["lang_score"]) == (first["lang"], first["lang_score"])
    finally:
        DetectorFactory.seed = saved


@pytest.mark.parametrize("engine", ["fast", "langdetect"])
def test_same_result_in_a_fresh_process(engine: str) -> None:
    texts = [*SAMPLES.values(), "Le port et the harbour, der Hafen, the council a approuvé."]
    processor = Language(make_options(Language.Options, {"engine": engine}, where="[language]"))
    here = [list(processor.identify(t)) for t in texts]
    code = (
        "import json, sys\n"
        "from cleaner.processors.language import Language\n"
        "texts = json.loads(sys.stdin.read())\n"
        f"processor = Language(Language.Options(engine={engine!r}))\n"
        "print(json.dumps([list(processor.identify(t)) for t in texts]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(texts),
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONHASHSEED": "123", "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert json.loads(out.stdout) == here


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\n ",
        "12345 678 90 2024-05-19",
        "!!! ??? ... ---",
        "😀🎉👍😀🎉👍",
        "Hello there",
        "ok",
    ],
)
def test_junk_and_short_text_is_unknown(text: str) -> None:
    doc = annotate(text)
    assert doc.meta["lang"] == "unknown"
    assert doc.meta["lang_score"] == 0.0


def test_unknown_label_and_min_chars_are_configurable() -> None:
    assert annotate("", unknown="und").meta["lang"] == "und"
    assert annotate("Hello there, my friend", min_chars=5).meta["lang"] != "unknown"


def test_urls_and_number_lines_are_skipped() -> None:
    noise = (
        "https://example.com/a/b?c=d www.example.org x@example.com\n2024 05 19 12:30 +44 20 7946\n"
    )
    doc = annotate(noise * 30 + SAMPLES["fr"])
    assert doc.meta["lang"] == "fr"


def test_prefix_bound_is_respected() -> None:
    text = SAMPLES["en"] + "\n" + (SAMPLES["fr"] + "\n") * 50
    sample = sample_text(text, 60)
    assert len(sample) <= 60
    assert SAMPLES["en"].startswith(sample)
    assert SAMPLES["en"][len(sample)] == " "  # whole words only
    # Only the prefix is read: an English start decides, however much French follows.
    assert annotate(text, max_chars=len(SAMPLES["en"])).meta["lang"] == "en"


def test_prefix_of_unspaced_text_is_cut_at_the_bound() -> None:
    assert len(sample_text(SAMPLES["zh-cn"] * 10, 40)) == 40


def test_existing_meta_is_kept() -> None:
    processor = Language(Language.Options())
    result = processor.process(Document(id="d", text=SAMPLES["de"], meta={"url": "u"}))
    assert isinstance(result, Document)
    assert result.meta["url"] == "u" and result.meta["lang"] == "de"


def test_trials_change_speed_not_the_language() -> None:
    for text in SAMPLES.values():
        one = annotate(text, engine="langdetect", trials=1).meta["lang"]
        assert one == annotate(text, engine="langdetect", trials=7).meta["lang"]


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="max_chars"):
        make_options(Language.Options, {"max_chars": 0}, where="[language]")
    with pytest.raises(ConfigError, match="trials"):
        make_options(Language.Options, {"trials": 0}, where="[language]")


def test_processor_pickles() -> None:
    processor = Language(Language.Options(max_chars=500))
    clone = pickle.loads(pickle.dumps(processor))
    doc = Document(id="d", text=SAMPLES["ru"])
    assert clone.process(doc) == processor.process(doc)


# -- engines ------------------------------------------------------------------------------------

FAST = Language(Language.Options(engine="fast"))  # one fast engine: its profiles load once


@pytest.mark.parametrize(("expected", "text"), sorted(SAMPLES.items()))
def test_fast_engine_agrees_with_langdetect(expected: str, text: str) -> None:
    lang, score = FAST.identify(text)
    assert (lang, annotate(text, engine="langdetect").meta["lang"]) == (expected, expected)
    assert 0.9 <= score <= 1.0 and round(score, 4) == score


@pytest.mark.parametrize(
    "text", ["", "12345 678 90 2024-05-19", "!!! ??? ... ---", "😀🎉👍😀🎉👍", "Hello there", "ok"]
)
def test_fast_engine_keeps_the_unknown_rules(text: str) -> None:
    assert FAST.identify(text) == ("unknown", 0.0)
    assert annotate(text, engine="fast", unknown="und").meta["lang"] == "und"


def test_fast_engine_reads_the_same_prefix() -> None:
    text = SAMPLES["en"] + "\n" + (SAMPLES["fr"] + "\n") * 50
    assert annotate(text, engine="fast", max_chars=len(SAMPLES["en"])).meta["lang"] == "en"
    assert annotate(text, engine="fast").meta["lang"] == "fr"


def test_fast_engine_is_deterministic_and_pickles_without_profiles() -> None:
    mixed = "Le port et the harbour, der Hafen, the city council a approuvé."
    first = FAST.identify(mixed)
    assert all(FAST.identify(mixed) == first for _ in range(5))
    data = pickle.dumps(FAST)
    assert len(data) < 2000
    assert pickle.loads(data).identify(mixed) == first


def test_engine_option_is_validated() -> None:
    with pytest.raises(ConfigError, match="engine"):
        make_options(Language.Options, {"engine": "cld3"}, where="[language]")
    with pytest.raises(ValueError, match="engine"):
        Language.Options(engine="cld3")  # type: ignore[arg-type]
    assert make_options(Language.Options, {"engine": "fast"}, where="[language]").engine == "fast"


LETTER_TEXTS = ["", "abc 12_!", "Hello, World 2024", "é²½ab_9", "Straße №5", "中文 abc", "٣٤ عربي"]


@pytest.mark.parametrize("text", LETTER_TEXTS)
def test_letter_count_is_the_regex_count_ascii_or_not(text: str) -> None:
    assert _letter_count(text) == len(re.sub(r"[\W\d_]+", "", text))


@pytest.mark.parametrize("needed", [1, 2, 3, 5, 20])
def test_has_letters_is_a_plain_letter_count(needed: int) -> None:
    for text in [*LETTER_TEXTS, "1" * 100 + "abcde", "a" * 19, "a" * 20, "x " * 50]:
        assert _has_letters(text, needed) == (_letter_count(text) >= needed)
