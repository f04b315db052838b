"""The trafilatura engine: the fallback comparison runs only on short extractions."""

from __future__ import annotations

import pytest
from lxml.etree import Element, SubElement

from cleaner.html import trafilatura_engine
from cleaner.html.extraction import EngineSettings
from cleaner.html.parse import parse_html

_LONG = "The council approved the new budget after a long debate about schools and roads. "


def _body(text: str):  # type: ignore[no-untyped-def]
    body = Element("body")
    SubElement(body, "p").text = text
    return body


def test_short_extraction_on_a_long_page_is_short() -> None:
    root = parse_html(f"<html><body><p>{_LONG * 40}</p><p>Teaser line.</p></body></html>")
    assert trafilatura_engine._short(_body("Teaser line."), root)


def test_extraction_holding_most_of_the_page_is_not_short() -> None:
    root = parse_html(f"<html><body><p>{_LONG * 40}</p><p>Teaser line.</p></body></html>")
    assert not trafilatura_engine._short(_body(_LONG * 40), root)


def test_no_extraction_on_a_page_with_text_is_short() -> None:
    root = parse_html(f"<html><body><p>{_LONG * 5}</p></body></html>")
    assert trafilatura_engine._short(None, root)


def test_script_text_does_not_count_as_page_text() -> None:
    script = "var x = 1;" * 500
    root = parse_html(f"<html><body><script>{script}</script><p>{_LONG}</p></body></html>")
    assert not trafilatura_engine._short(_body(_LONG), root)


_BOUND_PAGES = [
    f"<html><body><p>{_LONG}</p></body></html>",
    # minified: block elements with no whitespace between them (html2txt adds spaces)
    "<html><body>"
    + "".join(f"<div>w{i}</div><p>x{i}</p><li>y</li>" for i in range(200))
    + "</body></html>",
    # hidden elements nested in each other, with tails that html2txt keeps
    "<html><body><svg><style>.a{}</style><text>svg text</text></svg>tail one"
    "<script>var a = '<p>no</p>';</script>tail two<template><p>inert</p></template>"
    f"<aside>{_LONG}</aside><footer>{_LONG}</footer><p>{_LONG}</p></body></html>",
    "<html><body>   \n\t  </body></html>",
    "<html><body><p>a&nbsp;b\u00a0c \u2003 d</p><pre>  x\n\n  y  </pre></body></html>",
]


@pytest.mark.parametrize("page", _BOUND_PAGES)
def test_visible_text_bound_is_never_below_html2txt(page: str) -> None:
    from trafilatura.baseline import html2txt

    root = parse_html(page)
    body = next(root.iter("body"))
    assert trafilatura_engine._visible_text_bound(body) >= len(html2txt(root))


def test_visible_text_bound_leaves_out_scripts_and_styles() -> None:
    script = "var x = 1;" * 500
    root = parse_html(f"<html><body><script>{script}</script><p>{_LONG}</p></body></html>")
    assert trafilatura_engine._visible_text_bound(next(root.iter("body"))) < 2 * len(_LONG)


@pytest.mark.parametrize(("fast", "short", "expected"), [
    (True, True, [True, False]),
    (True, False, [True]),
    (False, True, [False]),
])  # fmt: skip
def test_fallback_runs_only_for_short_fast_extractions(
    monkeypatch: pytest.MonkeyPatch, fast: bool, short: bool, expected: list[bool]
) -> None:
    calls: list[bool] = []

    def fake_body(root, settings, url, *, fast):  # type: ignore[no-untyped-def]
        calls.append(fast)
        return _body("fallback" if not fast else "primary")

    monkeypatch.setattr(trafilatura_engine, "_extract_body", fake_body)
    monkeypatch.setattr(trafilatura_engine, "_short", lambda body, root: short)
    root = parse_html(f"<html><body><p>{_LONG}</p></body></html>")
    extraction = trafilatura_engine.extract(root, EngineSettings(fast=fast, trace_removed=False))
    assert calls == expected
    assert extraction.blocks == (("fallback",) if len(expected) == 2 or not fast else ("primary",))


def test_a_failed_fallback_keeps_the_primary_extraction(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_body(root, settings, url, *, fast):  # type: ignore[no-untyped-def]
        return _body("primary") if fast else None

    monkeypatch.setattr(trafilatura_engine, "_extract_body", fake_body)
    monkeypatch.setattr(trafilatura_engine, "_short", lambda body, root: True)
    root = parse_html(f"<html><body><p>{_LONG}</p></body></html>")
    extraction = trafilatura_engine.extract(root, EngineSettings(trace_removed=False))
    assert extraction.blocks == ("primary",)
