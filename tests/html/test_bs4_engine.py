"""The bs4 engine: which elements its class words may remove."""

from __future__ import annotations

import pytest

from cleaner.html import bs4_engine
from cleaner.html.extraction import EngineSettings

# A WordPress post: its text in a <div> of lines (no long <p> for the guard to weigh), and its
# container classed with the post's tags and categories.
_LINES = "<br>".join(
    f"Line {i} of the post says something about the garden and the weather this spring."
    for i in range(12)
)
_POST = (
    "<html><body><div class='menu'><a href='/'>Home</a></div>"
    "<{tag} class='post-486 post {mark} category-garden tag-spring tag-weather'>"
    "<div class='entry-content'>{lines}</div></{tag}>"
    "<div class='sidebar'>Recent posts</div></body></html>"
)


@pytest.mark.parametrize(
    ("tag", "mark"),
    [
        ("div", "hentry"),
        ("div", "h-entry"),
        ("main", ""),
        ("article", "hentry"),
        ("article", "status-publish"),
        ("div", "type-post"),
    ],
)
def test_a_post_marked_as_the_article_is_not_removed_by_its_tag_classes(
    tag: str, mark: str
) -> None:
    page = _POST.format(tag=tag, mark=mark, lines=_LINES)
    extraction = bs4_engine.extract(page, EngineSettings())
    text = "\n".join(extraction.blocks)
    assert "Line 7 of the post" in text
    assert "Recent posts" not in text


def test_a_small_element_with_a_tag_class_is_still_chrome() -> None:
    page = _POST.format(tag="div", mark="hentry", lines=_LINES).replace(
        "<div class='sidebar'>", "<div class='tag-list'>Tagged: spring, weather</div><div>"
    )
    extraction = bs4_engine.extract(page, EngineSettings())
    assert "Tagged" not in "\n".join(extraction.blocks)
    assert "html.class:tags" in {removal.rule for removal in extraction.removals}


def test_a_page_without_long_p_paragraphs_is_weighed_by_its_blocks_of_text() -> None:
    # The post's text is in a <div> of lines; the one long <p> is the comment form's notice.
    notice = "<p>Your e-mail address will not be published. Required fields are marked, thanks.</p>"
    page = (
        f"<html><body><div class='content'><div class='text'>{_LINES}</div></div>"
        f"<div class='respond'>{notice}</div></body></html>"
    )
    text = "\n".join(bs4_engine.extract(page, EngineSettings()).blocks)
    assert "Line 7 of the post" in text


def test_a_page_of_p_paragraphs_is_weighed_by_them() -> None:
    story = "".join(
        f"<p>Paragraph {i} of the story, long enough to count as one of its paragraphs, "
        "and a little more.</p>"
        for i in range(8)
    )
    teaser = (
        "<div class='teaser'>"
        + "<br>".join(["Another story, with a teaser text of its own"] * 3)
        + "</div>"
    )
    page = f"<html><body><div class='story'>{story}</div>{teaser}</body></html>"
    extraction = bs4_engine.extract(page, EngineSettings())
    text = "\n".join(extraction.blocks)
    assert "Paragraph 5 of the story" in text
    assert "teaser text" not in text


@pytest.mark.parametrize(
    ("name", "classes", "expected"),
    [
        ("div", "post-486 post hentry tag-spring", True),
        ("div", "entry-content", True),
        ("div", "post-486 post tag-spring", False),
        ("article", "teaser related-story", False),
    ],
)
def test_what_marks_the_article(name: str, classes: str, expected: bool) -> None:
    assert bs4_engine._marks_article(name, {"class": classes}) is expected


def test_tag_clouds_and_rel_tag_lists_go() -> None:
    story = "".join(
        f"<p>Paragraph {i} of the story, long enough to count as one of its paragraphs, "
        "and a little more.</p>"
        for i in range(4)
    )
    cloud = "<div><h3>Topics</h3>" + " ".join(
        f"<a href='/t/{i}'>city topic {i}</a>" for i in range(6)
    )
    tags = ", ".join(f"<a href='/tag/{i}' rel='tag'>city council news {i}</a>" for i in range(3))
    page = (
        f"<html><body><div>{story}<strong>Tags<br>{tags}</strong>{cloud}</div></div></body></html>"
    )
    extraction = bs4_engine.extract(page, EngineSettings())
    text = "\n".join(extraction.blocks)
    assert "Paragraph 3 of the story" in text
    assert "city topic 4" not in text and "city council 1" not in text
    rules = {removal.rule for removal in extraction.removals}
    assert {"html.tags", "html.link-list"} <= rules


_STORY = "".join(
    f"<p>Paragraph {i} of the story, long enough to count as one of its paragraphs, "
    "and a little more.</p>"
    for i in range(6)
)


def _extract(inside: str, after: str = "") -> tuple[str, set[str]]:
    page = f"<html><body><div class='story'>{_STORY}{inside}</div>{after}</body></html>"
    extraction = bs4_engine.extract(page, EngineSettings())
    return "\n".join(extraction.blocks), {removal.rule for removal in extraction.removals}


def test_a_link_that_wraps_blocks_is_a_teaser_card() -> None:
    card = (
        "<a class='teaser' href='/other-story'><h3>Another story of the city</h3>"
        "<p>Its summary, which a reader of this story did not come for.</p></a>"
    )
    text, rules = _extract(card)
    assert "Paragraph 5 of the story" in text
    assert "Another story" not in text and "Its summary" not in text
    assert "html.teaser" in rules


def test_an_inline_link_in_a_paragraph_stays() -> None:
    text, _ = _extract("<p>The council <a href='/council'>published its report</a> today.</p>")
    assert "The council published its report today." in text


def test_a_heading_that_is_all_link_to_another_page_is_a_teaser_title() -> None:
    text, rules = _extract("<h2><a href='/related'>Hit the track with another story</a></h2>")
    assert "Hit the track" not in text
    assert "html.teaser" in rules


@pytest.mark.parametrize(
    "heading",
    [
        "<h2>Results of the vote</h2>",  # no link
        "<h2>Results of the <a href='/vote'>vote</a></h2>",  # partly a link
        "<h2><a name='results' href='#results'>Results of the vote</a></h2>",  # an anchor
    ],
)
def test_a_heading_of_the_article_stays(heading: str) -> None:
    text, _ = _extract(heading + "<p>The votes were counted by noon.</p>")
    assert "Results of the vote" in text


@pytest.mark.parametrize(
    "classes", ["entry-utility", "entryfooter", "entry-meta", "post-ratings", "pum pum-overlay"]
)
def test_entry_footers_ratings_and_popups_go(classes: str) -> None:
    text, rules = _extract(f"<div class='{classes}'>This entry was posted in Garden.</div>")
    assert "Paragraph 5 of the story" in text
    assert "This entry was posted" not in text
    assert "html.class:entry-meta" in rules


def test_a_class_word_that_only_contains_meta_is_not_entry_chrome() -> None:
    text, _ = _extract("<div class='metadata-entry'>The votes were counted by noon.</div>")
    assert "The votes were counted by noon." in text
