"""Parquet files -> Documents: one Document (or one Reject) per row.

pyarrow is an optional extra (`pip install 'cleaner[parquet]'`) and is imported only when a
Parquet file is read (`cleaner.optional`), so JSONL-only installs never pay for it (or need it).

`iter_parquet`: the file is streamed in record batches of `READ_BATCH_ROWS` rows, turned into
Python values about `CONVERT_BYTES` at a time, so memory stays bounded by the row group size
whatever the file size; a row whose text or html value is longer than `[input]
max_document_bytes` is rejected as `too_large` without being converted. Each row becomes
exactly one item, like a JSONL line:

- the id comes from the `id_field` column; a missing column, null or "" gives `"<file>:<row>"`
  (1-based row number);
- the text comes from the `text_field` column; when that is missing, null or not a string, a
  string in the `html_field` column makes an HTML document (`meta["format"] = "html"`), as for
  JSONL; otherwise the row is a Reject `missing_text_field` (one per row, so counts add up);
- a `meta` column holding a struct or a map becomes `Document.meta` (as does a JSON-string
  `meta` column written by cleaner itself, `cleaner.io.writers.parquet`); every other column
  goes into `Document.fields`, in schema order;
- dates, times and timestamps become ISO 8601 strings and decimals exact decimal strings, so
  the JSONL writer and the multiprocessing pipeline only ever see plain values.

A file pyarrow cannot open or decode yields one `corrupt_archive` reject standing for the rows
not read, and the run goes on. Without pyarrow every Parquet file is one `missing_dependency`
reject (the same rule as WARC files without a WARC library).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
from collections.abc import Iterator
from typing import IO, Any

import orjson

from cleaner.document import Document, Reject
from cleaner.io.limits import EXCERPT_CHARS, InputOptions, Oversized, too_large
from cleaner.io.readers.base import CORRUPT_ARCHIVE, MISSING_DEPENDENCY
from cleaner.io.readers.html import HTML_FORMAT
from cleaner.io.records import JSON_COLUMNS_KEY, MISSING_TEXT_FIELD, dumps_line, record_document
from cleaner.optional import PARQUET, installed, missing_message, require

#: Rows per record batch when reading: bounds memory for files with huge row groups.
READ_BATCH_ROWS = 1024
#: Arrow bytes of a batch turned into Python values at a time: with long texts, a batch is
#: converted a few rows at a time rather than doubled in memory at once.
CONVERT_BYTES = 32 << 20
#: What a missing pyarrow stops, in its message.
_READING = "reading Parquet files"

_RAW_PREVIEW_CHARS = 200


def iter_parquet(
    stream: IO[bytes],
    *,
    name: str,
    source: str,
    text_field: str = "text",
    id_field: str = "id",
    html_field: str = "html",
    max_bytes: int = InputOptions.max_document_bytes,
) -> Iterator[Document | Reject]:
    """Documents and rejects for the rows of the Parquet file open (seekable) as `stream`.

    `name` prefixes generated ids (`name:row`); `source` is the path recorded in rejects. A
    row whose text or html value is longer than `max_bytes` (UTF-8) is rejected as
    `too_large` without being turned into Python values.
    """
    if installed(PARQUET) is None:
        detail = missing_message(PARQUET, _READING)
        yield Reject(id=name, source=source, reason=MISSING_DEPENDENCY, detail=detail)
        return
    pa = require(PARQUET, _READING)
    pq = require(PARQUET, _READING, "pyarrow.parquet")
    row_no = 0
    try:
        parquet_file = pq.ParquetFile(stream)
        json_columns = _json_columns(parquet_file.schema_arrow.metadata)
        for batch in parquet_file.iter_batches(batch_size=READ_BATCH_ROWS):
            big = _oversized_rows(batch, (text_field, html_field), max_bytes)
            if big:  # convert only the rows kept: a huge value never becomes a Python str
                batch = batch.filter(pa.array([i not in big for i in range(batch.num_rows)]))
            rows = _python_rows(batch)
            for index in range(batch.num_rows + len(big)):
                row_no += 1
                if index in big:
                    yield too_large(f"{name}:{row_no}", source, big[index], max_bytes)
                    continue
                row = next(rows)
                yield _row_item(
                    row,
                    location=f"{name}:{row_no}",
                    source=source,
                    json_columns=json_columns,
                    text_field=text_field,
                    id_field=id_field,
                    html_field=html_field,
                )
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, ... for damaged files
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        yield Reject(
            id=f"{name}:{row_no + 1}",
            source=source,
            reason=CORRUPT_ARCHIVE,
            detail=f"{type(exc).__name__}: {message or 'unreadable Parquet data'}; "
            f"rows from {row_no + 1} on could not be read",
        )


def _python_rows(batch: Any) -> Iterator[dict[str, Any]]:
    """The rows of `batch` as dicts, converted in slices of about `CONVERT_BYTES`."""
    if batch.num_rows == 0:
        return
    step = max(1, CONVERT_BYTES // max(1, batch.nbytes // batch.num_rows))
    for start in range(0, batch.num_rows, step):
        yield from batch.slice(start, step).to_pylist()


def _oversized_rows(batch: Any, columns: tuple[str, ...], limit: int) -> dict[int, Oversized]:
    """The rows of `batch` whose value in one of `columns` (strings) is over `limit` bytes."""
    pc = require(PARQUET, _READING, "pyarrow.compute")
    types = require(PARQUET, _READING, "pyarrow.types")
    big: dict[int, Oversized] = {}
    for column in columns:
        if not column or column not in batch.schema.names:
            continue
        values = batch.column(column)
        if not (types.is_string(values.type) or types.is_large_string(values.type)):
            continue
        lengths = pc.binary_length(values).to_pylist()
        for index, length in enumerate(lengths):
            if length is not None and length > limit and index not in big:
                data = values[index].as_buffer()
                head = bytes(data[: EXCERPT_CHARS * 4])
                digest = hashlib.sha256(memoryview(data)).hexdigest()
                big[index] = Oversized(size=length, exact=True, sha256=digest, head=head)
    return big


def _json_columns(metadata: dict[bytes, bytes] | None) -> frozenset[str]:
    """The column names cleaner's writer stored as JSON texts (none for other files)."""
    raw = (metadata or {}).get(JSON_COLUMNS_KEY)
    if not raw:
        return frozenset()
    try:
        names = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return frozenset()
    return frozenset(str(item) for item in names) if isinstance(names, list) else frozenset()


