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

from lxml.etree import XPath
from lxml.html import HtmlElement

from cleaner.html.extraction import Removal
from cleaner.html.text import element_text, match_key
from cleaner.html.vocabulary import LANDMARK_RULES, class_rule

_BLOCK_TAGS = ("p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "td", "th",
               "dd", "dt", "figcaption", "caption")  # fmt: skip
_ANY_BLOCK = " or ".join(f"self::{tag}" for tag in _BLOCK_TAGS)
# Innermost blocks only, so that no text is counted twice.
_LEAF_BLOCKS = XPath(f"//body//*[{_ANY_BLOCK}][not(.//*[{_ANY_BLOCK}])]")
#: Rule for left-out text that no named structure encloses.
NOT_MAIN = "html.not-main"


def left_out(root: HtmlElement, kept_blocks: Sequence[str]) -> list[Removal]:
    """A removal for every innermost text block of `root` whose text the kept blocks lack."""
    kept = " " + " ".join(match_key(block) for block in kept_blocks) + " "
    removals: list[Removal] = []
    for element in _leaf_blocks(root):
        text = element_text(element)
        key = match_key(text)
        if key and f" {key} " not in kept:
            removals.append(Removal(structure_rule(element), text))
    return removals


def _leaf_blocks(root: HtmlElement) -> Iterable[HtmlElement]:
    found = _LEAF_BLOCKS(root)
    if isinstance(found, list):
        yield from (element for element in found if isinstance(element, HtmlElement))


def structure_rule(element: HtmlElement) -> str:
    """The rule id of the nearest enclosing structure the vocabulary names, or `NOT_MAIN`."""
    for node in _self_and_ancestors(element):
        tag = node.tag if isinstance(node.tag, str) else ""
        landmark = LANDMARK_RULES.get(tag)
        if landmark is not None:
            return landmark
        rule = class_rule(node.get("class"), node.get("id"))
        if rule is not None:
            return rule
    return NOT_MAIN


def _self_and_ancestors(element: HtmlElement) -> Iterable[HtmlElement]:
    yield element
    for ancestor in element.iterancestors():
        if ancestor.tag in ("body", "html"):
            return
        yield ancestor
