"""The rule engine: each kind, scoping, meta, tail-only sections, and exact text preservation."""

from __future__ import annotations

import pickle
from typing import Any

import pytest

from cleaner.rules.engine import Engine
from cleaner.rules.model import AnyRule
from cleaner.rules.parse import parse_rule
from cleaner.rules.scope import document_host


def rule(rule_id: str, kind: str, **fields: Any) -> AnyRule:
    """A rule built through the same parser the loader uses."""
    table = {
        "id": rule_id,
        "kind": kind,
        "why": "test",
        "must_match": ["x"],
        "must_not_match": ["y"],
        **fields,
    }
    return parse_rule(table, "test.toml", 0)


SUMMARY = rule("widget.summary", "phrase", phrases=["No time to read?", "Get a summary"])
CREDIT = rule(
    "credit.photo",
    "regex",
    pattern=r"(?i)(?:image|photo)(?:\s+credit)?\s*:\s*(?P<value>\S.*)",
    contains=["image", "photo"],
    to_meta="credit",
)
BYLINE = rule(
    "byline.by",
    "regex",
    pattern=r"[Bb]y\s+(?P<value>[A-Z]\w+(?:\s+[A-Z]\w+){1,3})",
    to_meta="byline",
)
PIC = rule(
    "tweet.pic",
    "inline",
    pattern=r"\[pic\.twitter\.com/\w+\]\([^)]*\)|pic\.twitter\.com/\w+",
    contains=["pic.twitter.com"],
)
SOURCE = rule(
    "footer.source",
    "inline",
    pattern=r"\(Source attribution:\s*(?P<value>[^()]+)\)\s*$",
    contains=["Source attribution"],
    to_meta="source_attribution",
)
PREV_NEXT = rule("related.prev-next", "block", phrases=["Previous Article", "Next Article"])
CATEGORY = rule("template.category", "section", phrases=["Category"], to_meta="categories")
DATE = rule(
    "template.date", "section", phrases=["Date Created"], max_items=1, to_meta="date_created"
)


def apply(rules: list[AnyRule], text: str, host: str | None = None) -> str:
    return Engine(rules).apply(text, host).text


# -- phrase ---------------------------------------------------------------------------------


def test_phrase_removes_whole_matching_lines_only() -> None:
    text = (
        "Title\n\nNo time to read?\n**GET A SUMMARY**\n\nHe said he had no time to read the report."
    )
    outcome = Engine([SUMMARY]).apply(text)
    assert outcome.text == "Title\n\nHe said he had no time to read the report."
    assert [(e.rule, e.action, e.text, e.line) for e in outcome.edits] == [
        ("widget.summary", "removed", "No time to read?", 3),
        ("widget.summary", "removed", "**GET A SUMMARY**", 4),
    ]


# -- regex ----------------------------------------------------------------------------------


def test_regex_fullmatches_short_lines_and_moves_value() -> None:
    text = "Story.\n\n*Image: AP/Sputnik*\n\nMore story."
    outcome = Engine([CREDIT]).apply(text)
    assert outcome.text == "Story.\n\nMore story."
    assert outcome.meta == {"credit": "AP/Sputnik"}
    (edit,) = outcome.edits
    assert (edit.action, edit.meta_key, edit.text, edit.line) == (
        "moved",
        "credit",
        "*Image: AP/Sputnik*",
        3,
    )


def test_regex_does_not_touch_long_paragraphs_or_partial_matches() -> None:
    long_line = (
        "Reporters were shown a slide whose caption read Photo: Reuters, the official said, "
        "adding that the images were taken in March near Kharkiv."
    )
    text = f"{long_line}\nThe photo: a moment that changed everything\nPhoto evidence: none."
    assert apply([CREDIT], text) == text


def test_regex_word_limit() -> None:
    short = rule("credit.short", "regex", pattern=r"Photo: .+", max_words=3)
    assert apply([short], "a\nPhoto: AP Reuters\nb") == "a\nb"
    assert apply([short], "a\nPhoto: AP and Reuters\nb") == "a\nPhoto: AP and Reuters\nb"


