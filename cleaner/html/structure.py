"""Structure-aware removal on an lxml tree, before an extractor reads it.

Kinds of page structure that extractors, trafilatura included, get wrong often enough to
matter (each measured on both benchmarks, see bench/README.md):

- **Navigation** (`<nav>`, `<menu>`): `html.nav`. A `<nav>` of more than
  `LINK_PARAGRAPH_MAX_WORDS` words whose text is mostly not link text (below
  `NAV_LINK_DENSITY`) is prose in a misused element (a whole article inside `<nav>` on one
  site of trafilatura's evaluation set) and stays.
- **Blocks made of links**: a list whose text is mostly link text is a menu or a "related
  stories" list; a short paragraph that is mostly one link is a teaser ("READ MORE: <other
  headline>", "CLICK HERE TO GET THE APP"). Prose carries a link here and there, far below
  the threshold (`link_density`, 0.8 of the characters). A list that holds lists (a menu
  tree) needs less: 0.6. A container of at least five links and no text block of its own
  other than a heading (a tag cloud, a row of "related" links without list markup) is judged
  as a list. `html.link-list`, `html.link-paragraph`. A paragraph counts only links to
  other pages: an e-mail address, a phone number or a document to download ("PDF: <a
  href=report.pdf>") is the content of the paragraph, not a teaser. The element around
  links marked `rel="tag"` (HTML's keyword for the page's tags) goes when it is mostly
  links: `html.tags`.
- **Drop-down lists** (`<select>`, `<datalist>`): form choices, never article text:
  `html.form`.
- **Article bodies split in several containers**: some sites cut the body into sibling
  `<div class="article__body">` chunks around ads; an extractor that picks "the" body
  container keeps the first chunk only (a third of a Wired article). Chunks that share the
  article-body class are merged into the first one. Nothing is removed. A chunk inside a
  `<template>` (inert markup a script may render, often a copy of the next article) is not
  shown by a browser and is never merged.

Each removal is returned with its rule id and text, for the trace.
"""

from __future__ import annotations

import re

from lxml.etree import XPath
from lxml.html import HtmlElement

from cleaner.html.extraction import Removal
from cleaner.html.text import element_text, word_count

#: Paragraphs longer than this many words are prose even when they are mostly links.
LINK_PARAGRAPH_MAX_WORDS = 30
#: Link share above which a list of lists (a menu tree) is navigation.
NESTED_LIST_LINK_DENSITY = 0.6
#: Link share below which a `<nav>` or `<menu>` is prose, not navigation.
NAV_LINK_DENSITY = 0.5

# Link targets that are not another page: contact addresses, scripts, downloadable documents.
_NOT_A_PAGE = re.compile(
    r"^\s*(?:mailto|tel|sms|javascript):"
    r"|\.(?:pdf|docx?|odt|rtf|xlsx?|ods|csv|pptx?|odp|zip|rar|7z|gz|epub|mp3|mp4|txt)(?:[?#]|$)",
    re.IGNORECASE,
)

# Only elements holding a link can be made of links: XPath finds them without a Python loop.
# Name tests joined by a union (document order, as one test would give) instead of `//*` with a
# `self::` predicate: libxml2 then visits only elements of those names (half the time).
_LISTS_WITH_LINKS = XPath("//ul[.//a] | //ol[.//a]")
_PARAGRAPHS_WITH_LINKS = XPath("//p[.//a]")
# A tag cloud or a row of "related" links: a container whose own children include at least
# five links and no block of text (no paragraph, list, table, nested container); a heading
# ("Tags") may label it: the link density decides.
# Searched from the links up (the parents of `<a>` elements), a third of the time of testing
# every element of the page.
_LINK_CLOUDS = XPath(
    "//a/parent::*[self::div or self::section or self::aside or self::span][count(a) >= 5]"
    "[not(p|div|ul|ol|table|section|article)]"
)

# Links marked as the page's tags (`rel="tag"`, HTML's own keyword for them).
_TAG_LINKS = XPath("//a[@rel][contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]")

_BODY_CLASS = re.compile(
    r"article(?:-|__|_)?body|articlebody|article-?content|article__content|story-?body"
    r"|post-?content|entry-content|body-text|article-?text",
    re.IGNORECASE,
)


def _text_length(element: HtmlElement) -> int:
    """Characters of text in `element`, whitespace not counted."""
    return len("".join("".join(element.itertext()).split()))


def link_density(element: HtmlElement, pages_only: bool = False) -> float:
    """Share of the element's text characters (not spaces) inside links (0.0 for no text);
    with `pages_only`, inside links to other pages (see `links_to_page`)."""
    total = _text_length(element)
    if not total:
        return 0.0
    links = element.iter("a")
    linked = sum(_text_length(a) for a in links if not pages_only or links_to_page(a))
    return min(1.0, linked / total)


