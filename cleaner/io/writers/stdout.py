"""JSONL on standard output, for `cleaner clean ... -o -` and pipes."""

from __future__ import annotations

import sys

from cleaner.document import Document
from cleaner.io.formats import STDIO
from cleaner.io.writers.base import DocumentWriter, StreamEncoder


class StdoutWriter(DocumentWriter):
    """JSONL on standard output (not atomic: a pipe cannot take back what it has sent)."""

    def __init__(self, encoder: StreamEncoder) -> None:
        super().__init__(STDIO)
        self._encoder = encoder

    def _open(self) -> None:
        pass

    @property
    def stream_encoder(self) -> StreamEncoder | None:
        return self._encoder if self._encoder.position_free else None

    def _write(self, doc: Document) -> None:
        self._write_bytes(self._encoder.encode(doc, self.count == 0))

    def _write_bytes(self, data: bytes) -> None:
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is not None:
            buffer.write(data)
        else:
            sys.stdout.write(data.decode("utf-8"))

    def _commit(self) -> None:
        sys.stdout.flush()

    def _discard(self) -> None:
        sys.stdout.flush()
