"""The per-document size limit of every input kind, and what a reject keeps of a document.

A document larger than `[input] max_document_bytes` (10 MB by default, counted in bytes as
read: the decompressed file, the JSONL line, the Parquet value, the WARC payload) is rejected
with reason `too_large`, while it is being read: at most the limit (plus one read buffer) of
it is ever held in memory, and the rest of the file is still read.

- `read_limited` reads one whole-file document: up to limit + 1 bytes, then either counts the
  rest while discarding it (plain files and standard input: the size is exact) or stops there
  (compressed pages and WARC payloads, so a bomb is not decompressed: the size is "at least").
- `skip_line` streams the rest of an oversized JSONL line to its newline without keeping it.

Either way the reject keeps an excerpt (`EXCERPT_CHARS`), the size and the SHA-256 of every
byte streamed, and where the document came from (file, JSONL line, byte offset), so that the
original can be found again; never the whole text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import IO, Protocol

from cleaner.document import Reject

# The `[input]` options (the limit's default and bounds) live with the other tables' options;
# the readers import them from here.
from cleaner.options import MAX_DOCUMENT_BYTES_CEILING as MAX_DOCUMENT_BYTES_CEILING
from cleaner.options import InputOptions as InputOptions

#: Reject reason of a document larger than `[input] max_document_bytes`.
TOO_LARGE = "too_large"
#: Reject reason of an input that is a FIFO, a device or a socket (reading one could block).
NOT_A_REGULAR_FILE = "not_a_regular_file"
#: Characters of a rejected or dropped document's text kept in the rejects file.
EXCERPT_CHARS = 1000

_EXCERPT_BYTES = EXCERPT_CHARS * 4  # enough UTF-8 for EXCERPT_CHARS characters
#: Bytes read at a time past the limit (skipped lines, counted rest): the "one read buffer".
READ_CHUNK = 1 << 20


class Readable(Protocol):
    """A binary stream to read from (files, decompressors, WARC payload readers)."""

    def read(self, size: int, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Oversized:
    """What is kept of a document over the limit: its size (exact, or a lower bound when
    reading stopped early), the SHA-256 of the bytes streamed and its first bytes."""

    size: int
    exact: bool
    sha256: str
    head: bytes


def read_limited(stream: Readable, limit: int, *, count_rest: bool) -> bytes | Oversized:
    """The rest of `stream` if it holds at most `limit` bytes, else an `Oversized`.

    With `count_rest` the bytes past the limit are read, hashed and counted in chunks (the
    size is exact); without, reading stops at limit + 1 bytes (the size is a lower bound).
    """
    data = _read_exactly(stream, limit + 1)
    if len(data) <= limit:
        return data
    digest = hashlib.sha256(data)
    size = len(data)
    head = data[:_EXCERPT_BYTES]
    del data
    if count_rest:
        while chunk := stream.read(READ_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return Oversized(size=size, exact=count_rest, sha256=digest.hexdigest(), head=head)


def skip_line(stream: IO[bytes], start: bytes) -> tuple[Oversized, int]:
    """Stream the rest of a line whose first part `start` is already read, to its newline.

    Returns the line's `Oversized` (exact size, newline excluded) and the number of bytes
    consumed from the stream, newline included.
    """
    digest = hashlib.sha256(start)
    size = len(start)
    head = start[:_EXCERPT_BYTES]
    consumed = 0
    while chunk := stream.readline(READ_CHUNK):
        consumed += len(chunk)
        if chunk.endswith(b"\n"):
            chunk = chunk[:-1]
            digest.update(chunk)
            size += len(chunk)
            break
        digest.update(chunk)
        size += len(chunk)
    return Oversized(size=size, exact=True, sha256=digest.hexdigest(), head=head), consumed


def too_large(
    doc_id: str,
    source: str,
    over: Oversized,
    limit: int,
    *,
    line: int | None = None,
    offset: int | None = None,
) -> Reject:
    """The `too_large` reject of a document: its excerpt, size, hash and location."""
    bound = "" if over.exact else "at least "
    return Reject(
        id=doc_id,
        source=source,
        reason=TOO_LARGE,
        detail=f"{bound}{over.size} bytes > [input] max_document_bytes {limit}",
        raw=excerpt(over.head.decode("utf-8", errors="replace")),
        size=over.size,
        size_exact=over.exact,
        sha256=over.sha256,
        line=line,
        offset=offset,
    )


def excerpt(text: str) -> str:
    """The first `EXCERPT_CHARS` characters of `text`."""
    return text[:EXCERPT_CHARS]


def _read_exactly(stream: Readable, size: int) -> bytes:
    """Up to `size` bytes: fewer only at the end of the stream (short reads are retried)."""
    parts: list[bytes] = []
    wanted = size
    while wanted > 0:
        chunk = stream.read(wanted)
        if not chunk:
            break
        parts.append(chunk)
        wanted -= len(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)
