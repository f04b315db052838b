"""The headline block of a page: headline, standfirst, dateline. Metadata, not body text.

Extractors keep the `<h1>` headline as the first line of the text, and often the standfirst
under it (the one-sentence summary in an `<h2>` or a `<p class="dek">`) and a dateline. A
news corpus wants those in `meta` (the title is there already) and not repeated in the body;
on the Zyte article benchmark 52 of 53 `<h1>` lines that trafilatura kept are not part of the
article body.

`headline_keys` collects, as comparison keys (`match_key`), the text of every `<h1>` and of
the headings, `<time>` elements and marked paragraphs that share the nearest "header"
container with it: a `<header>` element, or an element whose class or id has a word such as
header, headline, title, intro, dek, standfirst, summary. A container with more than
`MAX_HEADER_CHARS` of text is the article itself, not its header, and is ignored.
`drop_headline` then removes the text blocks that equal one of the keys.

A paragraph in the header container is a header part only when its own class or id says so
(`<p class="dek">`); other paragraphs there stay in the body: many sites open the article
with a plain `<p>` inside the header, and trafilatura's evaluation set counts it as content
(see bench/README.md). When in doubt, the text is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml.html import HtmlElement

from cleaner.html.extraction import Removal
from cleaner.html.text import collapse, element_text, match_key

#: A header container holding more text than this is a whole article, not its header.
MAX_HEADER_CHARS = 700
#: How far above the `<h1>` the header container is looked for.
MAX_HEADER_DEPTH = 4

_HEADER_WORDS = re.compile(
    r"(?:^|[-_\s])(?:head|header|headline|heading|title|intro|dek|standfirst|summary|lede|hero)"
    r"(?:[-_\s]|$)",
    re.IGNORECASE,
)
_STOP_AT = frozenset({"body", "html", "article", "main"})
_HEADER_PARTS = ("h2", "h3", "h4", "h5", "h6", "time")


def headline_keys(root: HtmlElement) -> frozenset[str]:
    """Comparison keys of the headline, standfirst and dateline text of the page."""
    keys: set[str] = set()
    for h1 in root.iter("h1"):
        keys.add(match_key(element_text(h1)))
        container = _header_container(h1)
        if container is not None and len(element_text(container)) <= MAX_HEADER_CHARS:
            parts = [*container.iter(*_HEADER_PARTS), *filter(_marked, container.iter("p"))]
            keys.update(match_key(element_text(part)) for part in parts)
    keys.discard("")
    return frozenset(keys)


def _marked(paragraph: HtmlElement) -> bool:
    """True for a paragraph whose own class or id names it a header part ("dek", "intro")."""
    words = f"{paragraph.get('class') or ''} {paragraph.get('id') or ''}"
    return _HEADER_WORDS.search(words) is not None


def _header_container(h1: HtmlElement) -> HtmlElement | None:
    element = h1.getparent()
    depth = 0
    while element is not None and depth < MAX_HEADER_DEPTH and element.tag not in _STOP_AT:
        words = f"{element.get('class') or ''} {element.get('id') or ''}"
        if element.tag == "header" or _HEADER_WORDS.search(words):
            return element
        element = element.getparent()
        depth += 1
    return None


def drop_headline(
    blocks: Sequence[str], keys: frozenset[str]
) -> tuple[tuple[str, ...], tuple[Removal, ...]]:
    """`blocks` without those equal (as keys) to a headline key, and what was removed."""
    if not keys:
        return tuple(blocks), ()
    kept: list[str] = []
    removed: list[Removal] = []
    for block in blocks:
        if match_key(block) in keys:
            removed.append(Removal("html.headline", collapse(block)))
        else:
            kept.append(block)
    return tuple(kept), tuple(removed)
