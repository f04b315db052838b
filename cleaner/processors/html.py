"""The `html` processor: an HTML page in, its article text out, with what was removed and why.

It acts on documents marked `meta["format"] == "html"` (HTML files, WARC records, JSONL
records with an html field, `clean_text(..., html=True)`) and passes every other document
through unchanged, so it can sit at the front of the default chain. For a page it:

1. checks the size (`max_bytes`): a larger page is rejected (`html.too_large`);
2. parses it (`html.unparseable` if lxml cannot) and reads title, URL, publication date and
   author into `meta` (values the input already had are kept);
3. extracts the article with the chosen engine (`trafilatura`, the default, or `bs4`), both
   with cleaner's structure rules (navigation, link lists, split bodies) and without the
   headline block, whose text is in `meta.title`;
4. joins the blocks with one blank line between them and marks the document
   `meta["extracted_from_html"] = True`, so the `encoding` processor does not unescape
   entities a second time; a page without article text is rejected (`html.no_content`).

Steps 2-4 run under a time limit (`timeout_seconds`, see `cleaner.html.limits`): a page that
takes longer is rejected (`html.timeout`) instead of holding up the run.

The trace holds one "removed" edit per rule id, with the number of blocks and an excerpt:
`html.nav`, `html.link-list`, `html.headline`, `html.class:related`, `html.not-main`, ...
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar, Literal

from cleaner.document import Document, Drop, Edit
from cleaner.html.extraction import EngineSettings, Extraction, Removal
from cleaner.html.limits import Stopwatch, TimeLimitExceeded, time_limit
from cleaner.html.text import excerpt
from cleaner.processors.base import ProcessorBase
from cleaner.registry import register

#: The longest `timeout_seconds` accepted: a day. Larger values (1e300) overflow the timer.
MAX_TIMEOUT_SECONDS = 86_400

if TYPE_CHECKING:
    from lxml.html import HtmlElement

#: Longest excerpt of removed text kept in one trace edit.
EXCERPT_CHARS = 200


@register
class Html(ProcessorBase):
    """Extract article text (and metadata) from HTML documents; pass other documents through."""

    name: ClassVar[str] = "html"

    @dataclass(frozen=True)
    class Options:
        """Each option is described in `[html]` of default.toml (a test keeps its values
        equal to these defaults)."""

        engine: Literal["trafilatura", "bs4"] = "trafilatura"
        max_bytes: int = 5_000_000
        timeout_seconds: float = 10.0
        include_tables: bool = True
        favor_precision: bool = False
        favor_recall: bool = False
        fast: bool = True
        link_density: float = 0.8
        drop_headline: bool = True
        metadata: bool = True
        trace_removed: bool = True

        def __post_init__(self) -> None:
            if self.max_bytes < 0:
                raise ValueError(f"max_bytes must be >= 0 (0 = no limit), got {self.max_bytes}")
            # `not <=` also refuses nan; the bound keeps the timer's arithmetic finite.
            if not 0 <= self.timeout_seconds <= MAX_TIMEOUT_SECONDS:
                raise ValueError(
                    f"timeout_seconds must be >= 0 and <= {MAX_TIMEOUT_SECONDS} (0 = no limit),"
                    f" got {self.timeout_seconds}"
                )
            if not 0.0 <= self.link_density <= 1.0:
                raise ValueError(f"link_density must be in [0, 1], got {self.link_density}")
            if self.favor_precision and self.favor_recall:
                raise ValueError("favor_precision and favor_recall exclude each other")

    options: Options

    def __init__(self, options: Options) -> None:
        self.options = options
        self._settings = EngineSettings(
            include_tables=options.include_tables,
            favor_precision=options.favor_precision,
            favor_recall=options.favor_recall,
            fast=options.fast,
            link_density=options.link_density,
            trace_removed=options.trace_removed,
        )

    def process(self, doc: Document) -> Document | Drop:
        if doc.meta.get("format") != "html" or doc.meta.get("extracted_from_html"):
            return doc
        limit = self.options.max_bytes
        size = _size_over(doc.text, limit)
        if size is not None:
            return Drop(doc, self.name, "too_large", f"{size} bytes > max_bytes {limit}")
        timeout = self.options.timeout_seconds
        watch = Stopwatch()
        try:
            with time_limit(timeout) as interruptible:
                result = self._extract(doc)
        except TimeLimitExceeded:
            return self._timeout(doc, timeout)
        except RecursionError:
            detail = "elements nested too deeply to walk (Python recursion limit)"
            return Drop(doc, self.name, "unparseable", detail)
        if not interruptible and watch.exceeded(timeout):
            return self._timeout(doc, timeout, watch.seconds)
        return result

    # -- steps --------------------------------------------------------------------------------

    def _extract(self, doc: Document) -> Document | Drop:
        # Imported on first use: trafilatura, BeautifulSoup and lxml take ~0.3 s to import,
        # which a run over plain text (the html processor passing every document through)
        # should not pay.
        from cleaner.html.headline import drop_headline, headline_keys
        from cleaner.html.metadata import read_metadata
        from cleaner.html.parse import HtmlParseError, parse_html

        try:
            root = parse_html(doc.text)
        except HtmlParseError as exc:
            return Drop(doc, self.name, "unparseable", f"not readable as HTML: {exc}")
        url = doc.meta.get("url")
        url = url if isinstance(url, str) and url else None
        found = read_metadata(root, url) if self.options.metadata else {}
        keys = headline_keys(root) if self.options.drop_headline else frozenset()
        extraction = self._engine(doc.text, root, url)
        blocks, headline = drop_headline(extraction.blocks, keys)
        text = "\n\n".join(blocks)
        edits = self._edits((*extraction.removals, *headline))
        if not text.strip():
            # The trace says what was there instead: `cleaner explain` shows it for the reject.
            removed = len(extraction.removals) + len(headline)
            detail = f"no article text found ({self.options.engine} engine"
            detail += f", {removed} blocks removed)"
            return Drop(doc.evolve(edits=edits), self.name, "no_content", detail)
        meta = {**doc.meta}
        for key, value in found.items():
            meta.setdefault(key, value)
        meta["extracted_from_html"] = True
        return doc.evolve(text=text, meta=meta, edits=edits)

    def _engine(self, html: str, root: HtmlElement, url: str | None) -> Extraction:
        if self.options.engine == "bs4":
            from cleaner.html import bs4_engine

            return bs4_engine.extract(html, self._settings)
        from cleaner.html import trafilatura_engine

        return trafilatura_engine.extract(root, self._settings, url)

    def _edits(self, removals: tuple[Removal, ...]) -> list[Edit]:
        """One edit per rule id, in order of first appearance: block count and an excerpt."""
        grouped: dict[str, list[str]] = {}
        for removal in removals:
            grouped.setdefault(removal.rule, []).append(removal.text)
        edits = []
        for rule, texts in grouped.items():
            shown = excerpt(" / ".join(texts), EXCERPT_CHARS)
            text = shown if len(texts) == 1 else f"{len(texts)} blocks: {shown}"
            edits.append(Edit(self.name, rule, "removed", text))
        return edits

    def _timeout(self, doc: Document, limit: float, spent: float | None = None) -> Drop:
        detail = f"extraction took longer than timeout_seconds {limit:g}"
        if spent is not None:
            detail += f" ({spent:.1f} s; not interruptible here, checked afterwards)"
        return Drop(doc, self.name, "timeout", detail)


def _size_over(text: str, limit: int) -> int | None:
    """The UTF-8 size of `text` if it exceeds `limit` (0: no limit), else None.

    A character takes at most 4 bytes, so short texts are never encoded to be measured.
    """
    if not limit or 4 * len(text) <= limit:
        return None
    size = len(text.encode("utf-8", errors="surrogatepass"))
    return size if size > limit else None
