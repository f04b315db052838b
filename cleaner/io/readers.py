"""Inputs -> a lazy stream of Documents, with a Reject (and a reason) for every bad input.

    check_inputs(paths)                       # ConfigError for a missing path, before any read
    for item in iter_inputs(paths): ...       # Document | Reject, in a deterministic order

What each input path becomes:

- a directory: every non-hidden file below it, sorted by relative path; a text file is one
  Document whose id is that relative path (POSIX separators); JSONL files found there are read
  as JSONL;
- a file named .jsonl / .ndjson (optionally .gz / .zst), or any file with `fmt="jsonl"`: one
  Document per non-blank line (see `cleaner.io.jsonl`); a record without a text field but with
  an HTML field (`html_field`, default "html") becomes an HTML document;
- a file named .html / .htm / .xhtml (optionally .gz / .zst), or any file with `fmt="html"`:
  one HTML document (`meta["format"] = "html"`, decoded by its declared charset, see
  `cleaner.io.html_charset`); the `html` processor turns it into text;
- a file named .warc (optionally .gz / .zst), or any file with `fmt="warc"`: one HTML
  document per HTML response record (see `cleaner.io.warc`);
- a file named .parquet, or any file with `fmt="parquet"`: one Document per row, streamed in
  record batches (see `cleaner.io.parquet`; needs pyarrow, `pip install 'cleaner[parquet]'`);
- any other file: one Document whose id is the path as given;
- `-`: standard input, JSONL if its first non-blank character is `{`, an HTML document if it
  starts like a page (`<!doctype html`, `<html`), else one text document; its id is "stdin".

A file that is binary, empty (or only whitespace) or unreadable becomes a Reject with reason
`binary_file`, `empty_file` or `unreadable`; a FIFO, device or socket (in a directory or given
as an input) is never opened and becomes a `not_a_regular_file` reject; a document larger than
`[input] max_document_bytes` becomes a `too_large` reject while it is read (`cleaner.io.limits`).
Nothing raises once reading has started, so one bad file never stops a run. Text of unknown
encoding goes through `decode_bytes`, which records how it decoded in `meta["decoding"]`.
"""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from cleaner.document import Document, Reject
from cleaner.errors import ConfigError
from cleaner.io.compression import CORRUPT_ARCHIVE_ERRORS, open_decompressed
from cleaner.io.decode import decode_bytes, sniff_bom, unusable_bytes
from cleaner.io.formats import STDIO, check_input_format, compression_of, input_kind
from cleaner.io.html_input import html_document
from cleaner.io.jsonl import iter_jsonl
from cleaner.io.limits import NOT_A_REGULAR_FILE, InputOptions, Oversized, read_limited, too_large
from cleaner.io.parquet import iter_parquet
from cleaner.io.walk import printable_name, special_kind, walk_files
from cleaner.io.warc import iter_warc

STDIN_ID = "stdin"
_SNIFF_CHUNK = 1 << 16


def check_inputs(paths: Sequence[str]) -> None:
    """Raise `ConfigError("input not found: PATH")` for the first path that does not exist.

    Called before anything is read, so a typo in the last of ten inputs fails at once instead of
    after the first nine have been processed.
    """
    for path in paths:
        if path != STDIO and not os.path.exists(path):
            raise ConfigError(f"input not found: {path}")


def iter_inputs(
    paths: Sequence[str],
    *,
    text_field: str = InputOptions.text_field,
    id_field: str = InputOptions.id_field,
    fmt: str = InputOptions.format,
    html_field: str = InputOptions.html_field,
    options: InputOptions | None = None,
) -> Iterator[Document | Reject]:
    """Lazily yield a Document or a Reject for every input document, in a deterministic order.

    `fmt` is "auto" (by file name), or "jsonl", "html", "warc", "parquet", "text" for every
    file. Paths and `fmt` are validated now, when this is called; files are read only as the
    result is iterated, and JSONL, WARC and Parquet are streamed record by record. `options`
    holds the size limit (`cleaner.io.limits`).
    """
    check_input_format(fmt)
    check_inputs(paths)
    limit = (options or InputOptions()).max_document_bytes
    fields = _Fields(text_field, id_field, html_field, limit)
    return _iter_inputs(list(paths), fields=fields, fmt=fmt)


def read_inputs(
    paths: Sequence[str], input_config: Mapping[str, Any]
) -> Iterator[Document | Reject]:
    """`iter_inputs` with the field names and format of a config's `[input]` table, so that
    every command (clean, explain, compare) reads its inputs the same way."""
    options = InputOptions.from_config(input_config)
    return iter_inputs(
        paths,
        text_field=options.text_field,
        id_field=options.id_field,
        fmt=options.format,
        html_field=options.html_field,
        options=options,
    )