def test_regex_without_value_group_stores_the_plain_line() -> None:
    whole = rule("credit.whole", "regex", pattern=r"(?i)photo: .+", to_meta="credit")
    assert Engine([whole]).apply("**Photo:** Reuters").meta == {"credit": "Photo: Reuters"}


def test_regex_with_backreference_still_matches() -> None:
    # Back-references cannot join the combined pre-check; such rules are tried on their own.
    echo = rule("test.echo", "regex", pattern=r"(\w+) \1")
    assert apply([echo, CREDIT], "a\nbye bye\nPhoto: X\nb") == "a\nb"


def test_first_value_wins_for_a_meta_key() -> None:
    outcome = Engine([BYLINE]).apply("by Tyler Durden\n\nText.\n\nBy Jane Doe")
    assert outcome.meta == {"byline": "Tyler Durden"}
    assert [e.action for e in outcome.edits] == ["moved", "moved"]


# -- inline ---------------------------------------------------------------------------------


def test_inline_removes_span_and_keeps_rest_of_line() -> None:
    text = "“We will see,” he said. pic.twitter.com/IYKRO8toUn\nNext."
    outcome = Engine([PIC]).apply(text)
    assert outcome.text == "“We will see,” he said.\nNext."
    assert [(e.rule, e.text, e.line) for e in outcome.edits] == [
        ("tweet.pic", "pic.twitter.com/IYKRO8toUn", 1)
    ]


def test_inline_span_in_the_middle_leaves_single_space() -> None:
    assert apply([PIC], "before pic.twitter.com/abc after") == "before after"


def test_inline_several_spans_recorded_in_order() -> None:
    outcome = Engine([PIC]).apply("a pic.twitter.com/one b pic.twitter.com/two c")
    assert outcome.text == "a b c"
    assert [e.text for e in outcome.edits] == ["pic.twitter.com/one", "pic.twitter.com/two"]


def test_inline_emptied_line_is_removed_and_blank_lines_collapse() -> None:
    text = "he said.  \n[pic.twitter.com/IYKRO8toUn](https://pic.twitter.com/IYKRO8toUn)\n\nNext."
    # the hard-break spaces on the kept line are untouched
    assert apply([PIC], text) == "he said.  \n\nNext."


def test_inline_to_meta_and_exact_case_precheck() -> None:
    text = "Long paragraph ends here. (Source attribution: State Department press service)"
    outcome = Engine([SOURCE]).apply(text)
    assert outcome.text == "Long paragraph ends here."
    assert outcome.meta == {"source_attribution": "State Department press service"}
    assert outcome.edits[0].action == "moved"
    # the `contains` literal is compared as written: other spellings are not searched
    assert apply([SOURCE], "(SOURCE ATTRIBUTION: x)") == "(SOURCE ATTRIBUTION: x)"


def test_inline_only_at_line_end_when_pattern_says_so() -> None:
    text = "(Source attribution: State Department) was added later, the paper said."
    assert apply([SOURCE], text) == text


# -- block ----------------------------------------------------------------------------------


def test_block_takes_marker_and_following_title() -> None:
    text = (
        "Last paragraph.\n\nPrevious Article\n\nSweden: Roller coaster derailment\n\n"
        "Next Article\n\nWagner Crisis and Rising Tensions in Russia: Key Events and Aftermath"
    )
    outcome = Engine([PREV_NEXT]).apply(text)
    assert outcome.text == "Last paragraph."
    assert [e.line for e in outcome.edits] == [3, 5, 7, 9]
    assert {e.rule for e in outcome.edits} == {"related.prev-next"}


def test_block_stops_at_sentence_and_long_lines() -> None:
    sentence = "Next Article\n\nThis is a real sentence that the story needs."
    assert apply([PREV_NEXT], sentence) == "This is a real sentence that the story needs."
    long_title = "Next Article\n" + " ".join(["word"] * 17)
    assert apply([PREV_NEXT], long_title) == " ".join(["word"] * 17)


