"""Title, URL, publication date and author of a page, for `meta`.

trafilatura and htmldate already know where pages keep these (meta tags, Open Graph, JSON-LD,
`<title>`, `<h1>`, dates in the markup), so this module calls their parts, choosing the cheap
ones: `trafilatura.extract_metadata` as a whole costs about 10 ms a page on the Zyte set, as
much as the extraction itself, almost all of it in the search for an author byline in the
document body (7.5 ms) and htmldate's extensive date search. Here:

- meta tags and JSON-LD (`examine_meta`, `extract_meta_json`, ~1.5 ms): title, author, URL;
- `<title>`/`<h1>` for the title when the meta tags have none (`extract_title`), the
  canonical link for the URL (`extract_url`); a URL the input already had (WARC target URI,
  JSONL field) wins;
- `htmldate.find_date` without its extensive search (~0.4 ms), original (publication) date,
  with a fixed upper bound instead of "today", so that a re-run years later gives the same
  answer;
- no body-byline search for the author: pages without author metadata get none.

Every part is guarded: metadata never decides whether a document is kept, so a failure in one
of these libraries leaves the field out instead of failing the document.
"""

from __future__ import annotations

from typing import Any

from htmldate import find_date
from lxml.html import HtmlElement
from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url
from trafilatura.settings import Document as TrafilaturaMetadata

#: Latest publication date accepted (htmldate's default would be the day of the run).
MAX_DATE = "2099-12-31"
#: Fields written to `meta`, in this order.
FIELDS = ("title", "url", "date", "author")


def read_metadata(root: HtmlElement, url: str | None = None) -> dict[str, str]:
    """The page's title, url, date and author, each only when found (values are strings)."""
    found = _tag_metadata(root)
    title = found.title or _guarded(extract_title, root)
    page_url = url or found.url or _guarded(extract_url, root)
    date = _guarded(
        find_date,
        root,
        extensive_search=False,
        original_date=True,
        url=page_url,
        max_date=MAX_DATE,
    )
    values = {"title": title, "url": page_url, "date": date, "author": found.author}
    out: dict[str, str] = {}
    for key in FIELDS:
        value = values[key]
        if isinstance(value, str) and value.strip():
            out[key] = value.strip()
    return out


def _tag_metadata(root: HtmlElement) -> TrafilaturaMetadata:
    """Meta tags, then JSON-LD over them, the way trafilatura's own metadata pass does."""
    found = _guarded(examine_meta, root)
    metadata = found if isinstance(found, TrafilaturaMetadata) else TrafilaturaMetadata()
    if metadata.author and " " not in metadata.author:
        metadata.author = None  # a one-word "author" meta tag is a site or a handle
    with_json = _guarded(extract_meta_json, root, metadata)
    return with_json if isinstance(with_json, TrafilaturaMetadata) else metadata


def _guarded(function: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return function(*args, **kwargs)
    except Exception:
        return None
