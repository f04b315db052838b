"""Input paths -> a lazy stream of Documents, with a Reject (and a reason) for every bad input.

    check_inputs(paths)                       # ConfigError for a missing path, before any read
    for item in iter_inputs(paths): ...       # Document | Reject, in a deterministic order

This module chooses the reader of each input (one module per format beside it) and walks
directories; the readers themselves know nothing of paths given on the command line.

What each input path becomes:

- a directory: every non-hidden file below it, sorted by relative path; a text file is one
  Document whose id is that relative path (POSIX separators); JSONL files found there are read
  as JSONL;
- a file named .jsonl / .ndjson (optionally .gz / .zst), or any file with `fmt="jsonl"`: one
  Document per non-blank line (see `cleaner.io.readers.jsonl`); a record without a text field
  but with an HTML field (`html_field`, default "html") becomes an HTML document;
- a file named .html / .htm / .xhtml (optionally .gz / .zst), or any file with `fmt="html"`:
  one HTML document (`meta["format"] = "html"`, decoded by its declared charset, see
  `cleaner.io.html_charset`); the `html` processor turns it into text;
- a file named .warc (optionally .gz / .zst), or any file with `fmt="warc"`: one HTML
  document per HTML response record (see `cleaner.io.readers.warc`);
- a file named .parquet, or any file with `fmt="parquet"`: one Document per row, streamed in
  record batches (see `cleaner.io.readers.parquet`; needs pyarrow,
  `pip install 'cleaner[parquet]'`);
- any other file: one Document whose id is the path as given;
- `-`: standard input, JSONL if its first non-blank character is `{`, an HTML document if it
  starts like a page (`<!doctype html`, `<html`), else one text document; its id is "stdin"
  (see `cleaner.io.readers.stdin`).

A file that is binary, empty (or only whitespace) or unreadable becomes a Reject with reason
`binary_file`, `empty_file` or `unreadable`; a FIFO, device or socket (in a directory or given
as an input) is never opened and becomes a `not_a_regular_file` reject; a document larger than
`[input] max_document_bytes` becomes a `too_large` reject while it is read (`cleaner.io.limits`).
Nothing raises once reading has started, so one bad file never stops a run. Text of unknown
encoding goes through `decode_bytes`, which records how it decoded in `meta["decoding"]`
(`cleaner.io.readers.text`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from cleaner.document import Document, Reject
from cleaner.errors import ConfigError
from cleaner.io.compression import CORRUPT_ARCHIVE_ERRORS, open_decompressed
from cleaner.io.formats import STDIO, check_input_format, compression_of, input_kind
from cleaner.io.limits import InputOptions, Oversized, read_limited, too_large
from cleaner.io.readers.base import CORRUPT_ARCHIVE, UNREADABLE, Fields, not_regular, unreadable
from cleaner.io.readers.html import html_document
from cleaner.io.readers.jsonl import iter_jsonl
from cleaner.io.readers.parquet import iter_parquet
from cleaner.io.readers.stdin import read_stdin
from cleaner.io.readers.text import text_document
from cleaner.io.readers.warc import iter_warc
from cleaner.io.walk import printable_name, special_kind, walk_files


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
    fields = Fields(text_field, id_field, html_field, limit)
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


def _iter_inputs(paths: list[str], *, fields: Fields, fmt: str) -> Iterator[Document | Reject]:
    for path in paths:
        if path == STDIO:
            yield from read_stdin(fields)
        elif os.path.isdir(path):
            for entry in walk_files(path):
                if entry.error:
                    name = entry.rel if entry.rel != "." else path
                    detail = f"cannot list or open: {entry.error}"
                    source = printable_name(entry.path)
                    yield Reject(id=name, source=source, reason=UNREADABLE, detail=detail)
                elif entry.special:
                    yield not_regular(entry.rel, printable_name(entry.path), entry.special)
                else:
                    yield from _read_file(entry.path, entry.rel, fields, fmt)
        else:
            special = special_kind(path)
            if special:
                yield not_regular(path, printable_name(path), special)
            else:
                yield from _read_file(path, printable_name(path), fields, fmt)


def _read_file(path: str, name: str, fields: Fields, fmt: str) -> Iterator[Document | Reject]:
    """One file: JSONL records, WARC records, Parquet rows, or a single text or HTML document.

    `name` is the id (or the id prefix of its records).
    """
    source = printable_name(path)  # what rejects and meta show; `path` is what is opened
    kind = input_kind(name, fmt)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed below, after streaming
    except OSError as exc:
        yield unreadable(name, source, exc)
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
            yield Reject(id=name, source=source, reason=CORRUPT_ARCHIVE, detail=detail)
            return
        except OSError as exc:
            yield unreadable(name, source, exc)
            return
    if isinstance(data, Oversized):
        yield too_large(name, source, data, fields.limit, offset=0)
    elif kind == "html":
        yield html_document(data, doc_id=name, source=source)
    else:
        yield text_document(data, doc_id=name, source=source)
