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


def test_a_heading_left_without_its_list_goes() -> None:
    related = (
        "<h3>Mehr zum Thema</h3><ul><li><a href='/a'>Another story</a></li>"
        "<li><a href='/b'>And one more</a></li></ul>"
    )
    text, rules = _extract(related + "<h3>Kommentare</h3>")
    assert "Paragraph 5 of the story" in text
    assert "Mehr zum Thema" not in text and "Kommentare" not in text  # the last one too
    assert "html.orphan-heading" in rules


@pytest.mark.parametrize(
    "section",
    [
        "<h2>Results of the vote</h2><p>The votes were counted by noon.</p>",  # text follows
        "<h2>Results of the vote</h2><h3>In the city</h3><p>Counted by noon.</p>",  # subsection
        "<h2>A heading of seven words with nothing below</h2><h2>Next</h2><p>Text.</p>",
    ],
)
def test_a_heading_with_text_a_subsection_or_many_words_stays(section: str) -> None:
    text, _ = _extract(section)
    heading = section.split("</h2>")[0].removeprefix("<h2>")
    assert heading in text


# The article's container (the long paragraphs) and, two levels up, what precedes it.
_INTRO_PAGE = (
    "<html><body><div class='nav'><a href='/'>Home</a> <a href='/news'>News</a></div>"
    "<article><div class='head'>{before}</div>"
    "<div class='wrap'><div class='body'>{story}</div></div></article>"
    "<div>Footer text of the site</div></body></html>"
)
_LEAD = (
    "<p>The city council voted on Monday to close the old bridge for the whole winter.</p>"
    "<p>Drivers will have to take the ring road, which adds twenty minutes to their trip.</p>"
)


def _with_intro(before: str) -> tuple[str, list[str]]:
    page = _INTRO_PAGE.format(before=before, story=_STORY)
    extraction = bs4_engine.extract(page, EngineSettings())
    left_out = [r.text for r in extraction.removals if r.rule == "html.not-main"]
    return "\n".join(extraction.blocks), left_out


def test_the_lead_before_the_article_container_is_kept_and_datelines_are_not() -> None:
    text, left_out = _with_intro("<span>Updated 10:01 pm, 19 November 2019</span>" + _LEAD)
    assert text.startswith("The city council voted on Monday")
    assert "the ring road" in text and "Paragraph 5 of the story" in text
    assert "Updated 10:01 pm" not in text and "Updated 10:01 pm, 19 November 2019" in left_out
    assert "Footer text" not in text


def test_the_ingredients_list_before_the_steps_is_kept() -> None:
    ingredients = "<ul><li>125 g Mehl</li><li>65 g Zucker</li><li>1 Ei</li></ul>"
    text, _ = _with_intro(ingredients)
    assert "- 125 g Mehl\n- 65 g Zucker" in text


def test_a_lone_standfirst_line_is_not_an_intro() -> None:
    text, _ = _with_intro(_LEAD.split("</p>")[0] + "</p>")
    assert "The city council voted" not in text
    assert "Paragraph 5 of the story" in text


def test_no_intro_from_link_text_or_from_more_than_the_article() -> None:
    text, _ = _with_intro(f"<a href='/other'>{_LEAD}</a>")  # a teaser of another page
    assert "The city council voted" not in text
    lines = "<br>".join(["The city council voted on Monday to close the old bridge."] * 7)
    text, _ = _with_intro(f"<div>{lines}</div>")  # more text than half the story's
    assert "The city council voted" not in text
    assert "Paragraph 5 of the story" in text


def test_no_intro_from_three_levels_up() -> None:
    page = (
        _INTRO_PAGE.format(before="", story=_STORY)
        .replace("<article>", f"<section>{_LEAD}<article>")
        .replace("</article>", "</article></section>")
    )
    text = "\n".join(bs4_engine.extract(page, EngineSettings()).blocks)
    assert "The city council voted" not in text
    assert "Paragraph 5 of the story" in text
