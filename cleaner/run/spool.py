"""A temporary, append-then-replay store of results between the two passes of a barrier.

Results are pickled one after another into an unnamed temporary file: memory stays flat
whatever the input size, and the file disappears when the spool is closed (or the process
dies), so nothing is left behind.
"""

from __future__ import annotations

import pickle
import tempfile
from collections.abc import Iterator
from types import TracebackType
from typing import IO, Any


def write_record(fh: IO[bytes], item: Any) -> None:
    """Append `item` as one self-contained, length-prefixed pickle: no pickle memo grows
    across items, and a reader can stream the file record by record."""
    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(len(data).to_bytes(8, "little"))
    fh.write(data)


def read_records(fh: IO[bytes]) -> Iterator[Any]:
    """The records `write_record` wrote, from the current position to the end of the file."""
    while header := fh.read(8):
        yield pickle.loads(fh.read(int.from_bytes(header, "little")))


class Spool:
    """Append objects, then replay them in the same order (once or many times)."""

    def __init__(self, directory: str | None = None) -> None:
        # Closed by close() / __exit__; an unnamed temporary file vanishes even on a crash.
        self._file: IO[bytes] = tempfile.TemporaryFile(  # noqa: SIM115
            prefix="cleaner-spool-", dir=directory
        )
        self.count = 0

    def append(self, item: Any) -> None:
        write_record(self._file, item)
        self.count += 1

    def replay(self) -> Iterator[Any]:
        """Yield the items in the order they were appended."""
        self._file.flush()
        self._file.seek(0)
        yield from read_records(self._file)

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
