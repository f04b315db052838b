"""Encoding repair: mojibake, entities exactly once, normal forms; correct text untouched."""

from __future__ import annotations

import pickle
import random
from collections.abc import Mapping

import pytest
from ftfy.badness import is_bad

from cleaner.document import Document
from cleaner.errors import ConfigError
from cleaner.processors.encoding import Encoding, has_mojibake_clue
from cleaner.registry import make_options


def fix(text: str, meta: Mapping[str, object] | None = None, **options: object) -> Document:
    processor = Encoding(make_options(Encoding.Options, options, where="[encoding]"))
    result = processor.process(Document(id="d", text=text, meta=meta or {}))
    assert isinstance(result, Document)
    return result


# -- mojibake --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("broken", "repaired"),
    [
        ("â€œquotedâ€\x9d", "“quoted”"),
        ("CafÃ©", "Café"),
        ("Itâ€™s 5Â°C in MÃ¼nchen", "It’s 5°C in München"),
        ("Â£1.12 a litre", "£1.12 a litre"),
        ("Ã°Å¸ËœÂ€ smile", "😀 smile"),
    ],
)
def test_classic_mojibake_is_repaired(broken: str, repaired: str) -> None:
    assert fix(broken).text == repaired


def test_double_encoded_mojibake_is_repaired_in_one_edit() -> None:
    doc = fix("The cafÃƒÂ© reopened.")
    assert doc.text == "The café reopened."
    [edit] = doc.trace
    assert edit.rule == "ftfy.fix_encoding"


def test_each_line_is_repaired_on_its_own() -> None:
    text = "Привет, мир\nCafÃ© au lait\n東京の天気"
    assert fix(text).text == "Привет, мир\nCafé au lait\n東京の天気"


def test_trace_explains_the_repair_with_a_short_excerpt() -> None:
    long_line = "x" * 200 + " CafÃ© " + "y" * 200
    doc = fix("First line is fine.\n" + long_line)
    [edit] = doc.trace
    assert edit.processor == "encoding"
    assert edit.rule == "ftfy.fix_encoding"
    assert edit.action == "replaced"
    assert edit.line == 2
    assert "CafÃ©" in edit.text and "Café" in edit.replacement
    assert len(edit.text) < 60


def test_mojibake_repair_can_be_switched_off() -> None:
    assert fix("CafÃ©", fix_mojibake=False).text == "CafÃ©"


# -- text that must survive ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Gröna Lund opened for the season.",
        "A naïve façade, a rôle, the Æsir.",
        "Правительство объявило новый бюджет.",
        "政府宣布，新的预算将包括更多资金：学校和医院。",
        "It costs €5, or £4.20, or ¥700.",
        "“Quoted,” she said — it’s ‘fine’… really.",
        "Ελληνικά και עברית וعربي.",
        "Family: 👩‍👩‍👧 and flags 🇫🇷.",
        "Œuvre complète; cœur; 10 × 3 = 30; 90°; ±2; ½ cup.",
        "Tab\tseparated\tvalues stay.",
    ],
)
def test_correct_text_is_unchanged(text: str) -> None:
    doc = Document(id="d", text=text)
    assert Encoding(Encoding.Options()).process(doc) is doc


def test_ascii_fast_path_returns_the_same_document() -> None:
    doc = Document(id="d", text="Plain ASCII news text, with 5 * 3 and AT&T.\n\nSecond paragraph.")
    assert Encoding(Encoding.Options()).process(doc) is doc


def test_full_width_punctuation_kept_by_default_and_folded_on_request() -> None:
    text = "你好，世界！ＡＢＣ"
    assert fix(text).text == text
    assert fix(text, fix_character_width=True).text == "你好,世界!ABC"


def test_curly_quotes_kept_by_default_and_uncurled_on_request() -> None:
    text = "“Yes,” he said, ‘no’."
    assert fix(text).text == text
    assert fix(text, uncurl_quotes=True).text == "\"Yes,\" he said, 'no'."


# -- HTML entities ---------------------------------------------------------------------------------


def test_entities_in_plain_text_are_unescaped() -> None:
    doc = fix("AT&amp;T said it&#8217;s 4&nbsp;512 &lt;points&gt;")
    assert doc.text == "AT&T said it’s 4\xa0512 <points>"
    assert [e.rule for e in doc.trace] == ["ftfy.unescape_html"]