def count_hint(paths: Sequence[str], *, fmt: str = "auto") -> int | None:
    """A cheap total for a progress bar: the number of documents if every input is one document
    per file (files and directories of text and HTML files), else None (JSONL, WARC, Parquet,
    stdin)."""
    total = 0
    for path in paths:
        if path == STDIO:
            return None
        names = [entry.rel for entry in walk_files(path)] if os.path.isdir(path) else [path]
        for name in names:
            if input_kind(name, fmt) in ("jsonl", "warc", "parquet"):
                return None
            total += 1
    return total


# -- implementation ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Fields:
    """The JSONL field names a run reads, and the size limit of one document."""

    text: str
    id: str
    html: str
    limit: int


def _iter_inputs(paths: list[str], *, fields: _Fields, fmt: str) -> Iterator[Document | Reject]:
    for path in paths:
        if path == STDIO:
            yield from _read_stdin(fields)
        elif os.path.isdir(path):
            for entry in walk_files(path):
                if entry.error:
                    name = entry.rel if entry.rel != "." else path
                    detail = f"cannot list or open: {entry.error}"
                    source = printable_name(entry.path)
                    yield Reject(id=name, source=source, reason="unreadable", detail=detail)
                elif entry.special:
                    yield _not_regular(entry.rel, printable_name(entry.path), entry.special)
                else:
                    yield from _read_file(entry.path, entry.rel, fields, fmt)
        else:
            special = special_kind(path)
            if special:
                yield _not_regular(path, printable_name(path), special)
            else:
                yield from _read_file(path, printable_name(path), fields, fmt)


def _read_file(path: str, name: str, fields: _Fields, fmt: str) -> Iterator[Document | Reject]:
    """One file: JSONL records, WARC records, Parquet rows, or a single text or HTML document.

    `name` is the id (or the id prefix of its records).
    """
    source = printable_name(path)  # what rejects and meta show; `path` is what is opened
    kind = input_kind(name, fmt)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as exc:
        yield _unreadable(name, source, exc)
        return
    with handle:
        if kind == "jsonl":
            stream = open_decompressed(handle, compression_of(name))
            yield from iter_jsonl(
                stream,
                name=name,
                source=source,
                text_field=fields.text,
                id_field=fields.id,
                html_field=fields.html,
                max_bytes=fields.limit,
            )
            return
        if kind == "warc":
            yield from iter_warc(handle, name=name, source=source, max_bytes=fields.limit)
            return
        if kind == "parquet":
            yield from iter_parquet(
                handle,
                name=name,
                source=source,
                text_field=fields.text,
                id_field=fields.id,
                html_field=fields.html,
                max_bytes=fields.limit,
            )
            return
        try:
            codec = compression_of(name) if kind == "html" else None
            # A compressed page stops at the limit (a bomb is not expanded further); a plain
            # file is counted to its end, so its size is exact.
            data = read_limited(
                open_decompressed(handle, codec), fields.limit, count_rest=codec is None
            )
        except CORRUPT_ARCHIVE_ERRORS as exc:
            detail = f"{type(exc).__name__}: {exc}"
            yield Reject(id=name, source=source, reason="corrupt_archive", detail=detail)
            return
        except OSError as exc:
            yield _unreadable(name, source, exc)
            return
    if isinstance(data, Oversized):
        yield too_large(name, source, data, fields.limit, offset=0)
    elif kind == "html":
        yield html_document(data, doc_id=name, source=source)
    else:
        yield text_document(data, doc_id=name, source=source)


def text_document(data: bytes, *, doc_id: str, source: str) -> Document | Reject:
    """The bytes of a whole file -> one Document, or a Reject if they are not usable text."""
    problem = unusable_bytes(data)
    if problem is not None:
        return Reject(id=doc_id, source=source, reason=problem[0], detail=problem[1])
    text, decoding = decode_bytes(data)
    if not text.strip():
        detail = f"only whitespace after decoding ({len(data)} bytes)"
        return Reject(id=doc_id, source=source, reason="empty_file", detail=detail)
    meta: dict[str, Any] = {"source": source}
    if decoding:
        meta["decoding"] = decoding
    return Document(id=doc_id, text=text, meta=meta)


def _not_regular(name: str, path: str, kind: str) -> Reject:
    """A FIFO, device or socket: never opened (a FIFO would block until a writer comes)."""
    detail = f"{kind}, not a regular file: not read"
    return Reject(id=name, source=path, reason=NOT_A_REGULAR_FILE, detail=detail)


def _unreadable(name: str, path: str, exc: OSError) -> Reject:
    detail = f"{type(exc).__name__}: {exc.strerror or exc}"
    return Reject(id=name, source=path, reason="unreadable", detail=detail)


# -- standard input ----------------------------------------------------------------------------


def _read_stdin(fields: _Fields) -> Iterator[Document | Reject]:
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
