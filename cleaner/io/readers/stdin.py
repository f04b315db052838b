"""Standard input -> Documents: JSONL, one HTML page or one text document, told by its start.

Standard input is sniffed, not named: JSONL if its first non-blank character is `{` (after any
byte-order mark), an HTML document if it starts like a page (`<!doctype html`, `<html`), else
one text document. What was read while sniffing is put back in front of the rest, so a pipe
is read once, as it arrives. Its id is "stdin".
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from typing import IO, Any

from cleaner.document import Document, Reject
from cleaner.io.decode import sniff_bom
from cleaner.io.limits import Oversized, read_limited, too_large
from cleaner.io.readers.base import Fields
from cleaner.io.readers.html import html_document
from cleaner.io.readers.jsonl import iter_jsonl
from cleaner.io.readers.text import text_document

STDIN_ID = "stdin"
_SNIFF_CHUNK = 1 << 16


def read_stdin(fields: Fields) -> Iterator[Document | Reject]:
    """Standard input: JSONL if the first non-blank character is `{`, one HTML document if it
    starts like an HTML page (`<!doctype html`, `<html`), else one text document."""
    raw = _stdin_bytes()
    prefix = b""
    while not prefix.strip() and len(prefix) <= fields.limit:
        chunk = _read_some(raw)
        if not chunk:
            break
        prefix += chunk
    stream = io.BufferedReader(_Prefixed(prefix, raw), buffer_size=_SNIFF_CHUNK)
    if _starts_json_object(prefix):
        yield from iter_jsonl(
            stream,
            name=STDIN_ID,
            source=STDIN_ID,
            text_field=fields.text,
            id_field=fields.id,
            html_field=fields.html,
            max_bytes=fields.limit,
        )
        return
    data = read_limited(stream, fields.limit, count_rest=True)
    if isinstance(data, Oversized):
        yield too_large(STDIN_ID, STDIN_ID, data, fields.limit, offset=0)
    elif prefix.lstrip()[:14].lower().startswith((b"<!doctype html", b"<html")):
        yield html_document(data, doc_id=STDIN_ID, source=STDIN_ID)
    else:
        yield text_document(data, doc_id=STDIN_ID, source=STDIN_ID)


def _stdin_bytes() -> IO[bytes]:
    buffer = getattr(sys.stdin, "buffer", None)
    if buffer is not None:
        return buffer  # type: ignore[no-any-return]
    # sys.stdin replaced by a text stream without a binary buffer (tests, embedding hosts).
    return io.BytesIO(sys.stdin.read().encode("utf-8", errors="surrogateescape"))


def _read_some(raw: IO[bytes], size: int = _SNIFF_CHUNK) -> bytes:
    """Up to `size` bytes of what is available, without waiting for all of them on a pipe."""
    read1 = getattr(raw, "read1", None)
    data = read1(size) if callable(read1) else raw.read(size)
    return bytes(data or b"")


def _starts_json_object(prefix: bytes) -> bool:
    bom = sniff_bom(prefix)
    if bom is None:
        text = prefix.decode("utf-8", errors="ignore")
    else:
        codec, skip = bom
        body = prefix[skip:]
        unit = 4 if codec.startswith("utf-32") else 2 if codec.startswith("utf-16") else 1
        text = body[: len(body) - len(body) % unit].decode(codec, errors="ignore")
    return text.lstrip()[:1] == "{"


class _Prefixed(io.RawIOBase):
    """A raw stream that returns `prefix` (already read while sniffing), then the rest of `raw`."""

    def __init__(self, prefix: bytes, raw: IO[bytes]) -> None:
        super().__init__()
        self._prefix = prefix
        self._offset = 0
        self._raw = raw

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        if self._offset < len(self._prefix):
            size = min(len(view), len(self._prefix) - self._offset)
            view[:size] = self._prefix[self._offset : self._offset + size]
            self._offset += size
            return size
        data = _read_some(self._raw, len(view))
        view[: len(data)] = data
        return len(data)
