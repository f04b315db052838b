"""The processor protocol: a name and a pure `process(doc) -> Document | Drop` function.

Streaming, batching and parallelism belong to the runner, never to processors. A processor that
needs to see documents in input order in one place (exact de-duplication keeps an index of the
hashes it has seen) sets `sequential = True`; the pipeline runs those in the parent process, in
input order, after the parallel part. Such processors get a fresh instance for every run, so an
index is owned by a run and never shared between runs.
"""

from __future__ import annotations

from typing import Any, ClassVar, Protocol, runtime_checkable

from cleaner.document import Document, Drop


@runtime_checkable
class Processor(Protocol):
    """Maps a document to a new document or to a drop with a reason."""

    name: ClassVar[str]
    sequential: ClassVar[bool]

    def process(self, doc: Document) -> Document | Drop: ...


class ProcessorBase:
    """Convenience base: default `sequential = False` and a readable repr."""

    name: ClassVar[str] = ""
    sequential: ClassVar[bool] = False
    options: Any

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options!r})"
