"""What every document writer is: `write(doc)`, `count`, commit on a clean exit, nothing left
behind on an error; and the encoder of the stream formats, whose output is one block of bytes
per document.

The writers of each format (`file`, `stdout`, `directory`, `parquet`) build on
`DocumentWriter`; `cleaner.io.writers.outputs.open_writer` chooses one by output name.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from types import TracebackType
from typing import ClassVar

from cleaner.document import Document


class DocumentWriter:
    """Base of the output writers: `write(doc)`, `count`, commit on clean exit.

    Subclasses implement `_open`, `_write`, `_commit` and `_discard`. Nothing is created before
    the writer is entered (or first written to), so a writer that is never used leaves no
    temporary file behind.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        self._opened = False
        self._closed = False

    def write(self, doc: Document) -> None:
        if self._closed:
            raise ValueError(f"{self.path}: writer is closed")
        self._ensure_open()
        self._write(doc)
        self.count += 1

    @property
    def stream_encoder(self) -> StreamEncoder | None:
        """For outputs whose bytes are the concatenation of one encoded record per document
        (JSONL, compressed or not): the encoder, so that records can be encoded elsewhere (in
        worker processes) and handed to `write_encoded`. None for every other format."""
        return None

    def write_encoded(self, data: bytes, count: int) -> None:
        """Write `count` documents already encoded by `stream_encoder`, concatenated."""
        if self._closed:
            raise ValueError(f"{self.path}: writer is closed")
        if self.stream_encoder is None:
            raise ValueError(f"{self.path}: this format takes documents, not encoded records")
        self._ensure_open()
        self._write_bytes(data)
        self.count += count

    def close(self) -> None:
        """Finish the output and make it visible (an empty output if nothing was written)."""
        if self._closed:
            return
        self._ensure_open()
        self._closed = True
        self._commit()

    def abort(self) -> None:
        """Drop everything written; a previous output at `path` stays as it was."""
        if self._closed:
            return
        self._closed = True
        if self._opened:
            self._discard()

    def __enter__(self) -> DocumentWriter:
        self._ensure_open()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()

    def _ensure_open(self) -> None:
        if not self._opened:
            self._opened = True
            self._open()

    # -- for subclasses -----------------------------------------------------------------------

    def _open(self) -> None:
        raise NotImplementedError

    def _write(self, doc: Document) -> None:
        raise NotImplementedError

    def _write_bytes(self, data: bytes) -> None:
        raise NotImplementedError

    def _commit(self) -> None:
        raise NotImplementedError

    def _discard(self) -> None:
        raise NotImplementedError


class StreamEncoder(ABC):
    """Document -> its block of bytes in a stream format (JSONL, .txt), the output being the
    blocks concatenated. Picklable, so that blocks can be encoded in worker processes."""

    #: True when a block does not depend on where it lands in the output (JSONL: one line per
    #: document), so blocks encoded elsewhere can be written in order as they come.
    position_free: ClassVar[bool] = False

    @abstractmethod
    def encode(self, doc: Document, first: bool) -> bytes:
        """The bytes of `doc`; `first` tells the first document of the output."""
