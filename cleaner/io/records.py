"""Documents, drops and input rejects as JSON lines: the layouts of the output and rejects files.

Output record (JSONL):
    {ID_FIELD: id, TEXT_FIELD: text, <other input fields, in input order>, "meta": {...}}
`meta` is omitted when empty; with `trace=True` it carries `"trace": [edit, ...]`.

Rejects record for a document a processor dropped:
    {"id", "stage": processor, "reason", "detail", "text", "fields": {...}, "meta": {...}}
and for an input that never became a document:
    {"id", "stage": "input", "reason", "detail", "source", "raw"}
plus, when known, "size", "size_is_minimum", "sha256", "line" and "offset" (see
`reject_record`). Neither holds more than `EXCERPT_CHARS` characters of a document's text:
a longer dropped text is cut, with "text_truncated", "size" and "sha256" of the whole.

Serialisation never fails on odd values: mappings that are not dicts, sets, bytes, non-string
keys, integers beyond 64 bits, lone surrogates and unknown objects are written in a readable
JSON form instead of stopping a run on its millionth document.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

import orjson

from cleaner.document import Document, Drop, Edit, Reject
from cleaner.io.limits import EXCERPT_CHARS, excerpt

#: The rejects file's "stage" of an input that never became a document (`Reject`), and the
#: `Drop.processor` that `Pipeline.run` gives such an item.
INPUT_STAGE = "input"
#: Reject reason of a record (JSONL line, Parquet row, a mapping given to `Pipeline.run`) with no
#: string text field.
MISSING_TEXT_FIELD = "missing_text_field"
#: Reject reason of an input item that is not a record at all (a JSON array or number on a JSONL
#: line, an int given to `Pipeline.run`).
NOT_AN_OBJECT = "not_an_object"
#: Parquet schema metadata key listing the columns that hold JSON texts: written by the Parquet
#: writer, read back by the Parquet reader, so JSONL -> Parquet -> JSONL keeps the values.
JSON_COLUMNS_KEY = b"cleaner.json_columns"

_OPTIONS = orjson.OPT_APPEND_NEWLINE | orjson.OPT_NON_STR_KEYS
_MAX_DEPTH = 200
_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1
_SURROGATE = re.compile("[\ud800-\udfff]")


def encode_text(text: str) -> bytes:
    """UTF-8 bytes of `text`; lone surrogates (not encodable) become U+FFFD."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def document_record(
    doc: Document, *, text_field: str = "text", id_field: str = "id", trace: bool = False
) -> dict[str, Any]:
    """The output record of a kept document."""
    record: dict[str, Any] = {id_field: doc.id, text_field: doc.text}
    meta = _meta(doc, trace)
    for key, value in doc.fields.items():
        if key in record or (meta and key == "meta"):
            continue  # the document's own id/text/meta win over a stale passthrough copy
        record[key] = value
    if meta:
        record["meta"] = meta
    return record


def record_document(
    record: Mapping[str, Any],
    *,
    text: str,
    body_field: str,
    id_field: str,
    fallback_id: str,
) -> Document:
    """One input record (a JSONL object, a Parquet row) -> a Document: the reverse of
    `document_record`.

    The id comes from `id_field` (`fallback_id`, the record's place in its file, when that is
    missing or empty); a mapping under "meta" becomes the meta; every other field except
    `body_field` (where `text` came from) is kept, in order, to be written back.
    """
    raw_id = record.get(id_field)
    doc_id = fallback_id if raw_id is None or raw_id == "" else id_string(raw_id)
    meta_value = meta_mapping(record.get("meta"))
    skip = {body_field, id_field} | ({"meta"} if meta_value is not None else set())
    fields = {key: value for key, value in record.items() if key not in skip}
    meta = dict(meta_value) if meta_value is not None else {}
    return Document(id=doc_id, text=text, meta=meta, fields=fields)