def test_block_respects_max_following_and_stops_at_next_marker() -> None:
    two = rule("related.list", "block", phrases=["Related"], max_following=2)
    text = "Related\n- One\n- Two\n- Three\nEnd."
    assert apply([two], text) == "- Three\nEnd."
    # the title slot is not given to another marker line: it starts its own block
    assert apply([PREV_NEXT], "Previous Article\nNext Article\nA title") == ""


def test_block_marker_alone_at_end() -> None:
    assert apply([PREV_NEXT], "Story.\n\nNext Article\n") == "Story.\n"


def test_words_shared_with_a_block_marker_survive() -> None:
    text = "In a previous article, the paper argued that sanctions were failing.\nNext steps"
    assert apply([PREV_NEXT], text) == text


# -- section --------------------------------------------------------------------------------

TAIL = (
    "Story text.\n\nby Tyler Durden\n\n### Category\n\n1. Army-Wars-Conflict Zones-Military Tech.\n"
    "2. Main\n3. Politics-Geopolitics-Gov.-Events\n\n### Date Created\n\n05/22/2022"
)


def test_sections_at_the_tail_move_to_meta() -> None:
    outcome = Engine([BYLINE, CATEGORY, DATE]).apply(TAIL)
    assert outcome.text == "Story text."
    assert outcome.meta == {
        "byline": "Tyler Durden",
        "categories": [
            "Army-Wars-Conflict Zones-Military Tech.",
            "Main",
            "Politics-Geopolitics-Gov.-Events",
        ],
        "date_created": "05/22/2022",
    }
    actions = [(e.rule, e.action, e.line) for e in outcome.edits]
    assert actions == [
        ("byline.by", "moved", 3),
        ("template.category", "removed", 5),
        ("template.category", "moved", 7),
        ("template.category", "moved", 8),
        ("template.category", "moved", 9),
        ("template.date", "removed", 11),
        ("template.date", "moved", 13),
    ]


def test_tail_only_section_in_the_middle_survives() -> None:
    text = (
        "### Category\n\n1. Main\n\nThe category of weapons requested was not disclosed in the "
        "letter to allies, officials said last week."
    )
    assert apply([CATEGORY], text) == text


def test_tail_only_section_followed_by_content_survives_even_after_short_lines() -> None:
    text = "Intro.\n\n### Category\n\n- Main\n\n## Next chapter\n\nMore text."
    assert apply([CATEGORY], text) == text


def test_section_followed_only_by_removable_lines_goes() -> None:
    text = "Intro.\n\n### Category\n\n- Main\n\nNo time to read?\n"
    outcome = Engine([CATEGORY, SUMMARY]).apply(text)
    assert outcome.text == "Intro.\n"
    assert outcome.meta == {"categories": ["Main"]}


def test_not_tail_only_section_goes_anywhere() -> None:
    tags = rule("template.tags", "section", phrases=["Tags"], tail_only=False, to_meta="tags")
    text = "Intro.\n\nTags\n- Kyiv\n- NATO\n\nThe story continues here with a long line of prose."
    outcome = Engine([tags]).apply(text)
    assert outcome.text == "Intro.\n\nThe story continues here with a long line of prose."
    assert outcome.meta == {"tags": ["Kyiv", "NATO"]}


def test_section_without_to_meta_removes_items() -> None:
    share = rule("template.share", "section", phrases=["Share this"])
    outcome = Engine([share]).apply("Story.\n\nShare this:\n- Facebook\n- Twitter")
    assert outcome.text == "Story."
    assert [e.action for e in outcome.edits] == ["removed"] * 3
    assert outcome.meta == {}


# -- scope ----------------------------------------------------------------------------------


