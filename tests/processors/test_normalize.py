"""Normalize: whitespace, invisible characters and markdown residue; negatives survive."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from cleaner.document import Document
from cleaner.errors import ConfigError
from cleaner.processors.normalize import Normalize
from cleaner.registry import make_options

SEED_003 = Path(__file__).resolve().parents[2] / "seeds" / "003_8861b159ce7b2961.txt"


def run(text: str, **options: object) -> Document:
    processor = Normalize(make_options(Normalize.Options, options, where="[normalize]"))
    result = processor.process(Document(id="d", text=text))
    assert isinstance(result, Document)
    return result


def norm(text: str, **options: object) -> str:
    return run(text, **options).text


def rules(doc: Document) -> list[str]:
    return [e.rule for e in doc.trace]


# -- whitespace ------------------------------------------------------------------------------------


def test_trailing_spaces_and_markdown_hard_breaks_are_removed() -> None:
    assert norm("He said so.  \nNext line \t\nEnd") == "He said so.\nNext line\nEnd"


def test_runs_of_blank_lines_become_one() -> None:
    assert norm("One.\n\n\n\n\nTwo.\n \t \n\nThree.") == "One.\n\nTwo.\n\nThree."


def test_leading_and_trailing_blank_lines_are_stripped() -> None:
    assert norm("\n\n \nBody.\n\n\n") == "Body."


def test_final_line_break_alone_is_not_an_edit() -> None:
    doc = run("Body.\n")
    assert doc.text == "Body."
    assert doc.trace == ()


def test_max_blank_lines_is_configurable() -> None:
    text = "One.\n\n\n\nTwo."
    assert norm(text, max_blank_lines=0) == "One.\nTwo."
    assert norm(text, max_blank_lines=2) == "One.\n\n\nTwo."


def test_tabs_nbsp_and_odd_spaces_become_one_space() -> None:
    text = "a\tb\xa0c\u2009d\u3000e  f \t g"
    assert norm(text) == "a b c d e f g"


def test_indentation_is_removed() -> None:
    assert norm("    indented\n\tand tabbed") == "indented\nand tabbed"


def test_crlf_and_cr_become_lf() -> None:
    doc = run("one\r\ntwo\rthree\u2028four")
    assert doc.text == "one\ntwo\nthree\nfour"
    assert "whitespace.line_breaks" in rules(doc)


def test_whitespace_edits_are_one_summary_per_rule() -> None:
    doc = run("a  b  c  \n\n\n\nd   e")
    assert rules(doc) == ["whitespace.spaces", "whitespace.blank_lines"]
    assert doc.trace[0].text.startswith("4 runs")


def test_whitespace_family_can_be_switched_off() -> None:
    text = "a  b  \n\n\n\nc\r\n"
    assert norm(text, whitespace=False) == text


# -- invisible characters --------------------------------------------------------------------------


def test_zero_width_soft_hyphen_bom_and_controls_are_removed() -> None:
    doc = run("\ufeffbanks\u200b on\u2060 Satur\xadday\x07 morning\x00.")
    assert doc.text == "banks on Saturday morning."
    assert sorted(set(rules(doc))) == [
        "invisible.control",
        "invisible.soft_hyphen",
        "invisible.zero_width",
    ]
    zero_width = [e for e in doc.trace if e.rule == "invisible.zero_width"]
    assert len(zero_width) == 1  # one edit per rule per line, not per character
    assert zero_width[0].text == "\ufeff\u200b\u2060"


def test_joiners_inside_emoji_and_words_are_kept_stray_ones_removed() -> None:
    family = "👩\u200d👩\u200d👧"
    persian = "می\u200cخواهم"
    assert norm(f"{family} and {persian}") == f"{family} and {persian}"
    assert norm("stray\u200d joiner and\u200c non-joiner") == "stray joiner and non-joiner"


def test_invisible_family_can_be_switched_off() -> None:
    assert norm("a\u200bb", invisible_chars=False) == "a\u200bb"


# -- markdown links and images ---------------------------------------------------------------------


def test_links_become_their_text() -> None:
    doc = run('See [the statement](https://example.com/a_(b)_c "Title") and [were ignored](#).')
    assert doc.text == "See the statement and were ignored."
    assert rules(doc) == ["markdown.link", "markdown.link"]
    assert doc.trace[0].text == '[the statement](https://example.com/a_(b)_c "Title")'
    assert doc.trace[0].replacement == "the statement"


def test_reference_links_need_a_definition() -> None:
    text = "Read [the report][r1] and [Budget][].\n\n[r1]: https://example.com/r\n[budget]: /b"
    assert norm(text) == "Read the report and Budget."
    # A footnote list is not a set of link definitions.
    footnotes = "Text.[1]\n\n[1]: Reuters\n[2]: Smith, J. (2020)"
    assert norm(footnotes) == footnotes
    # Citations and editorial brackets are not links.
    negatives = "Smith said so.[1][2] The data [sic] were [Reuters] late."
    assert norm(negatives) == negatives


def test_images_are_removed_entirely() -> None:
    doc = run("Before ![A photo of the port](https://x.com/p.jpg) after.\n![alt](img.png)\nEnd.")
    assert doc.text == "Before after.\n\nEnd."
    assert rules(doc).count("markdown.image") == 2


def test_autolinks_become_the_url() -> None:
    assert norm("Source: <https://example.com/a_b_c> or <mailto:x@y.org>.") == (
        "Source: https://example.com/a_b_c or mailto:x@y.org."
    )


def test_link_text_keeps_its_hashtag_and_tweet_links_their_text() -> None:
    text = "I asked [#NATO](#)’s chief.\n[pic.twitter.com/IYKRO8toUn](https://pic.twitter.com/IYKRO8toUn)"
    assert norm(text) == "I asked #NATO’s chief.\npic.twitter.com/IYKRO8toUn"


# -- emphasis and escapes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a **bold** word", "a bold word"),
        ("a __bold__ word", "a bold word"),
        ("an *em* word", "an em word"),
        ("an _em_ word", "an em word"),
        ("***both*** here", "both here"),
        ("**bold with *em* inside**", "bold with em inside"),
        ("*em with **bold** inside*", "em with bold inside"),
        ("*quote **ends both.”***", "quote ends both.”"),
        ("**[linked](https://x.com)** text", "linked text"),
        ("*Image: AP/Sputnik*", "Image: AP/Sputnik"),
    ],
)
def test_emphasis_becomes_its_text(text: str, expected: str) -> None:
    doc = run(text)
    assert doc.text == expected
    assert "markdown.emphasis" in rules(doc)


@pytest.mark.parametrize(
    "text",
    [
        "The formula 5 * 3 * 2 gives thirty.",
        "2*3*4 and x**2 and f**k this s**t",
        "The variable snake_case_name and file_name.txt and report_2023_final.txt",
        "Prices rose 3% in May* while wages stayed flat.\n* Figures are provisional.",
        "A lone ** here and a lone __ there.",
        "*** Breaking ***",
        "Mail first_last@example.com or visit https://example.com/_a_b_/c_d_ today.",
        "Campaigners trended #SaveTheHarbour and #NATO for days.",
        "Tweet by @_some_user_ went viral, and so did _snake_case_.",
        "- a list item\n* another item\n1. numbered",
        "C# and F# are languages; #1 hit; # of people",
        "Path C:\\Users\\Public and a \\n newline escape",
        "Price: $40 (about €37) [approx.]",
    ],
)
def test_non_markdown_survives_unchanged(text: str) -> None:
    doc = run(text)
    assert doc.text == text
    assert doc.trace == ()


def test_backslash_escapes_become_the_character() -> None:
    doc = run("The \\$40 billion bill, \\*not em\\*, \\_x\\_, \\# tag, \\[1\\] and \\\\.")
    assert doc.text == "The $40 billion bill, *not em*, _x_, # tag, [1] and \\."
    escapes = [e for e in doc.trace if e.rule == "markdown.escape"]
    assert len(escapes) == 1  # aggregated per line
    assert escapes[0].line == 1


def test_escaped_link_is_not_a_link() -> None:
    assert norm("\\[not a link\\](x)") == "[not a link](x)"


# -- headings and rules ----------------------------------------------------------------------------


def test_atx_heading_markers_are_removed() -> None:
    doc = run("## Budget talks resume ##\n\n### Description\n#NATO stays\n####### seven stays")
    assert doc.text == "Budget talks resume\n\nDescription\n#NATO stays\n####### seven stays"
    assert rules(doc) == ["markdown.heading", "markdown.heading"]


def test_setext_underlines_and_rules_leave_blank_lines() -> None:
    text = "Title\n=====\nBody one.\n\n---\n\nBody two.\n* * *\nBody three.\n___"
    doc = run(text, max_blank_lines=5)
    assert doc.text == "Title\n\nBody one.\n\n\n\nBody two.\n\nBody three."
    assert rules(doc)[:4] == [
        "markdown.setext_underline",
        "markdown.rule",
        "markdown.rule",
        "markdown.rule",
    ]
    assert [e.line for e in doc.trace[:4]] == [2, 5, 8, 10]


def test_email_signature_dashes_are_not_a_rule() -> None:
    assert norm("Thanks\n--\nAnna") == "Thanks\n--\nAnna"


def test_families_can_be_switched_off() -> None:
    text = "## Title\n\nA **bold** [link](#)."
    assert norm(text, markdown=False) == "Title\n\nA **bold** [link](#)."
    assert norm(text, headings=False) == "## Title\n\nA bold link."
    assert norm("Title\n=====", headings=False) == "Title\n====="


# -- line structure and the realistic seed ---------------------------------------------------------


def test_line_structure_is_kept() -> None:
    text = "## Head\n**a** [b](c)\n---\n\\$1\nplain"
    out = norm(text)
    assert out == "Head\na b\n\n$1\nplain"
    assert out.count("\n") == text.count("\n")


def test_edit_line_numbers_refer_to_the_input() -> None:
    doc = run("x\r\ny\r\n\r\n\r\nz [link](#) and **b**")
    assert {e.line for e in doc.trace if e.rule.startswith("markdown")} == {5}


def test_seed_article_markdown_residue() -> None:
    doc = run(SEED_003.read_text(encoding="utf-8"))
    text = doc.text
    lines = text.split("\n")
    assert lines[0].startswith("US, Russian Generals Talk For 1st Time")
    assert "counterparts were ignored. This" in text
    assert "the $40 billion Ukraine aid bill" in text
    assert (
        "generals spoke for the first time since the invasion of Ukraine in February, with" in text
    )
    assert "\npic.twitter.com/IYKRO8toUn\n" in text
    assert "I asked #NATO’s top military commander" in text
    assert "— Teri Schultz (@terischultz) May 19, 2022" in text
    assert "\nImage: AP/Sputnik\n" in text
    assert "seriously mistaken.”\n" in text
    for residue in ("**", "](", "\\$", "## ", "\n\n\n"):
        assert residue not in text
    assert not text.startswith("\n")
    assert "\n1. Army-Wars-Conflict Zones-Military Tech.\n2. Main\n" in text


def test_fixture_markdown_residue_input() -> None:
    text = (
        "## Budget talks resume in the capital\n\n"
        "Negotiators **met again on Tuesday** after a pause, and the ministry "
        "[published a statement](https://example.com/statement) late.\n\n"
        "The package, worth \\$40 billion, includes *new spending on schools* and "
        "__tax relief__ for small firms.\n"
    )
    assert norm(text) == (
        "Budget talks resume in the capital\n\n"
        "Negotiators met again on Tuesday after a pause, and the ministry "
        "published a statement late.\n\n"
        "The package, worth $40 billion, includes new spending on schools and "
        "tax relief for small firms."
    )


def test_clean_text_is_returned_as_is() -> None:
    doc = Document(id="d", text="Clean headline\n\nA clean paragraph, with “quotes” and 5 * 3.")
    assert Normalize(Normalize.Options()).process(doc) is doc


# -- plumbing --------------------------------------------------------------------------------------


def test_negative_max_blank_lines_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="max_blank_lines"):
        make_options(Normalize.Options, {"max_blank_lines": -1}, where="[normalize]")


def test_processor_pickles() -> None:
    processor = Normalize(Normalize.Options(max_blank_lines=2))
    clone = pickle.loads(pickle.dumps(processor))
    doc = Document(id="d", text="## T\n\n\n\n\n**b**")
    assert clone.process(doc) == processor.process(doc)