def test_entities_are_unescaped_exactly_once() -> None:
    assert fix("the code used &amp;lt;div&amp;gt; and &amp;amp;").text == (
        "the code used &lt;div&gt; and &amp;"
    )


def test_auto_leaves_text_from_an_html_parser_alone() -> None:
    text = "AT&amp;T and &amp;amp; as extracted"
    meta = {"extracted_from_html": True}
    assert fix(text, meta).text == text
    assert fix(text, meta, unescape_html="always").text == "AT&T and &amp; as extracted"
    assert fix(text, unescape_html="never").text == text


def test_ambiguous_ampersands_are_not_entities() -> None:
    text = "Johnson & Johnson, AT&T, R&D, this&not that, &amp without semicolon"
    assert fix(text).text == text


# -- normalisation and control characters ----------------------------------------------------------


def test_nfc_composes_combining_marks() -> None:
    doc = fix("cafe\u0301 and Ame\u0301lie")
    assert doc.text == "café and Amélie"
    assert doc.trace[0].rule == "ftfy.normalize_nfc"


def test_normal_form_is_configurable() -> None:
    assert fix("ﬁ 10³", fix_latin_ligatures=False, normalization="NFKC").text == "fi 103"
    assert fix("cafe\u0301", normalization="none").text == "cafe\u0301"


def test_latin_ligatures_are_split() -> None:
    assert fix("ﬁnancial ﬂows").text == "financial flows"


def test_control_characters_are_removed_but_layout_kept() -> None:
    doc = fix("Sunday\x07 morning\x1b[31m red\x1b[0m\tcol\nnext\r\nline\ufeff")
    assert doc.text == "Sunday morning red\tcol\nnext\r\nline"
    assert fix("bell\x07", remove_control_chars=False).text == "bell\x07"


def test_lone_surrogates_are_replaced() -> None:
    assert fix("bad \ud800 char").text == "bad \ufffd char"


# -- the fast pre-check is safe --------------------------------------------------------------------


def test_mojibake_clue_never_misses_what_ftfy_would_flag() -> None:
    """`has_mojibake_clue` must be true wherever ftfy's `is_bad` is (else we skip real fixes)."""
    pool = (
        [chr(c) for c in range(0x80, 0x600)]
        + [chr(c) for c in range(0x2000, 0x2600)]
        + list("\uf8ff\ufffd√≈‚ÄЂВГРСΒΓΞΟβ€ā")
    )
    ascii_pool = list("aAz .,?!1\n")
    rng = random.Random(7)
    flagged = 0
    for _ in range(30000):
        size = rng.randint(1, 8)
        sample = "".join(
            rng.choice(pool) if rng.random() < 0.45 else rng.choice(ascii_pool) for _ in range(size)
        )
        if is_bad(sample):
            flagged += 1
            assert has_mojibake_clue(sample), repr(sample)
    assert flagged > 100
    for char in pool:
        for left in ("", "a", "a ", " ", ".", "A"):
            for right in ("", " ", "a", "A", ".", "1", " a"):
                sample = left + char + right
                if is_bad(sample):
                    assert has_mojibake_clue(sample), repr(sample)


def test_mojibake_clue_is_false_for_typical_clean_text() -> None:
    assert not has_mojibake_clue("It’s “fine” — naïve café, €5, 90°.")
    assert not has_mojibake_clue("plain ascii")


# -- plumbing --------------------------------------------------------------------------------------


def test_options_are_checked_from_config() -> None:
    with pytest.raises(ConfigError, match="unescape_html"):
        make_options(Encoding.Options, {"unescape_html": True}, where="[encoding]")
    with pytest.raises(ConfigError, match="normalization"):
        make_options(Encoding.Options, {"normalization": "NFD"}, where="[encoding]")


def test_processor_pickles() -> None:
    processor = Encoding(Encoding.Options(uncurl_quotes=True))
    clone = pickle.loads(pickle.dumps(processor))
    doc = Document(id="d", text="CafÃ© “x”")
    assert clone.process(doc) == processor.process(doc)