def test_domain_scoped_rule_applies_to_domain_and_subdomains_only() -> None:
    scoped = rule("site.desc", "phrase", phrases=["Description"], domains=["zerohedge.com"])
    text = "### Description\nBody."
    assert apply([scoped], text, "zerohedge.com") == "Body."
    assert apply([scoped], text, "www.zerohedge.com") == "Body."
    assert apply([scoped], text, "notzerohedge.com") == text
    assert apply([scoped], text, None) == text


def test_scoped_regex_rule() -> None:
    scoped = rule("site.credit", "regex", pattern=r"Photo: .+", domains=["example.com"])
    engine = Engine([scoped])
    assert engine.apply("Photo: AP", "news.example.com").text == ""
    assert engine.apply("Photo: AP", "example.org").text == "Photo: AP"


@pytest.mark.parametrize(
    ("meta", "host"),
    [
        ({"url": "https://www.ZeroHedge.com/news/x?y=1"}, "www.zerohedge.com"),
        ({"url": "zerohedge.com/news/x"}, "zerohedge.com"),
        ({"domain": "ZeroHedge.com."}, "zerohedge.com"),
        ({"url": "", "domain": "a.b"}, "a.b"),
        ({"url": "http://[bad"}, None),
        ({}, None),
    ],
)
def test_document_host(meta: dict[str, Any], host: str | None) -> None:
    assert document_host(meta) == host


# -- text preservation ----------------------------------------------------------------------


def test_untouched_text_is_returned_as_is() -> None:
    text = "\n\n\nOne.\n\n\n\nTwo.   \n"
    outcome = Engine([SUMMARY, CREDIT, PIC, PREV_NEXT, CATEGORY]).apply(text)
    assert outcome.text is text
    assert outcome.edits == [] and outcome.meta == {}


def test_blank_runs_collapse_only_where_something_was_removed() -> None:
    text = "\n\nA.\n\n\n\nB.\n\n\nAdvertisement\n\n\nC.\n"
    ad = rule("widget.ad", "phrase", phrases=["Advertisement"])
    assert apply([ad], text) == "\n\nA.\n\n\n\nB.\n\nC.\n"


def test_leading_and_trailing_blank_lines_left_by_a_removal_go() -> None:
    assert apply([SUMMARY], "No time to read?\n\n\nTitle\n\nBody") == "Title\n\nBody"
    assert apply([SUMMARY], "Body\n\nNo time to read?\n\n") == "Body\n"
    assert apply([SUMMARY], "Body\n\nNo time to read?") == "Body"


def test_removing_everything_gives_empty_text() -> None:
    assert apply([SUMMARY], "No time to read?\nGet a summary\n") == ""


def test_crlf_lines_are_kept_intact() -> None:
    text = "Story.\r\n\r\nNo time to read?\r\nMore.\r\n"
    outcome = Engine([SUMMARY]).apply(text)
    assert outcome.text == "Story.\r\n\r\nMore.\r\n"
    assert outcome.edits[0].text == "No time to read?"


def test_kept_lines_are_byte_identical() -> None:
    kept = ["  *indented* line with   spaces\t", "“Quotes” and \\$ escapes [link](#)"]
    text = f"{kept[0]}\nGet a summary\n{kept[1]}"
    assert apply([SUMMARY], text) == "\n".join(kept)


def test_very_long_lines_are_not_matched_by_line_rules() -> None:
    line = "Photo: " + "x" * 1200
    assert apply([rule("credit.any", "regex", pattern="Photo: .+", max_words=500)], line) == line


def test_engine_pickles_and_keeps_working() -> None:
    engine = Engine([SUMMARY, CREDIT, PIC, PREV_NEXT, CATEGORY])
    engine.apply("warm the cache", "example.com")
    copy = pickle.loads(pickle.dumps(engine))
    assert copy.apply("Get a summary\nBody", None).text == "Body"


def test_no_rules_is_a_no_op() -> None:
    assert Engine([]).apply("No time to read?").text == "No time to read?"
