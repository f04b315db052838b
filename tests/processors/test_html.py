"""The html processor: both engines, metadata, trace, limits, pass-through, the chain after it."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from cleaner.api import clean_text
from cleaner.document import Document, Drop
from cleaner.errors import ConfigError
from cleaner.pipeline import Pipeline
from cleaner.processors.html import Html
from cleaner.registry import build_processor

ENGINES = ["trafilatura", "bs4"]

ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Harbour works approved | Example News</title>
<meta property="og:title" content="Harbour works approved">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<link rel="canonical" href="https://news.example.com/harbour">
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li></ul></nav>
<article>
<header><h1>Harbour works approved</h1><p class="dek">The council voted on Monday.</p></header>
<p>The city council approved the harbour works on Monday after a long debate about costs and
the effect of the building site on the local fishermen and their boats.</p>
<figure><img src="a.jpg"><figcaption>The harbour at dawn. Photo: J. Smith</figcaption></figure>
<p>Work will start in the spring and should take two years, the mayor said at a press
conference, adding that the <a href="/port">port</a> would stay open throughout.</p>
<p><a href="/other">READ MORE: Council budget passes</a></p>
<h2>Costs</h2>
<p>The total cost is estimated at 12 million euros, shared between the city and the region,
with a contribution from the fishermen's cooperative of AT&amp;amp;T-sized proportions.</p>
<div class="share-buttons"><a href="#">Share on Twitter</a> <a href="#">Share on Facebook</a></div>
<ul class="related"><li><a href="/a">Another story about boats</a></li>
<li><a href="/b">Fishing quotas cut again this year</a></li></ul>
</article>
<footer><p>© 2024 Example News. All rights reserved.</p></footer>
</body></html>"""

KEPT = [
    "The city council approved the harbour works on Monday",
    "Work will start in the spring",
    "Costs",
    "The total cost is estimated at 12 million euros",
]
GONE = [
    "Home",
    "Harbour works approved",
    "The council voted on Monday",
    "The harbour at dawn",
    "READ MORE",
    "Share on Twitter",
    "Another story about boats",
    "All rights reserved",
]


def html_doc(text: str = ARTICLE, **meta: Any) -> Document:
    return Document("page", text, meta={"format": "html", **meta})


def run(doc: Document, **options: Any) -> Document | Drop:
    return build_processor("html", options).process(doc)


def extracted(doc: Document, **options: Any) -> Document:
    result = run(doc, **options)
    assert isinstance(result, Document), result
    return result


@pytest.mark.parametrize("engine", ENGINES)
def test_article_text_in_chrome_out(engine: str) -> None:
    doc = extracted(html_doc(), engine=engine)
    for text in KEPT:
        assert text in doc.text
    for text in GONE:
        assert text not in doc.text
    # one blank line between blocks, no other blank lines
    blocks = doc.text.split("\n\n")
    assert blocks[0].startswith("The city council approved") and blocks[2] == "Costs"
    assert all(block.strip() and "\n\n" not in block for block in blocks)


@pytest.mark.parametrize("engine", ENGINES)
def test_metadata_and_marks(engine: str) -> None:
    doc = extracted(html_doc(), engine=engine)
    assert doc.meta == {
        "format": "html",
        "title": "Harbour works approved",
        "url": "https://news.example.com/harbour",
        "date": "2024-03-05",
        "author": "Jane Doe",
        "extracted_from_html": True,
    }


def test_values_the_input_had_are_kept() -> None:
    doc = extracted(html_doc(url="https://crawl.example.org/1", title="Given title"))
    assert doc.meta["url"] == "https://crawl.example.org/1"
    assert doc.meta["title"] == "Given title"
    assert doc.meta["author"] == "Jane Doe"
    assert "title" not in extracted(html_doc(), metadata=False).meta


