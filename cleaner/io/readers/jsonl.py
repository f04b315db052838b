"""JSON Lines records -> Documents, one line at a time, with a reason for every bad line.

Each non-blank line becomes exactly one `Document` or one `Reject`: malformed JSON, a line that
is not an object and a record without a string text field are rejected with the line's
location, and the rest of the file is still read. A record that has no text field but an HTML
field (`html_field`, "html" by default: crawls often store the raw page) becomes a document
whose text is that HTML, marked `meta["format"] = "html"` for the `html` processor. A damaged
archive (truncated gzip/zstd) yields one `corrupt_archive` reject standing for the lines that
could not be read. Lines are read with a bounded `readline`: a line longer than `max_bytes`
(`[input] max_document_bytes`) is streamed to its newline without being kept and becomes one
`too_large` reject with its size, sha256, line number and byte offset.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

import orjson

from cleaner.document import Document, Reject
from cleaner.io.compression import CORRUPT_ARCHIVE_ERRORS
from cleaner.io.decode import decode_line, sniff_bom
from cleaner.io.limits import (
    EXCERPT_CHARS,
    READ_CHUNK,
    InputOptions,
    Oversized,
    skip_line,
    too_large,
)
from cleaner.io.readers.base import CORRUPT_ARCHIVE, UNREADABLE
from cleaner.io.readers.html import HTML_FORMAT
from cleaner.io.records import MISSING_TEXT_FIELD, NOT_AN_OBJECT, record_document

#: How much of a bad line is kept in the reject record.
RAW_PREVIEW_CHARS = 200
#: The field read as raw HTML when a record has no text field (`[input] html_field`).
DEFAULT_HTML_FIELD = InputOptions.html_field

_SURROGATE = re.compile("[\ud800-\udfff]")
_JSON_KINDS = {list: "array", str: "string", int: "number", float: "number", bool: "boolean"}


def iter_jsonl(
    stream: IO[bytes],
    *,
    name: str,
    source: str,
    text_field: str = "text",
    id_field: str = "id",
    html_field: str = DEFAULT_HTML_FIELD,
    max_bytes: int = InputOptions.max_document_bytes,
) -> Iterator[Document | Reject]:
    """Parse the binary stream `stream` line by line (memory bounded by `max_bytes`).

    `name` prefixes generated ids and reject ids (`name:line`); `source` is the path recorded in
    rejects. A line longer than `max_bytes` is streamed to its newline without being kept and
    rejected as `too_large`. A read error part-way is turned into one reject for the remaining
    lines: `corrupt_archive` for a damaged compressed stream, `unreadable` for an I/O error.
    """
    line_no = 0
    try:
        for raw in _lines(stream, max_bytes):
            line_no += 1
            if isinstance(raw, _LongLine):
                yield too_large(
                    f"{name}:{line_no}",
                    source,
                    raw.over,
                    max_bytes,
                    line=line_no,
                    offset=raw.offset,
                )
                continue
            item = parse_line(
                raw,
                name=name,
                line_no=line_no,
                source=source,
                text_field=text_field,
                id_field=id_field,
                html_field=html_field,
            )
            if item is not None:
                yield item
    except CORRUPT_ARCHIVE_ERRORS as exc:
        yield Reject(
            id=f"{name}:{line_no + 1}",
            source=source,
            reason=CORRUPT_ARCHIVE,
            detail=f"{_describe(exc)}; lines from {line_no + 1} on could not be read",
        )
    except OSError as exc:
        yield Reject(
            id=f"{name}:{line_no + 1}",
            source=source,
            reason=UNREADABLE,
            detail=f"{_describe(exc)}; lines from {line_no + 1} on could not be read",
        )


def parse_line(
    raw: bytes,
    *,
    name: str,
    line_no: int,
    source: str,
    text_field: str = "text",
    id_field: str = "id",
    html_field: str = DEFAULT_HTML_FIELD,
) -> Document | Reject | None:
    """One JSONL line -> a Document, a Reject, or None for a blank line."""
    if not raw.strip():
        return None
    location = f"{name}:{line_no}"
    decoding: dict[str, Any] = {}
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        text, decoding = decode_line(raw)
        lenient = _lenient_loads(text)
        if lenient is None:
            return _reject(location, source, "malformed_json", str(exc), text)
        value, surrogates = lenient
        if surrogates:
            replaced = decoding.get("replaced", 0) + surrogates
            decoding = {"charset": "utf-8", "method": "replace", "replaced": replaced}
    if not isinstance(value, dict):
        kind = "null" if value is None else _JSON_KINDS.get(type(value), type(value).__name__)
        detail = f"line is a JSON {kind}, expected an object"
        return _reject(location, source, NOT_AN_OBJECT, detail, _preview(raw))
    text_value = value.get(text_field)
    if isinstance(text_value, str):
        return _document(value, location, text_value, decoding, text_field, id_field)
    html_value = value.get(html_field) if html_field else None
    if isinstance(html_value, str):
        doc = _document(value, location, html_value, decoding, html_field, id_field)
        return doc.with_meta(format=HTML_FORMAT)
    detail = _missing_detail(value, text_field)
    return _reject(location, source, MISSING_TEXT_FIELD, detail, _preview(raw))


def _document(
    record: dict[str, Any],
    location: str,
    text: str,
    decoding: dict[str, Any],
    body_field: str,
    id_field: str,
) -> Document:
    doc = record_document(
        record, text=text, body_field=body_field, id_field=id_field, fallback_id=location
    )
    return doc.with_meta(decoding=decoding) if decoding else doc


def _lenient_loads(text: str) -> tuple[Any, int] | None:
    """Parse what orjson refuses but Python's json reads: lone surrogate escapes (`"\\ud83d"`,
    a split emoji) and NaN/Infinity (written by Python's own json.dumps).

    Returns (value, number of lone surrogates replaced by U+FFFD), or None if it is not JSON.
    """
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    counter = [0]
    return _replace_surrogates(value, counter), counter[0]


def _replace_surrogates(value: Any, counter: list[int]) -> Any:
    if isinstance(value, str):
        fixed, count = _SURROGATE.subn("\ufffd", value)
        counter[0] += count
        return fixed
    if isinstance(value, list):
        return [_replace_surrogates(item, counter) for item in value]
    if isinstance(value, dict):
        return {
            _replace_surrogates(key, counter): _replace_surrogates(item, counter)
            for key, item in value.items()
        }
    return value


def _missing_detail(record: dict[str, Any], text_field: str) -> str:
    keys = ", ".join(str(key) for key in list(record)[:20]) or "none"
    if text_field not in record:
        return f"no field {text_field!r}; keys present: {keys}"
    value = record[text_field]
    kind = "null" if value is None else _JSON_KINDS.get(type(value), type(value).__name__)
    return f"field {text_field!r} is a {kind}, not a string; keys present: {keys}"


def _reject(location: str, source: str, reason: str, detail: str, raw: str) -> Reject:
    return Reject(id=location, source=source, reason=reason, detail=detail, raw=_clip(raw))


def _preview(raw: bytes) -> str:
    return raw[: RAW_PREVIEW_CHARS * 4].decode("utf-8", errors="replace")


def _clip(text: str) -> str:
    return text.rstrip("\r\n")[:RAW_PREVIEW_CHARS]


def _describe(exc: BaseException) -> str:
    message = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {message}"


@dataclass(frozen=True, slots=True)
class _LongLine:
    """A line over the limit, skipped: what is kept of it, and where it started (bytes into
    the decompressed stream; None when the stream was re-encoded from UTF-16/32)."""

    over: Oversized
    offset: int | None


def _lines(stream: IO[bytes], limit: int) -> Iterator[bytes | _LongLine]:
    """Lines of `stream` as UTF-8 bytes, each read with a bounded `readline`.

    A UTF-8 byte-order mark is dropped; a UTF-16/32 one (PowerShell's `>` writes UTF-16) makes
    the stream be decoded and re-encoded as UTF-8 so each line can be parsed the same way.
    A line longer than `limit` bytes comes as a `_LongLine`.
    """
    head = _peek(stream, 4)
    bom = sniff_bom(head)
    if bom is not None and bom[0] != "utf-8":
        codec = bom[0][:6]  # "utf-16" / "utf-32": these codecs consume the mark themselves
        text = io.TextIOWrapper(stream, encoding=codec, errors="replace", newline="\n")
        try:
            yield from _decoded_lines(text, limit)
        finally:
            text.detach()  # the caller owns (and closes) `stream`
        return
    offset = 0
    while line := stream.readline(limit + 1):
        start = offset
        offset += len(line)
        if len(line) > limit and not line.endswith(b"\n"):
            over, consumed = skip_line(stream, line)
            offset += consumed
            yield _LongLine(over, start)
            continue
        if start == 0 and line.startswith(codecs.BOM_UTF8):
            line = line[len(codecs.BOM_UTF8) :]
        yield line


def _decoded_lines(text: io.TextIOWrapper, limit: int) -> Iterator[bytes | _LongLine]:
    """`_lines` for a stream decoded from UTF-16/32: the limit counts characters here."""
    while line := text.readline(limit + 1):
        if len(line) > limit and not line.endswith("\n"):
            digest = hashlib.sha256(line.encode("utf-8", errors="replace"))
            size = len(line)
            head = line[:EXCERPT_CHARS].encode("utf-8", errors="replace")
            while part := text.readline(READ_CHUNK):
                body = part[:-1] if part.endswith("\n") else part
                digest.update(body.encode("utf-8", errors="replace"))
                size += len(body)
                if body is not part:
                    break
            yield _LongLine(Oversized(size, False, digest.hexdigest(), head), None)
            continue
        yield line.encode("utf-8", errors="replace")


def _peek(stream: IO[bytes], size: int) -> bytes:
    peek = getattr(stream, "peek", None)
    if callable(peek):
        data = peek(size)
        return bytes(data[:size]) if isinstance(data, bytes | bytearray) else b""
    return b""
