"""The chrome vocabulary: class/id words map to rule ids; hidden elements are recognised."""

from __future__ import annotations

import pytest

from cleaner.html.vocabulary import class_rule, is_hidden


@pytest.mark.parametrize(
    ("class_attr", "id_attr", "rule"),
    [
        ("social-share-bar", None, "html.class:share"),
        ("related-posts", None, "html.class:related"),
        ("read_more", None, "html.class:related"),
        ("readmore", None, "html.class:related"),
        ("Newsletter-container", None, "html.class:newsletter"),
        ("article-comments", None, "html.class:comments"),
        (None, "comments", "html.class:comments"),
        ("ad-slot top", None, "html.class:ads"),
        ("cookie-banner", None, "html.class:cookie"),
        ("wp-caption alignleft", None, "html.class:caption"),
        ("post-byline", None, "html.class:byline"),
        ("navbar navbar-default", None, "html.class:navigation"),
    ],
)
def test_class_words_name_their_category(
    class_attr: str | None, id_attr: str | None, rule: str
) -> None:
    assert class_rule(class_attr, id_attr) == rule


@pytest.mark.parametrize(
    "class_attr",
    [
        "article-body",
        "commentary",  # an opinion column, not reader comments
        "head",  # "ad" inside a word is not an ad
        "shadow loaded",
        "ArticleComments",  # one word: not split on case
        "",
    ],
)
def test_words_inside_other_words_do_not_match(class_attr: str) -> None:
    assert class_rule(class_attr, None) is None


def test_is_hidden() -> None:
    assert is_hidden({"hidden": ""})
    assert is_hidden({"aria-hidden": "TRUE"})
    assert is_hidden({"style": "color: red; display : none"})
    assert is_hidden({"style": "visibility:hidden"})
    assert not is_hidden({"style": "display: block"})
    assert not is_hidden({"aria-hidden": "false", "class": "hidden-xs"})