@pytest.mark.parametrize("engine", ENGINES)
def test_trace_names_the_structure_of_each_removal(engine: str) -> None:
    doc = extracted(html_doc(), engine=engine)
    edits = {edit.rule: edit for edit in doc.trace}
    assert all(edit.processor == "html" and edit.action == "removed" for edit in doc.trace)
    assert "Home World" in edits["html.nav"].text
    assert "The harbour at dawn" in edits["html.figure"].text
    assert "READ MORE: Council budget passes" in edits["html.link-paragraph"].text
    assert "All rights reserved" in edits["html.footer"].text
    related = edits.get("html.class:related") or edits["html.link-list"]
    assert related.text.startswith("Another story about boats")
    headline = edits.get("html.headline") or edits["html.header"]
    assert "Harbour works approved" in headline.text


def test_one_edit_per_rule_with_a_block_count() -> None:
    doc = extracted(html_doc())
    rules = [edit.rule for edit in doc.trace]
    assert len(rules) == len(set(rules))
    [headline] = [edit for edit in doc.trace if edit.rule == "html.headline"]
    assert headline.text == "2 blocks: Harbour works approved / The council voted on Monday."


def test_without_trace_removed_only_cleaners_own_rules_are_traced() -> None:
    rules = {edit.rule for edit in extracted(html_doc(), trace_removed=False).trace}
    assert rules == {"html.nav", "html.link-list", "html.link-paragraph", "html.headline"}


def test_headline_can_stay() -> None:
    doc = extracted(html_doc(), drop_headline=False)
    assert doc.text.startswith("Harbour works approved")


def test_plain_text_and_extracted_documents_pass_through_unchanged() -> None:
    plain = Document("t", "<p>Not marked as HTML.</p>")
    assert run(plain) is plain
    done = Document("t", "Already text.", meta={"format": "html", "extracted_from_html": True})
    assert run(done) is done


@pytest.mark.parametrize("engine", ENGINES)
def test_the_chain_does_not_unescape_a_second_time(engine: str) -> None:
    pipeline = Pipeline([("html", {"engine": engine}), "encoding", "normalize", "boilerplate"])
    result = pipeline.process(html_doc())
    assert isinstance(result, Document)
    assert "AT&amp;T-sized" in result.text  # "&amp;amp;" in the page is "&amp;" on screen


def test_same_page_same_result() -> None:
    first, second = extracted(html_doc()), extracted(html_doc())
    assert (first.text, first.meta, first.trace) == (second.text, second.meta, second.trace)


# -- rejects ------------------------------------------------------------------------------------


def test_too_large() -> None:
    result = run(html_doc(), max_bytes=1000)
    assert isinstance(result, Drop) and result.label == "html.too_large"
    assert result.detail.endswith("bytes > max_bytes 1000")
    assert isinstance(run(html_doc(), max_bytes=0), Document)  # 0: no limit


def test_size_is_counted_in_utf8_bytes() -> None:
    text = "<p>" + "é" * 400 + "</p>"  # 407 characters, 807 bytes
    assert isinstance(run(html_doc(text), max_bytes=2000), Document)
    result = run(html_doc(text), max_bytes=600)
    assert isinstance(result, Drop) and result.detail.startswith("807 bytes")


def huge_page(paragraphs: int = 20000) -> str:
    body = "".join(
        f"<div class='c{i}'><p>Paragraph {i} of a long and odd page, with <a href='/{i}'>a "
        f"link</a> and some more words to read.</p></div>"
        for i in range(paragraphs)
    )
    return f"<html><body><article>{body}</article></body></html>"


def test_timeout_stops_a_long_extraction() -> None:
    result = run(html_doc(huge_page()), timeout_seconds=0.05)
    assert isinstance(result, Drop) and result.label == "html.timeout"
    assert "timeout_seconds 0.05" in result.detail


def test_timeout_outside_the_main_thread_is_checked_afterwards() -> None:
    results: list[Document | Drop] = []
    worker = threading.Thread(
        target=lambda: results.append(run(html_doc(huge_page(3000)), timeout_seconds=0.001))
    )
    worker.start()
    worker.join()
    [result] = results
    assert isinstance(result, Drop) and result.label == "html.timeout"
    assert "checked afterwards" in result.detail


