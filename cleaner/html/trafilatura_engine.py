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
- `include_tables`, `favor_precision`, `favor_recall` are passed through from the options.

trafilatura's serialiser (`xmltotxt`) ends with `html.unescape` over text the parser has
already unescaped, so a page showing "AT&amp;T" (source "AT&amp;amp;T") would come out as
"AT&T". Each block's "&" are escaped first, which that last step undoes exactly: entities are
decoded once, by the parser, as for every other text from an HTML parser in cleaner.
"""

from __future__ import annotations

from lxml.etree import _Element
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.xml import xmltotxt

from cleaner.html.extraction import EngineSettings, Extraction, Removal
from cleaner.html.leftover import left_out
from cleaner.html.structure import merge_split_bodies, prune_link_blocks, prune_navigation


def extract(root: HtmlElement, settings: EngineSettings, url: str | None = None) -> Extraction:
    """Extract the article of the page whose tree is `root` (modified: pruned in place)."""
    merge_split_bodies(root)
    removals: list[Removal] = prune_navigation(root)
    removals += prune_link_blocks(root, settings.link_density)
    result = bare_extraction(
        root,
        url=url,
        fast=settings.fast,
        favor_precision=settings.favor_precision,
        favor_recall=settings.favor_recall,
        include_comments=False,
        include_tables=settings.include_tables,
        output_format="txt",  # keeps trafilatura from serialising a text we do not use
    )
    body = getattr(result, "body", None)
    if body is None:
        return Extraction((), tuple(removals))
    blocks = tuple(text for block in body if (text := _render(block)))
    if settings.trace_removed:
        removals += left_out(root, blocks)
    return Extraction(blocks, tuple(removals))


def _render(block: _Element) -> str:
    """One element of trafilatura's output body as text, entities decoded once."""
    for element in block.iter():
        if element.text and "&" in element.text:
            element.text = element.text.replace("&", "&amp;")
        if element.tail and "&" in element.tail:
            element.tail = element.tail.replace("&", "&amp;")
    return str(xmltotxt(block, False)).strip()
