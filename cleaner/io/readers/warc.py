"""WARC archives (.warc, .warc.gz) -> one HTML Document per HTML response record.

Web crawls (Common Crawl, Heritrix, wget --warc-file) store pages as WARC `response` records:
the HTTP response as received, headers and body. Each response record becomes exactly one
item:

- an HTML page (`Content-Type` text/html or application/xhtml+xml, or no type but a body that
  starts like HTML) with a 2xx status: a Document whose text is the decoded HTML,
  `meta["format"] = "html"`, `meta["url"]` (WARC-Target-URI), `meta["warc_date"]`,
  `meta["http_charset"]` when the header names one; its id is the WARC-Record-ID;
- any other response: a Reject, reason `not_html` (images, PDFs, scripts...) or
  `http_status` (redirects, errors), so the counts of a run add up to the responses read.

Request, metadata, warcinfo, resource and revisit records are not pages and are skipped. When
the WARC library reports damage (a corrupt gzip member, an invalid record header), one
`corrupt_archive` reject stands for the rest of the file. An archive cut short at the end is
read up to where it stops: both libraries end there without an error.

Two readers are supported, imported on first use through `cleaner.optional`: FastWARC (fast,
compiled) and warcio (pure Python) as the fallback; `pip install 'cleaner[warc]'` installs both.
Without either, every WARC file is one `missing_dependency` reject. Each takes care of gzip
members and HTTP transfer and content encodings (chunked, gzip, deflate, brotli).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from cleaner.document import Document, Reject
from cleaner.io.html_charset import charset_from_content_type
from cleaner.io.limits import InputOptions, Oversized, read_limited, too_large
from cleaner.io.readers.base import CORRUPT_ARCHIVE, MISSING_DEPENDENCY
from cleaner.io.readers.html import html_document
from cleaner.optional import WARC, installed, missing_message, require

#: Media types read as HTML pages.
HTML_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: Leading bytes of a body with no Content-Type that still mark it as HTML.
_HTML_STARTS = (b"<!doctype html", b"<html")
#: What a missing WARC library stops, in its message.
_READING = "reading WARC files"


@dataclass(frozen=True, slots=True)
class WarcResponse:
    """What the readers need from one response record, whichever library parsed it."""

    record_id: str
    url: str
    date: str
    status: int | None
    content_type: str
    payload: bytes | Oversized  # Oversized: larger than the limit, not read further
    offset: int | None = None  # where the record starts in the (compressed) file


Backend = Callable[[IO[bytes], int], Iterator[WarcResponse]]


def available_backend() -> str | None:
    """ "fastwarc", "warcio", or None when neither library is installed."""
    return installed(WARC)


def iter_warc(
    stream: IO[bytes],
    *,
    name: str,
    source: str,
    backend: str | None = None,
    max_bytes: int = InputOptions.max_document_bytes,
) -> Iterator[Document | Reject]:
    """Documents and rejects for the response records of the WARC file open as `stream`.

    `backend` forces "fastwarc" or "warcio"; by default the first one installed is used. A
    payload is read up to `max_bytes` (decoded); a larger one is left unread and rejected as
    `too_large` with its size as a lower bound and the record's offset in the file.
    """
    chosen = backend or available_backend()
    if chosen is None:
        detail = missing_message(WARC, _READING)
        yield Reject(id=name, source=source, reason=MISSING_DEPENDENCY, detail=detail)
        return
    reader: Backend = _fastwarc_responses if chosen == "fastwarc" else _warcio_responses
    count = 0
    try:
        for response in reader(stream, max_bytes):
            count += 1
            yield _to_item(response, name=name, source=source, index=count, limit=max_bytes)
    except Exception as exc:
        yield Reject(
            id=f"{name}:{count + 1}",
            source=source,
            reason=CORRUPT_ARCHIVE,
            detail=f"{type(exc).__name__}: {exc}; records from {count + 1} on could not be read",
        )


def _to_item(
    response: WarcResponse, *, name: str, source: str, index: int, limit: int
) -> Document | Reject:
    doc_id = response.record_id.strip("<>") or response.url or f"{name}:{index}"
    media_type = response.content_type.split(";", 1)[0].strip().lower()
    payload = response.payload
    head = payload.head if isinstance(payload, Oversized) else payload
    if not _is_html(media_type, head):
        detail = f"{media_type or 'no Content-Type'} at {response.url or '(no URL)'}"
        return Reject(id=doc_id, source=source, reason="not_html", detail=detail)
    if response.status is not None and not 200 <= response.status < 300:
        detail = f"HTTP {response.status} at {response.url or '(no URL)'}"
        return Reject(id=doc_id, source=source, reason="http_status", detail=detail)
    if isinstance(payload, Oversized):
        return too_large(doc_id, source, payload, limit, offset=response.offset)
    meta: dict[str, Any] = {}
    if response.url:
        meta["url"] = response.url
    if response.date:
        meta["warc_date"] = response.date
    return html_document(
        payload,
        doc_id=doc_id,
        source=source,
        http_charset=charset_from_content_type(response.content_type),
        meta=meta,
    )


def _is_html(media_type: str, payload: bytes) -> bool:
    if media_type:
        return media_type in HTML_MEDIA_TYPES
    return payload[:1024].lstrip().lower().startswith(_HTML_STARTS)


# -- backends -----------------------------------------------------------------------------------


def _fastwarc_responses(stream: IO[bytes], limit: int) -> Iterator[WarcResponse]:
    fastwarc = require(WARC, _READING, "fastwarc.warc")
    records = fastwarc.ArchiveIterator(
        stream, record_types=fastwarc.WarcRecordType.response, parse_http=True, auto_decode="all"
    )
    for record in records:
        http = record.http_headers
        yield WarcResponse(
            record_id=str(record.record_id or ""),
            url=str(record.headers.get("WARC-Target-URI") or ""),
            date=str(record.headers.get("WARC-Date") or ""),
            status=http.status_code if http is not None else None,
            content_type=str(http.get("Content-Type") or "") if http is not None else "",
            payload=read_limited(record.reader, limit, count_rest=False),
            offset=int(record.stream_pos),
        )


def _warcio_responses(stream: IO[bytes], limit: int) -> Iterator[WarcResponse]:
    warcio = require(WARC, _READING, "warcio.archiveiterator")
    records = warcio.ArchiveIterator(stream)
    for record in records:
        if record.rec_type != "response":
            continue
        headers = record.rec_headers
        http = record.http_headers
        status = http.get_statuscode() if http is not None else None
        yield WarcResponse(
            record_id=str(headers.get_header("WARC-Record-ID") or ""),
            url=str(headers.get_header("WARC-Target-URI") or ""),
            date=str(headers.get_header("WARC-Date") or ""),
            status=int(status) if status and str(status).isdigit() else None,
            content_type=str(http.get_header("Content-Type") or "") if http is not None else "",
            payload=read_limited(record.content_stream(), limit, count_rest=False),
            offset=int(records.get_record_offset()),
        )
