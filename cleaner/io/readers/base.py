"""What every reader shares: the fields and size limit of a read, and the rejects for an input
that cannot be read at all.

The format readers (`text`, `html`, `jsonl`, `warc`, `parquet`, `stdin`) each turn one input
into Documents and Rejects; `inputs` chooses the reader for each path. A reader never raises
once reading has started: a file it cannot read becomes a Reject with one of these reasons.
"""

from __future__ import annotations

from dataclasses import dataclass

from cleaner.document import Reject
from cleaner.io.limits import NOT_A_REGULAR_FILE

#: Reject reason: the format needs an optional library that is not installed.
MISSING_DEPENDENCY = "missing_dependency"
#: Reject reason: the file could not be opened or read.
UNREADABLE = "unreadable"
#: Reject reason: a compressed stream or archive is damaged; what follows it cannot be read.
CORRUPT_ARCHIVE = "corrupt_archive"


@dataclass(frozen=True, slots=True)
class Fields:
    """The record field names a run reads (`[input] text_field`, `id_field`, `html_field`),
    and the size limit of one document (`[input] max_document_bytes`)."""

    text: str
    id: str
    html: str
    limit: int


def not_regular(name: str, path: str, kind: str) -> Reject:
    """A FIFO, device or socket: never opened (a FIFO would block until a writer comes)."""
    detail = f"{kind}, not a regular file: not read"
    return Reject(id=name, source=path, reason=NOT_A_REGULAR_FILE, detail=detail)


def unreadable(name: str, path: str, exc: OSError) -> Reject:
    """A file that could not be opened or read."""
    detail = f"{type(exc).__name__}: {exc.strerror or exc}"
    return Reject(id=name, source=path, reason=UNREADABLE, detail=detail)