@pytest.mark.parametrize("text", ["", "  \n ", '<?xml version="1.0"?>'])
def test_unparseable(text: str) -> None:
    result = run(html_doc(text))
    assert isinstance(result, Drop) and result.label == "html.unparseable"


@pytest.mark.parametrize(
    ("engine", "label"),
    # lxml stops building the tree at its depth limit, so trafilatura sees no text; the bs4
    # tree has no such limit and walking it exceeds Python's recursion limit.
    [("trafilatura", "html.no_content"), ("bs4", "html.unparseable")],
)
def test_pathological_nesting_is_a_reject_not_a_crash(engine: str, label: str) -> None:
    page = "<html><body><p>" + "<span>" * 1500 + "text" + "</span>" * 1500 + "</p></body></html>"
    # The timeout is only a safety net here (the label under test is not a timeout); a short
    # one turned the result into `html.timeout` on a loaded machine.
    result = run(html_doc(page), engine=engine, timeout_seconds=120)
    assert isinstance(result, Drop) and result.label == label


@pytest.mark.parametrize("engine", ENGINES)
def test_no_content(engine: str) -> None:
    page = "<html><body><nav><a href='/'>Home</a></nav><footer>© 2024</footer></body></html>"
    result = run(html_doc(page), engine=engine)
    assert isinstance(result, Drop) and result.label == "html.no_content"
    assert f"{engine} engine" in result.detail


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"engine": "regex"}, "engine: expected 'trafilatura' | 'bs4'"),
        ({"favor_precision": True, "favor_recall": True}, "exclude each other"),
        ({"link_density": 1.5}, "link_density must be in"),
        ({"max_bytes": -1}, "max_bytes must be >= 0"),
        ({"timeout_seconds": -1}, "timeout_seconds must be >= 0"),
        ({"timeout_seconds": 1e300}, "timeout_seconds must be >= 0 and <= 86400"),
        ({"timeout_seconds": float("nan")}, "timeout_seconds: expected a finite number"),
        ({"timeout_seconds": float("inf")}, "timeout_seconds: expected a finite number"),
    ],
)
def test_bad_options_are_config_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("|", r"\|")):
        build_processor("html", options)


@pytest.mark.parametrize("engine", ENGINES)
def test_include_tables(engine: str) -> None:
    sentence = "A paragraph long enough to be article text, with words for the extractor to keep. "
    paragraph = f"<p>{sentence * 3}</p>"
    rows = "<tr><td>Cell one</td><td>Cell two</td></tr><tr><td>Cell three</td><td>four</td></tr>"
    article = f"{paragraph * 4}<table>{rows}</table>{paragraph}"
    page = f"<html><body><article>{article}</article></body></html>"
    with_tables = extracted(html_doc(page), engine=engine).text
    assert "Cell one | Cell two" in with_tables or "| Cell one | Cell two |" in with_tables
    without = extracted(html_doc(page), engine=engine, include_tables=False).text
    assert "Cell one" not in without and sentence.strip() in without
    assert isinstance(build_processor("html", {"favor_precision": True}), Html)


# -- the API ------------------------------------------------------------------------------------


def test_clean_text_with_html() -> None:
    text = clean_text(ARTICLE, html=True)
    assert text.startswith("The city council approved")
    assert "Share on Twitter" not in text
    assert clean_text("<html><body><nav>Home</nav></body></html>", html=True) == ""
    assert clean_text("<p>plain</p>") == "<p>plain</p>"


def test_a_control_character_does_not_cost_the_page() -> None:
    # trafilatura returns nothing at all for a tree holding a C0 control character.
    paragraphs = "".join(
        f"<p>Paragraph {i} of the article is about the harbour works and the council vote.</p>"
        for i in range(6)
    )
    page = f"<html><body><article>{paragraphs}<p>Source: WWF\x07 (2020).</p></article></body>"
    doc = extracted(html_doc(page))
    assert "Paragraph 5 of the article" in doc.text
    assert "Source: WWF (2020)." in doc.text
