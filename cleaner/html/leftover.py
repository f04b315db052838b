"""What an engine left out of its text, named after the page structure it sat in (trace).

trafilatura does not report what it removed. The page does, cheaply: every text block of the
page (paragraph, list item, heading, cell, quote...) whose words do not occur in the kept text
was left out. Each is attributed to the nearest enclosing structure the vocabulary names
(`html.nav`, `html.footer`, `html.class:related`, ...) or, failing that, to `html.not-main`:
outside what the engine judged to be the article. Blocks are compared as `match_key`s, and a
block counts as kept when its words occur, in order and as whole words, anywhere in the kept
text, so that an engine joining or splitting blocks does not make kept text look removed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from lxml.html import HtmlElement

from cleaner.html.extraction import Removal
from cleaner.html.text import element_text, match_key
from cleaner.html.vocabulary import LANDMARK_RULES, class_rule

_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th",
               "dd", "dt", "figcaption", "caption")  # fmt: skip
#: Rule for left-out text that no named structure encloses.
NOT_MAIN = "html.not-main"


def left_out(root: HtmlElement, kept_blocks: Sequence[str]) -> list[Removal]:
    """A removal for every innermost text block of `root` whose text the kept blocks lack."""
    kept = " " + " ".join(match_key(block) for block in kept_blocks) + " "
    removals: list[Removal] = []
    named: dict[HtmlElement, str | None] = {}  # rule of each ancestor seen, for this page
    for element in _leaf_blocks(root):
        # The key is made of words alone: the raw text gives the same key as the collapsed one.
        key = match_key(" ".join(element.itertext()))
        if key and f" {key} " not in kept:
            removals.append(Removal(structure_rule(element, named), element_text(element)))
    return removals


def _leaf_blocks(root: HtmlElement) -> Iterable[HtmlElement]:
    """The innermost blocks of the body, in document order, so that no text counts twice."""
    body = next(root.iter("body"), None)
    if body is None:
        return
    for element in body.iter(*_BLOCK_TAGS):
        if element is body:
            continue
        inner = element.iter(*_BLOCK_TAGS)
        next(inner)  # the element itself
        if next(inner, None) is None:
            yield element


def structure_rule(element: HtmlElement, named: dict[HtmlElement, str | None] | None = None) -> str:
    """The rule id of the nearest enclosing structure the vocabulary names, or `NOT_MAIN`.

    `named` caches each element's own rule (or None) across calls on one page: the blocks
    of a page share most of their ancestors.
    """
    for node in _self_and_ancestors(element):
        if named is not None and node in named:
            rule = named[node]
        else:
            rule = _own_rule(node)
            if named is not None:
                named[node] = rule
        if rule is not None:
            return rule
    return NOT_MAIN


def _own_rule(node: HtmlElement) -> str | None:
    tag = node.tag if isinstance(node.tag, str) else ""
    landmark = LANDMARK_RULES.get(tag)
    if landmark is not None:
        return landmark
    return class_rule(node.get("class"), node.get("id"))


def _self_and_ancestors(element: HtmlElement) -> Iterable[HtmlElement]:
    yield element
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            return
        yield ancestor