def id_string(value: Any) -> str:
    """Ids are strings in a Document; numbers keep their JSON spelling (7, not 7.0 or '07')."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return orjson.dumps(value).decode("utf-8")
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return dumps_line(value).decode("utf-8").rstrip("\n")


def meta_mapping(value: Any) -> dict[str, Any] | None:
    """A "meta" value usable as Document.meta: an object/struct (dict), or a Parquet map (a
    list of key/value pairs with string keys); None for anything else."""
    if isinstance(value, dict):
        return value
    if (
        isinstance(value, list)
        and value
        and all(
            isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str)
            for item in value
        )
    ):
        return dict(value)
    return None


def drop_record(drop: Drop, *, trace: bool = False) -> dict[str, Any]:
    """The rejects record of a document a processor dropped.

    "text" is the whole text up to `EXCERPT_CHARS` characters; a longer one is cut there and
    the record says so ("text_truncated") with the whole text's UTF-8 size and SHA-256.
    """
    doc = drop.document
    record: dict[str, Any] = {
        "id": doc.id,
        "stage": drop.processor,
        "reason": drop.reason,
        "detail": drop.detail,
        "text": excerpt(doc.text),
    }
    if len(doc.text) > EXCERPT_CHARS:
        data = encode_text(doc.text)
        record["text_truncated"] = True
        record["size"] = len(data)
        record["sha256"] = hashlib.sha256(data).hexdigest()
    if doc.fields:
        record["fields"] = dict(doc.fields)
    meta = _meta(doc, trace)
    if meta:
        record["meta"] = meta
    return record


def reject_record(reject: Reject) -> dict[str, Any]:
    """The rejects record of an input that never became a document.

    "raw" is an excerpt (at most `EXCERPT_CHARS` characters); "size" ("size_is_minimum" when
    reading stopped early), "sha256", "line" and "offset" appear when the reader knew them.
    """
    record: dict[str, Any] = {
        "id": reject.id,
        "stage": INPUT_STAGE,
        "reason": reject.reason,
        "detail": reject.detail,
        "source": reject.source,
        "raw": excerpt(reject.raw),
    }
    if reject.size is not None:
        record["size"] = reject.size
        if not reject.size_exact:
            record["size_is_minimum"] = True
    if reject.sha256:
        record["sha256"] = reject.sha256
    if reject.line is not None:
        record["line"] = reject.line
    if reject.offset is not None:
        record["offset"] = reject.offset
    return record


def dumps_line(record: Mapping[str, Any]) -> bytes:
    """One JSON line (newline included) for `record`; never raises on odd values."""
    try:
        return orjson.dumps(record, default=_default, option=_OPTIONS)
    except (orjson.JSONEncodeError, TypeError):
        return orjson.dumps(_plain(record, 0), default=_default, option=_OPTIONS)


def _meta(doc: Document, trace: bool) -> dict[str, Any]:
    meta = dict(doc.meta)
    if trace:
        meta["trace"] = [edit.to_dict() for edit in doc.trace]
    return meta


def _default(value: Any) -> Any:
    """orjson's hook for types it does not know."""
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, set | frozenset):
        return _sorted(value)
    if isinstance(value, Edit):
        return value.to_dict()
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    return str(value)


def _sorted(values: set[Any] | frozenset[Any]) -> list[Any]:
    """Sets have no order; sort them so that output is byte-identical across runs."""
    try:
        return sorted(values)
    except TypeError:
        return sorted(values, key=repr)


def _plain(value: Any, depth: int) -> Any:
    """A JSON-safe copy: big ints and keys as strings, lone surrogates replaced, depth bounded."""
    if depth > _MAX_DEPTH:
        return str(value)
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        return value if _INT64_MIN <= value <= _UINT64_MAX else str(value)
    if isinstance(value, Mapping):
        return {_key(key): _plain(item, depth + 1) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item, depth + 1) for item in value]
    if isinstance(value, set | frozenset):
        return [_plain(item, depth + 1) for item in _sorted(value)]
    return _plain(_default(value), depth + 1)


def _key(key: Any) -> str:
    return _SURROGATE.sub("\ufffd", key if isinstance(key, str) else str(key))


def meta_record(doc: Document, *, path: str | None = None, trace: bool = False) -> dict[str, Any]:
    """The line of a meta side file (beside `.txt` and directory output, which hold texts
    only) for a kept document: everything its JSONL record holds except the text.

        {"id": ..., "path": <file in the output directory>, "meta": {...}, "fields": {...}}

    `path` only for directory output; `meta` always (`{}` when empty); `fields` (the input's
    other fields, in input order) only when there are some. Nested under their own keys, so an
    input field named `path` or `meta` cannot clash with cleaner's keys.
    """
    record: dict[str, Any] = {"id": doc.id}
    if path is not None:
        record["path"] = path
    record["meta"] = _meta(doc, trace)
    if doc.fields:
        record["fields"] = dict(doc.fields)
    return record
