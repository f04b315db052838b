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


class Spool:
    """Append objects, then replay them in the same order (once or many times)."""

    def __init__(self, directory: str | None = None) -> None:
        # Closed by close() / __exit__; an unnamed temporary file vanishes even on a crash.
        self._file: IO[bytes] = tempfile.TemporaryFile(  # noqa: SIM115
            prefix="cleaner-spool-", dir=directory
        )
        self.count = 0

    def append(self, item: Any) -> None:
        # One self-contained pickle per item, length-prefixed: no memo grows across items.
        data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.write(len(data).to_bytes(8, "little"))
        self._file.write(data)
        self.count += 1

    def replay(self) -> Iterator[Any]:
        """Yield the items in the order they were appended."""
        self._file.flush()
        self._file.seek(0)
        for _ in range(self.count):
            size = int.from_bytes(self._file.read(8), "little")
            yield pickle.loads(self._file.read(size))

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
