"""The bytes of one HTML page -> a Document marked `meta["format"] = "html"`, or a Reject.

Readers of HTML files and WARC records share this step. The document's text is the decoded
HTML itself: turning it into article text is the `html` processor's job, so that a pipeline
decides how (engine, limits) and the trace shows what was removed. The charset decision
(`cleaner.io.html_charset`) is kept in `meta["decoding"]`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cleaner.document import Document, Reject
from cleaner.io.decode import unusable_bytes
from cleaner.io.html_charset import decode_html

#: `meta["format"]` of a document whose text is HTML still to be extracted.
HTML_FORMAT = "html"


def html_document(
    data: bytes,
    *,
    doc_id: str,
    source: str,
    http_charset: str | None = None,
    meta: Mapping[str, Any] | None = None,
) -> Document | Reject:
    """One HTML page. `meta` holds what the container knew (url, warc_date, ...)."""
    problem = unusable_bytes(data)
    if problem is not None:
        return Reject(id=doc_id, source=source, reason=problem[0], detail=problem[1])
    text, decoding = decode_html(data, http_charset)
    out: dict[str, Any] = {"source": source, "format": HTML_FORMAT, **(meta or {})}
    if http_charset:
        out["http_charset"] = http_charset
    out["decoding"] = decoding
    return Document(id=doc_id, text=text, meta=out)
