"""Structure rules: navigation, blocks made of links, and split article bodies."""

from __future__ import annotations

import pytest

from cleaner.html.parse import parse_html
from cleaner.html.structure import (
    link_density,
    merge_split_bodies,
    prune_choice_lists,
    prune_link_blocks,
    prune_navigation,
)
from cleaner.html.text import element_text

PROSE = (
    "<p>The council approved the plan on Monday, <a href='/x'>the mayor said</a>, after a "
    "debate that lasted most of the afternoon and ended with a narrow vote.</p>"
)


def body_text(html: str) -> str:
    return element_text(parse_html(html).body)


def test_link_density_counts_link_characters() -> None:
    root = parse_html("<p><a href='/a'>abcd</a>efgh</p>")
    [paragraph] = root.iter("p")
    assert link_density(paragraph) == 0.5
    assert link_density(parse_html("<p></p>").body) == 0.0


def test_navigation_goes_with_a_rule_and_its_text() -> None:
    root = parse_html("<nav><ul><li><a>Home</a></li><li><a>World</a></li></ul></nav>" + PROSE)
    [removal] = prune_navigation(root)
    assert (removal.rule, removal.text) == ("html.nav", "Home World")
    assert "Home" not in element_text(root.body)
    assert "council approved" in element_text(root.body)


def test_link_lists_and_teasers_go_prose_with_links_stays() -> None:
    root = parse_html(
        PROSE
        + "<ul><li><a href='/1'>Another story</a></li><li><a href='/2'>And one more</a></li></ul>"
        + "<p><a href='/3'>READ MORE: Budget passes</a></p>"
        + "<ul><li>Plain item one</li><li>Plain item <a href='/4'>two</a></li></ul>"
    )
    removals = prune_link_blocks(root, 0.8)
    assert [r.rule for r in removals] == ["html.link-list", "html.link-paragraph"]
    assert removals[1].text == "READ MORE: Budget passes"
    text = element_text(root.body)
    assert "council approved" in text and "Plain item one" in text
    assert "Another story" not in text and "Budget passes" not in text


def test_a_menu_tree_goes_as_one_piece_at_a_lower_density() -> None:
    # 7 of 24 characters are labels, not links: 0.71, below 0.8 but a list of lists.
    menu = (
        "<ul><li><span>NEWS</span><ul><li><a>Alpha</a></li><li><a>Beta</a></li></ul></li>"
        "<li><span>SPORT</span><ul><li><a>Gamma</a></li><li><a>Delta</a></li></ul></li></ul>"
    )
    root = parse_html(menu + PROSE)
    [removal] = prune_link_blocks(root, 0.8)
    assert removal.rule == "html.link-list" and removal.text.startswith("NEWS Alpha")
    assert "NEWS" not in element_text(root.body) and "SPORT" not in element_text(root.body)
    flat = parse_html(menu.replace("<ul><li><a>", "<li><a>").replace("</a></li></ul>", "</a></li>"))
    assert prune_link_blocks(flat, 0.8) == []  # the same words as one flat list stay


def test_long_paragraph_of_links_is_prose() -> None:
    links = " ".join(f"<a href='/{i}'>word{i}</a>" for i in range(40))
    root = parse_html(f"<p>{links}</p>")
    assert prune_link_blocks(root, 0.8) == []
    assert prune_link_blocks(parse_html(PROSE), 0.0) == []


def test_split_article_bodies_are_merged_in_order() -> None:
    root = parse_html(
        "<div class='chunks'><div class='article__body'><p>One.</p></div>"
        "<div class='ad'>Advert</div>"
        "<div class='article__body'>loose <p>Two.</p></div>"
        "<div class='article__body'><p>Three.</p></div></div>"
    )
    assert merge_split_bodies(root) == 2
    bodies = [element_text(e) for e in root.iter("div") if e.get("class") == "article__body"]
    assert bodies == ["One. loose Two. Three."]


def test_nested_body_containers_are_left_alone() -> None:
    html = "<div class='post-content'><div class='post-content'><p>x</p></div></div>"
    root = parse_html(html)
    assert merge_split_bodies(root) == 0
    assert len([e for e in root.iter("div")]) == 2


