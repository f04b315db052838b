"""The JSONL output format: one JSON record per line (layout in `cleaner.io.records`).

Written to a file (plain, gzip or zstd: `cleaner.io.writers.file`) or to standard output
(`cleaner.io.writers.stdout`). Each line stands alone, so lines can be encoded in worker
processes and concatenated in order.
"""

from __future__ import annotations

from typing import ClassVar

from cleaner.document import Document
from cleaner.io.records import document_record, dumps_line
from cleaner.io.writers.base import StreamEncoder


class JsonlEncoder(StreamEncoder):
    """Document -> one JSON line: id and text under the run's field names, the input's other
    fields, then meta (with the edit trace when `trace`)."""

    position_free: ClassVar[bool] = True

    def __init__(self, *, text_field: str, id_field: str, trace: bool) -> None:
        self.text_field = text_field
        self.id_field = id_field
        self.trace = trace

    def encode(self, doc: Document, first: bool) -> bytes:
        record = document_record(
            doc, text_field=self.text_field, id_field=self.id_field, trace=self.trace
        )
        return dumps_line(record)