def links_to_page(link: HtmlElement) -> bool:
    """False for a link to an e-mail address, a phone number, a script or a document file."""
    return _NOT_A_PAGE.search(link.get("href") or "") is None


def _detach(element: HtmlElement) -> bool:
    """Remove `element` (its tail text stays in the page); False if it was already gone."""
    if element.getparent() is None:
        return False
    element.drop_tree()
    return True


def _is_attached(element: HtmlElement, root: HtmlElement) -> bool:
    return any(ancestor is root for ancestor in element.iterancestors())


def prune_navigation(root: HtmlElement) -> list[Removal]:
    """Remove `<nav>` and `<menu>` elements, unless they hold prose (see the module doc)."""
    removals: list[Removal] = []
    for element in list(root.iter("nav", "menu")):
        if not _is_attached(element, root):
            continue  # inside a navigation block removed a moment ago
        text = element_text(element)
        if word_count(text) > LINK_PARAGRAPH_MAX_WORDS and link_density(element) < NAV_LINK_DENSITY:
            continue  # prose in a misused element
        if _detach(element) and text:
            removals.append(Removal("html.nav", text))
    return removals


def prune_choice_lists(root: HtmlElement) -> list[Removal]:
    """Remove drop-down lists (`<select>`, `<datalist>`): their options are form choices
    (categories, archives by month, countries), never article text."""
    removals: list[Removal] = []
    for element in list(root.iter("select", "datalist")):
        text = element_text(element)
        if _detach(element) and text:
            removals.append(Removal("html.form", text))
    return removals


def prune_link_blocks(root: HtmlElement, density: float) -> list[Removal]:
    """Remove lists and short paragraphs whose text is mostly link text.

    Lists are decided outermost first, so that a menu goes as one piece; `density` <= 0
    switches this off.
    """
    if density <= 0:
        return []
    removals: list[Removal] = []
    for element in _elements(_LISTS_WITH_LINKS(root)):
        if not _is_attached(element, root):
            continue
        nested = element.find(".//ul") is not None or element.find(".//ol") is not None
        threshold = min(density, NESTED_LIST_LINK_DENSITY) if nested else density
        if link_density(element) >= threshold:
            text = element_text(element)
            if _detach(element) and text:
                removals.append(Removal("html.link-list", text))
    for element in _elements(_PARAGRAPHS_WITH_LINKS(root)):
        # Words are counted on the raw text: collapsing whitespace does not change them.
        if word_count(" ".join(element.itertext())) > LINK_PARAGRAPH_MAX_WORDS:
            continue
        if not _is_attached(element, root):
            continue
        if link_density(element, pages_only=True) >= density:
            removals.append(Removal("html.link-paragraph", element_text(element)))
            _detach(element)
    seen: set[HtmlElement] = set()
    for link in _elements(_TAG_LINKS(root)):
        parent = link.getparent()
        if parent is None or parent in seen or parent.tag in ("body", "html"):
            continue
        seen.add(parent)
        if _is_attached(parent, root) and link_density(parent) >= density:
            removals.append(Removal("html.tags", element_text(parent)))
            _detach(parent)
    for element in _elements(_LINK_CLOUDS(root)):
        if _is_attached(element, root) and link_density(element) >= density:
            removals.append(Removal("html.link-list", element_text(element)))
            _detach(element)
    return removals


def _elements(found: object) -> list[HtmlElement]:
    """The elements of an XPath result (document order)."""
    if not isinstance(found, list):
        return []
    return [element for element in found if isinstance(element, HtmlElement)]


def merge_split_bodies(root: HtmlElement) -> int:
    """Move the children of later article-body chunks into the first one; return how many
    chunks were merged. Chunks are elements with the same article-body class (or
    `itemprop="articleBody"`), neither inside the other."""
    groups: dict[tuple[str, str], list[HtmlElement]] = {}
    for element in root.iter("div", "section", "article"):
        classes = element.get("class") or ""
        itemprop = element.get("itemprop") or ""
        if itemprop == "articleBody" or _BODY_CLASS.search(classes):
            if next(element.iterancestors("template"), None) is not None:
                continue  # inert markup a script may render later: not part of the page
            groups.setdefault((classes, itemprop), []).append(element)
    merged = 0
    for chunks in groups.values():
        first = chunks[0]
        for chunk in chunks[1:]:
            if any(a is first for a in chunk.iterancestors()):
                continue
            if any(a is chunk for a in first.iterancestors()):
                continue
            _move_content(chunk, first)
            _detach(chunk)
            merged += 1
    return merged


def _move_content(source: HtmlElement, target: HtmlElement) -> None:
    """Append the text and children of `source` to `target`."""
    if source.text and source.text.strip():
        if len(target):
            last = target[-1]
            last.tail = (last.tail or "") + source.text
        else:
            target.text = (target.text or "") + source.text
    for child in list(source):
        target.append(child)