def _row_item(
    row: dict[str, Any],
    *,
    location: str,
    source: str,
    json_columns: frozenset[str],
    text_field: str,
    id_field: str,
    html_field: str,
) -> Document | Reject:
    """One row (column -> Python value) -> a Document or a Reject."""
    values = {
        key: _plain(_decode_json(value) if key in json_columns else value, 0)
        for key, value in row.items()
    }
    text = values.get(text_field)
    body_field = text_field
    is_html = False
    if not isinstance(text, str):
        html = values.get(html_field) if html_field else None
        if not isinstance(html, str):
            return Reject(
                id=location,
                source=source,
                reason=MISSING_TEXT_FIELD,
                detail=_missing_detail(values, text_field),
                raw=dumps_line(values).decode("utf-8").rstrip("\n")[:_RAW_PREVIEW_CHARS],
            )
        text, body_field, is_html = html, html_field, True
    doc = record_document(
        values, text=text, body_field=body_field, id_field=id_field, fallback_id=location
    )
    return doc.with_meta(format=HTML_FORMAT) if is_html else doc


def _decode_json(value: Any) -> Any:
    """A JSON text from a `cleaner.json_columns` column -> its value (left alone if not JSON)."""
    if not isinstance(value, str):
        return value
    try:
        return orjson.loads(value)
    except orjson.JSONDecodeError:
        return value


def _plain(value: Any, depth: int) -> Any:
    """Arrow's Python values -> JSON-friendly ones: ISO 8601 strings for dates, times and
    timestamps, exact strings for decimals, seconds (a float) for durations; bytes stay bytes
    (both writers know how to write them)."""
    if value is None or isinstance(value, str | bool | int | float | bytes):
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if depth > 100:
        return str(value)
    if isinstance(value, dict):
        return {key: _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_plain(item, depth + 1) for item in value)
    return str(value)


def _missing_detail(row: dict[str, Any], text_field: str) -> str:
    columns = ", ".join(list(row)[:20]) or "none"
    if text_field not in row:
        return f"no column {text_field!r}; columns present: {columns}"
    value = row[text_field]
    kind = "null" if value is None else type(value).__name__
    return f"column {text_field!r} is {kind}, not a string; columns present: {columns}"
