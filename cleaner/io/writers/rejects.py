"""The rejects file: one JSON line per dropped document or rejected input, with its reason.

Layouts of the lines in `cleaner.io.records` (`drop_record`, `reject_record`). The file is
written atomically (`cleaner.io.atomic.AtomicFile`), like the output.
"""

from __future__ import annotations

from collections import Counter
from types import TracebackType
from typing import IO

from cleaner.document import Drop, Reject
from cleaner.errors import ConfigError
from cleaner.io.atomic import AtomicFile
from cleaner.io.formats import STDIO
from cleaner.io.records import drop_record, dumps_line, reject_record


class RejectWriter:
    """The rejects file: one JSON line per dropped document or rejected input.

    Always created (an empty file says "nothing was rejected", where a missing one could mean
    the run never got that far). `counts` counts records by label (`filters.too_short`,
    `input.malformed_json`), for the run summary. With `path=None` (a pipe-mode run asked for
    no rejects file) the records are counted and not written anywhere.
    """

    def __init__(self, path: str | None, *, trace: bool = False) -> None:
        if path == STDIO:
            raise ConfigError("the rejects file needs a path, not '-'")
        self.path = path
        self.trace = trace
        self.counts: Counter[str] = Counter()
        self._atomic = AtomicFile(path) if path is not None else None
        self._handle: IO[bytes] | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def write_drop(self, drop: Drop) -> None:
        self._write(self.encode(drop, trace=self.trace))
        self.counts[drop.label] += 1

    def write_reject(self, reject: Reject) -> None:
        self._write(self.encode(reject))
        self.counts[reject.label] += 1

    @staticmethod
    def encode(item: Drop | Reject, *, trace: bool = False) -> bytes:
        """The line `write` writes for `item` (with `trace`: a Drop's edit trace too)."""
        if isinstance(item, Drop):
            return dumps_line(drop_record(item, trace=trace))
        return dumps_line(reject_record(item))

    def write_encoded(self, data: bytes, counts: Counter[str]) -> None:
        """Write lines made by `encode` elsewhere, concatenated; `counts` by label."""
        self._write(data)
        self.counts.update(counts)

    def write(self, item: Drop | Reject) -> None:
        """Either kind of record."""
        if isinstance(item, Drop):
            self.write_drop(item)
        else:
            self.write_reject(item)

    def close(self) -> None:
        if self._atomic is not None:
            self._atomic.commit()

    def abort(self) -> None:
        if self._atomic is not None:
            self._atomic.discard()

    def _write(self, data: bytes) -> None:
        if self._atomic is None:
            return
        if self._handle is None:
            self._handle = self._atomic.open()
        self._handle.write(data)

    def __enter__(self) -> RejectWriter:
        if self._atomic is not None:
            self._handle = self._atomic.open()
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
