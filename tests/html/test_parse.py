"""parse_html: whole documents and fragments parse; what lxml refuses is one exception."""

from __future__ import annotations

import pytest

from cleaner.html.parse import HtmlParseError, parse_html
from cleaner.html.text import element_text


def test_fragment_is_wrapped_in_a_document() -> None:
    root = parse_html("<p>Just a paragraph.</p>")
    assert root.tag == "html"
    assert element_text(root.body) == "Just a paragraph."


def test_xml_declaration_in_a_decoded_string_is_dropped() -> None:
    declaration = '<?xml version="1.0" encoding="iso-8859-1"?>'
    root = parse_html(declaration + "<html><body><p>Ça</p></body></html>")
    assert element_text(root.body) == "Ça"


def test_comments_are_not_text() -> None:
    root = parse_html("<html><body><p>a<!-- hidden note --> b</p></body></html>")
    assert element_text(root.body) == "a b"


@pytest.mark.parametrize("text", ["", "   \n\t", '<?xml version="1.0"?>'])
def test_empty_documents_raise_one_exception(text: str) -> None:
    with pytest.raises(HtmlParseError, match="empty"):
        parse_html(text)


def test_control_characters_are_not_text() -> None:
    root = parse_html("<p>WWF\x07 (2020):\x0b Living\x00 Planet\tReport</p>")
    assert root.body is not None
    assert root.body.text_content() == "WWF (2020): Living Planet\tReport"
