"""Small text helpers shared by the HTML modules: collapsing, comparison keys, excerpts."""

from __future__ import annotations

import re

from lxml.html import HtmlElement

_WORD = re.compile(r"\w+")


def collapse(text: str) -> str:
    """`text` with every run of whitespace (line breaks included) turned into one space."""
    return " ".join(text.split())


def element_text(element: HtmlElement) -> str:
    """The visible text of an lxml element, collapsed; words of adjacent elements stay apart
    (`text_content()` would glue "<li>Home</li><li>World</li>" into "HomeWorld")."""
    return collapse(" ".join(element.itertext()))


def match_key(text: str) -> str:
    """The form in which two pieces of text are compared: casefolded words, one space apart.

    Punctuation, spacing and case differ between an element's text in the page and the same
    text in an engine's output ("Read more »" vs "Read more"); the words do not.
    """
    return " ".join(_WORD.findall(text.casefold()))


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def excerpt(text: str, limit: int = 160) -> str:
    """`text` collapsed and cut to about `limit` characters, with an ellipsis when cut."""
    flat = collapse(text)
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
