"""HTML text -> an lxml tree, with every way of failing turned into `HtmlParseError`.

lxml's HTML parser recovers from almost anything (unclosed tags, stray bytes, fragments such
as a JSONL field holding only `<p>...</p>`, which it wraps in html/body). What it refuses is
turned into one exception with a readable message: an empty document, and a `str` that still
carries an XML encoding declaration (that one is stripped first, since the text is already
decoded). Comments and processing instructions are dropped while parsing: they are never text.

C0 control characters other than tab, line feed and carriage return are removed before parsing:
they are never text, XML cannot hold them, and trafilatura, which builds its output as an XML
tree, loses whole paragraphs that contain one (lxml drops them itself when it parses bytes, as
trafilatura's own loader does, but keeps them in a `str`).
"""

from __future__ import annotations

import re

from lxml import etree
from lxml.html import HtmlElement, HTMLParser, document_fromstring

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class HtmlParseError(Exception):
    """The text could not be read as HTML."""


def parse_html(text: str) -> HtmlElement:
    """Parse `text` into the root `<html>` element of a document (fragments are wrapped)."""
    if text.lstrip().startswith("<?xml"):
        text = _XML_DECLARATION.sub("", text, count=1)
    if _CONTROL.search(text) is not None:
        text = _CONTROL.sub("", text)
    # A parser per call: lxml parsers keep state and must not be shared between threads.
    parser = HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
    try:
        root = document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise HtmlParseError(str(exc) or type(exc).__name__) from None
    if not isinstance(root, HtmlElement):  # pragma: no cover - lxml.html always gives one
        raise HtmlParseError("no HTML root element")
    return root
