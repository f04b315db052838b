"""The default engine: cleaner's structure rules, then trafilatura on what is left.

trafilatura is the best open extractor we measured (F1 0.953 with its defaults on the Zyte
article benchmark), so this engine does not replace it: it prepares the tree before
trafilatura reads it (`cleaner.html.structure`: navigation, blocks made of links, split
article bodies) and takes trafilatura's result as a list of blocks, one per element of its
output body, each rendered by trafilatura's own text serialiser.

trafilatura settings, chosen on the benchmark (see bench/README.md):

- `include_comments=False`: reader comments are not the article (+0.007 F1 on its own);
- `fast=True` by default: trafilatura skips its fallback extractors (readability, jusText),
  which on this set cost time and precision more than they rescue (+0.003 F1, and faster);
- `include_tables`, `favor_precision`, `favor_recall` are passed through from the options;
- the fallback comparison only where trafilatura's own extraction is short: when its text is
  under `FALLBACK_PAGE_SHARE` of the page's text (trafilatura's `html2txt` of the pruned
  tree), the page is extracted again with `fast=False` and that result is taken. A short
  extraction on a long page is where trafilatura picked the wrong container (a teaser, a
  caption block) and readability or jusText find the article; everywhere else the fallback
  costs time and swaps good extractions for whole pages. Chosen on trafilatura-eval-dev
  (+10 snippets found, +2 leaked); on Zyte no page is that short (no change); see
  bench/README.md.

trafilatura's serialiser (`xmltotxt`) ends with `html.unescape` over text the parser has
already unescaped, so a page showing "AT&amp;T" (source "AT&amp;amp;T") would come out as
"AT&T". Each block's "&" are escaped first, which that last step undoes exactly: entities are
decoded once, by the parser, as for every other text from an HTML parser in cleaner.
"""

from __future__ import annotations

from lxml.etree import XPath, _Element
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.baseline import html2txt
from trafilatura.xml import xmltotxt

from cleaner.html.extraction import EngineSettings, Extraction, Removal
from cleaner.html.leftover import left_out
from cleaner.html.structure import (
    merge_split_bodies,
    prune_choice_lists,
    prune_link_blocks,
    prune_navigation,
)

#: With `fast`, an extraction shorter than this share of the page's text is redone with
#: trafilatura's fallback extractors (see the module doc).
FALLBACK_PAGE_SHARE = 0.1

#: Elements whose text `html2txt` never keeps (it deletes them, and asides, footers, cookie
#: banners too, keeping their tails).
_HIDDEN_TAGS = ("script", "style", "svg", "template")
_HIDDEN = XPath("|".join(f".//{tag}" for tag in _HIDDEN_TAGS))
_ELEMENTS = XPath("count(.//*)")


def extract(root: HtmlElement, settings: EngineSettings, url: str | None = None) -> Extraction:
    """Extract the article of the page whose tree is `root` (modified: pruned in place)."""
    merge_split_bodies(root)
    removals: list[Removal] = prune_navigation(root)
    removals += prune_choice_lists(root)
    removals += prune_link_blocks(root, settings.link_density)
    body = _extract_body(root, settings, url, fast=settings.fast)
    if settings.fast and _short(body, root):
        fallback = _extract_body(root, settings, url, fast=False)
        body = body if fallback is None else fallback
    if body is None:
        return Extraction((), tuple(removals))
    blocks = tuple(text for block in body if (text := _render(block)))
    if settings.trace_removed:
        removals += left_out(root, blocks)
    return Extraction(blocks, tuple(removals))


def _extract_body(
    root: HtmlElement, settings: EngineSettings, url: str | None, *, fast: bool
) -> _Element | None:
    """trafilatura's output body for `root` (which it copies, not modifies), or None."""
    result = bare_extraction(
        root,
        url=url,
        fast=fast,
        favor_precision=settings.favor_precision,
        favor_recall=settings.favor_recall,
        include_comments=False,
        include_tables=settings.include_tables,
        output_format="txt",  # keeps trafilatura from serialising a text we do not use
    )
    body = getattr(result, "body", None)
    return body if isinstance(body, _Element) else None


def _short(body: _Element | None, root: HtmlElement) -> bool:
    """True when the extracted text is under `FALLBACK_PAGE_SHARE` of the page's text.

    The page's text is trafilatura's `html2txt` of the pruned tree, which copies the tree and
    runs a costly XPath over it: it is computed only for pages where the extraction is short
    even against two cheap upper bounds of its length, the page's raw text (scripts included)
    and `_visible_text_bound`.
    """
    extracted = 0 if body is None else len(" ".join("".join(map(str, body.itertext())).split()))
    if extracted >= FALLBACK_PAGE_SHARE * len(root.text_content()):
        return False
    page_body = next(root.iter("body"), None)  # the body `html2txt` reads: the first one
    if page_body is not None and extracted >= FALLBACK_PAGE_SHARE * _visible_text_bound(page_body):
        return False
    return extracted < FALLBACK_PAGE_SHARE * len(html2txt(root))


def _visible_text_bound(body: HtmlElement) -> int:
    """An upper bound of `len(html2txt(...))` for a page whose `<body>` is `body`.

    `html2txt` deletes elements (at least `_HIDDEN`, keeping their tails), puts a space
    before the text and the tail of each block element and collapses the whitespace, which
    never lengthens a text: its length is at most the body's text without the hidden
    elements' text, plus two spaces per element.
    """
    found = _HIDDEN(body)
    hidden = sum(
        len(element.text_content())
        for element in (found if isinstance(found, list) else ())
        if isinstance(element, HtmlElement)
        and next(element.iterancestors(*_HIDDEN_TAGS), None) is None  # outermost: counted once
    )
    count = _ELEMENTS(body)
    elements = int(count if isinstance(count, float) else 0) + 1
    return len(body.text_content()) - hidden + 2 * elements


def _render(block: _Element) -> str:
    """One element of trafilatura's output body as text, entities decoded once."""
    for element in block.iter():
        if element.text and "&" in element.text:
            element.text = element.text.replace("&", "&amp;")
        if element.tail and "&" in element.tail:
            element.tail = element.tail.replace("&", "&amp;")
    return str(xmltotxt(block, False)).strip()
