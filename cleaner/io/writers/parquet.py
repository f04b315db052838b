"""Documents -> one Parquet file: one row per Document.

pyarrow is an optional extra (`pip install 'cleaner[parquet]'`) and is imported only when a
Parquet file is written (`cleaner.optional`); without it, asking for a `.parquet` output is a
configuration error naming the install command. Column layout:

    id_field (string), text_field (string), <passthrough fields, first-seen order>, meta

- a passthrough field is a typed column (string, int64, float64 or bool) when its non-null
  values across the whole file are of that one type (int and float together give float64);
  otherwise (lists, objects, mixed types, integers beyond 64 bits) it is a string column of
  JSON texts. A document without the field has null there.
- `meta` is a string column holding the JSON object (`trace` included with `trace=True`),
  null when a document has no meta.
- the JSON columns are named in the schema metadata key `cleaner.json_columns` (a JSON list,
  `cleaner.io.records.JSON_COLUMNS_KEY`), which the reader (`cleaner.io.readers.parquet`)
  uses to decode them again, so JSONL -> Parquet -> JSONL keeps the values.

Choosing column types needs every row, so documents are first spooled as JSON lines to an
anonymous temporary file next to the output; on commit the spool is read twice (types, then
rows) and written in row groups of `ROW_GROUP_ROWS`, zstd-compressed. The output is atomic
(`AtomicFile`) and byte-identical for identical input with the same pyarrow version (Parquet
stores no timestamps; it does record the writer's version in `created_by`).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import IO, Any

import orjson

from cleaner.document import Document
from cleaner.io.atomic import AtomicFile
from cleaner.io.records import JSON_COLUMNS_KEY, document_record, dumps_line
from cleaner.io.writers.base import DocumentWriter
from cleaner.optional import PARQUET, require

#: Rows per row group when writing.
ROW_GROUP_ROWS = 10_000

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


class ParquetDocumentWriter(DocumentWriter):
    """Documents -> one atomically written, zstd-compressed Parquet file (layout above)."""

    def __init__(
        self, path: str, *, text_field: str = "text", id_field: str = "id", trace: bool = False
    ) -> None:
        self._writing = f"output {path}: writing Parquet"
        require(PARQUET, self._writing)  # a missing pyarrow is found before anything is read
        super().__init__(path)
        self.text_field = text_field
        self.id_field = id_field
        self.trace = trace
        self._atomic = AtomicFile(path)
        self._spool: IO[bytes] | None = None

    def _open(self) -> None:
        self._atomic.open()  # creates the parent directory, where the spool goes too
        parent = os.path.dirname(os.path.abspath(self.path))
        # closed by _commit/_discard, which outlive any one `with` block here
        self._spool = tempfile.TemporaryFile(dir=parent, prefix=".cleaner-spool-")  # noqa: SIM115

    def _write(self, doc: Document) -> None:
        assert self._spool is not None
        record = document_record(
            doc, text_field=self.text_field, id_field=self.id_field, trace=self.trace
        )
        self._spool.write(dumps_line(record))

    def _commit(self) -> None:
        try:
            self._write_parquet()
        except BaseException:
            self._discard()
            raise
        self._close_spool()
        self._atomic.commit()

    def _discard(self) -> None:
        self._close_spool()
        self._atomic.discard()

    def _close_spool(self) -> None:
        if self._spool is not None:
            self._spool.close()
            self._spool = None

    def _spooled(self) -> Iterator[dict[str, Any]]:
        assert self._spool is not None
        self._spool.seek(0)
        for line in self._spool:
            yield orjson.loads(line)

    def _write_parquet(self) -> None:
        pa = require(PARQUET, self._writing)
        pq = require(PARQUET, self._writing, "pyarrow.parquet")
        kinds: dict[str, set[str]] = {}
        for record in self._spooled():
            for key, value in record.items():
                if key not in (self.id_field, self.text_field, "meta"):
                    kinds.setdefault(key, set()).add(_kind(value))
        columns = [(key, _column_type(found)) for key, found in kinds.items()]
        json_names = [key for key, kind in columns if kind == "json"]
        arrow_types = {
            "string": pa.string(),
            "json": pa.string(),
            "int": pa.int64(),
            "float": pa.float64(),
            "bool": pa.bool_(),
        }
        schema = pa.schema(
            [
                pa.field(self.id_field, pa.string(), nullable=False),
                pa.field(self.text_field, pa.string()),
                *(pa.field(key, arrow_types[kind]) for key, kind in columns),
                pa.field("meta", pa.string()),
            ],
            metadata={JSON_COLUMNS_KEY: orjson.dumps([*json_names, "meta"])},
        )
        json_keys = set(json_names)
        handle = self._atomic.open()
        writer = pq.ParquetWriter(handle, schema, compression="zstd")
        try:
            group: list[dict[str, Any]] = []
            for record in self._spooled():
                group.append(_row(record, json_keys))
                if len(group) >= ROW_GROUP_ROWS:
                    writer.write_table(pa.Table.from_pylist(group, schema=schema))
                    group = []
            if group:
                writer.write_table(pa.Table.from_pylist(group, schema=schema))
        finally:
            writer.close()


def _kind(value: Any) -> str:
    """The column kind one JSON value asks for: "null", "string", "int", "float", "bool" or
    "json" (lists, objects, integers that do not fit int64)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int" if _INT64_MIN <= value <= _INT64_MAX else "json"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    return "json"


def _column_type(kinds: set[str]) -> str:
    """One column kind for all the values a field took in the file."""
    found = kinds - {"null"}
    if not found:
        return "string"
    if found == {"int", "float"}:
        return "float"
    if len(found) == 1 and "json" not in found:
        return next(iter(found))
    return "json"


def _row(record: dict[str, Any], json_keys: set[str]) -> dict[str, Any]:
    """A spooled JSON record -> the row for `Table.from_pylist` (JSON columns as texts)."""
    row: dict[str, Any] = {}
    for key, value in record.items():
        if value is not None and (key in json_keys or key == "meta"):
            row[key] = orjson.dumps(value).decode("utf-8")
        else:
            row[key] = value
    return row
