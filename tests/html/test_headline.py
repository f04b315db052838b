"""The headline block (headline, standfirst, dateline) is found and dropped from the body."""

from __future__ import annotations

from cleaner.html.headline import MAX_HEADER_CHARS, drop_headline, headline_keys
from cleaner.html.parse import parse_html


def test_header_container_gives_headline_standfirst_and_date() -> None:
    root = parse_html(
        "<article><header><h1>Harbour works approved</h1>"
        "<h2>The council voted on Monday.</h2><time>5 March 2024</time></header>"
        "<p>Body text.</p></article>"
    )
    assert headline_keys(root) == {
        "harbour works approved",
        "the council voted on monday",
        "5 march 2024",
    }


def test_class_words_mark_a_header_container() -> None:
    root = parse_html(
        "<div class='article-head'><h1>Title</h1><h3 class='x'>Standfirst here.</h3></div>"
        "<div class='body'><p>Body.</p></div>"
    )
    assert headline_keys(root) == {"title", "standfirst here"}


def test_a_paragraph_in_the_header_stays_in_the_body() -> None:
    root = parse_html(
        "<header class='entry-header'><h1>Title</h1>"
        "<p>The first paragraph, in the header.</p><p class='post-dek'>A marked standfirst.</p>"
        "<time>2 May</time></header><div class='body'><p>Body.</p></div>"
    )
    assert headline_keys(root) == {"title", "a marked standfirst", "2 may"}


def test_a_long_container_is_the_article_not_its_header() -> None:
    long_text = "word " * MAX_HEADER_CHARS
    root = parse_html(f"<div class='headline-wrap'><h1>Title</h1><p>{long_text}</p></div>")
    assert headline_keys(root) == {"title"}


def test_drop_headline_removes_equal_blocks_only() -> None:
    keys = frozenset({"harbour works approved"})
    blocks = ["Harbour works approved!", "Harbour works approved by the council on Monday."]
    kept, removed = drop_headline(blocks, keys)
    assert kept == ("Harbour works approved by the council on Monday.",)
    assert [(r.rule, r.text) for r in removed] == [("html.headline", "Harbour works approved!")]
    assert drop_headline(blocks, frozenset()) == (tuple(blocks), ())
