"""A stream format (JSONL, plain or compressed, or .txt) written into one file, atomically.

The file appears complete when the writer is closed without an error, and an error leaves the
previous output (or none) untouched (`cleaner.io.atomic.AtomicFile`). Compressed output is
byte-identical across runs (`cleaner.io.compression`: gzip mtime 0 and no file name; zstd
level 3, one thread).
"""

from __future__ import annotations

from typing import IO

from cleaner.document import Document
from cleaner.io.atomic import AtomicFile
from cleaner.io.compression import open_compressed
from cleaner.io.records import dumps_line, meta_record
from cleaner.io.writers.base import DocumentWriter, StreamEncoder


class FileWriter(DocumentWriter):
    """JSONL (plain, gzip, zstd) or .txt into one atomically written file; with `meta_path`,
    each document's `meta_record` line into that file too, committed just before the output."""

    def __init__(
        self,
        path: str,
        encoder: StreamEncoder,
        codec: str | None,
        meta_path: str | None = None,
        *,
        trace: bool = False,
    ) -> None:
        super().__init__(path)
        self._encoder = encoder
        self._trace = trace
        self._codec = codec
        self._atomic = AtomicFile(path)
        self._stream: IO[bytes] | None = None
        self._meta = AtomicFile(meta_path) if meta_path is not None else None
        self._meta_stream: IO[bytes] | None = None

    def _open(self) -> None:
        self._stream = open_compressed(self._atomic.open(), self._codec)
        if self._meta is not None:
            self._meta_stream = self._meta.open()

    @property
    def stream_encoder(self) -> StreamEncoder | None:
        if self._encoder.position_free and self._meta is None:
            return self._encoder
        return None

    def _write(self, doc: Document) -> None:
        self._write_bytes(self._encoder.encode(doc, self.count == 0))
        if self._meta_stream is not None:
            self._meta_stream.write(dumps_line(meta_record(doc, trace=self._trace)))

    def _write_bytes(self, data: bytes) -> None:
        assert self._stream is not None
        self._stream.write(data)

    def _commit(self) -> None:
        try:
            if self._stream is not None and self._codec is not None:
                self._stream.close()  # writes the compressed stream's trailer
            if self._meta is not None:
                self._meta.commit()
        except BaseException:
            self._discard()
            raise
        self._atomic.commit()

    def _discard(self) -> None:
        if self._meta is not None:
            self._meta.discard()
        self._atomic.discard()