@pytest.mark.parametrize("label", ["", "<blockquote>Tags</blockquote><br>", "<h3>Tags</h3>"])
def test_a_container_of_links_without_text_blocks_goes_as_a_link_list(label: str) -> None:
    links = " ".join(f"<a href='/tag/{i}'>tag {i}</a>" for i in range(6))
    root = parse_html(f"<div class='cloud'>{label}{links}</div>" + PROSE)
    assert [r.rule for r in prune_link_blocks(root, 0.8)] == ["html.link-list"]
    assert "tag 3" not in element_text(root.body)
    assert "council approved" in element_text(root.body)


def test_a_container_with_few_links_or_a_text_block_stays() -> None:
    few = " ".join(f"<a href='/tag/{i}'>tag {i}</a>" for i in range(4))
    assert prune_link_blocks(parse_html(f"<div>{few}</div>" + PROSE), 0.8) == []
    many = " ".join(f"<a href='/tag/{i}'>tag {i}</a>" for i in range(6))
    with_text = parse_html(f"<div>{many}{PROSE}</div>")
    assert prune_link_blocks(with_text, 0.8) == []
    assert "tag 3" in element_text(with_text.body)


def test_a_body_chunk_inside_a_template_is_not_merged() -> None:
    html = (
        "<article><div class='post-content'><p>Shown.</p></div></article>"
        "<template><div class='post-content'><p>Next article, rendered later.</p></div></template>"
    )
    root = parse_html(html)
    assert merge_split_bodies(root) == 0
    shown = [element_text(e) for e in root.iter("div") if e.getparent().tag == "article"]
    assert shown == ["Shown."]


def test_a_nav_element_holding_prose_stays() -> None:
    root = parse_html(
        "<nav><a href='/'>Home</a><p>The club sold its last tickets on Friday, and the "
        "match starts at eight in the evening, when fewer than two thousand people will be "
        "allowed into the hall under the rules that apply until the end of the month.</p></nav>"
        + PROSE
    )
    assert prune_navigation(root) == []
    assert "last tickets" in element_text(root.body)
    menu = parse_html("<nav><a href='/'>Home</a> | <a href='/w'>World</a> | News</nav>" + PROSE)
    assert [r.rule for r in prune_navigation(menu)] == ["html.nav"]  # 0.71 links
    short = parse_html("<nav>Home</nav>" + PROSE)  # no links, but no prose either
    assert [r.text for r in prune_navigation(short)] == ["Home"]


def test_a_paragraph_linking_to_a_document_or_an_address_is_content() -> None:
    root = parse_html(
        PROSE
        + "<p>PDF: <a href='/files/report-2008.pdf'>report-2008</a></p>"
        + "<p><a href='mailto:press@example.org'>press@example.org</a></p>"
        + "<p><a href='tel:+4930123'>+49 30 123</a></p>"
        + "<p><a href='/news/budget.html'>READ MORE: Budget passes</a></p>"
    )
    removals = prune_link_blocks(root, 0.8)
    assert [r.text for r in removals] == ["READ MORE: Budget passes"]
    text = element_text(root.body)
    assert "report-2008" in text and "press@example.org" in text and "+49 30 123" in text


def test_drop_down_lists_go_as_form_choices() -> None:
    root = parse_html(
        "<div><p>Categories</p><select><option>Select</option><option>Health</option>"
        "<option>Sports</option></select><datalist><option>Spring</option></datalist></div>" + PROSE
    )
    removals = [(r.rule, r.text) for r in prune_choice_lists(root)]
    assert removals == [("html.form", "Select Health Sports"), ("html.form", "Spring")]
    text = element_text(root.body)
    assert "Health" not in text and "Spring" not in text
    assert "Categories" in text and "council approved" in text


def test_links_marked_as_tags_go_with_their_label() -> None:
    tags = ", ".join(f"<a href='/tag/{i}' rel='tag'>city council {i}</a>" for i in range(3))
    root = parse_html(PROSE + f"<p>A closing line.</p><strong>Tags<br>{tags}</strong>")
    [removal] = prune_link_blocks(root, 0.8)
    assert removal.rule == "html.tags"
    assert removal.text == "Tags city council 0 , city council 1 , city council 2"
    text = element_text(root.body)
    assert "council 1" not in text and "A closing line." in text


def test_a_paragraph_with_a_tag_link_in_its_prose_stays() -> None:
    root = parse_html(
        "<p>The council approved the plan on Monday after a long debate about "
        "<a href='/tag/roads' rel='tag'>roads</a> and schools.</p>"
    )
    assert prune_link_blocks(root, 0.8) == []
    assert "roads and schools" in element_text(root.body)
