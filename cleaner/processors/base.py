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


class BarrierRun(Protocol):
    """The per-run state of a barrier processor (see `Barrier`)."""

    def observe(self, position: int, doc: Document) -> None:
        """Pass 1: see every surviving document, in input order."""

    def finish(self) -> None:
        """Between the passes: decide, now that every document has been seen."""

    def apply(self, position: int, doc: Document) -> Document | Drop:
        """Pass 2: annotate (or drop) the document observed at `position`."""
        ...


@runtime_checkable
class Barrier(Protocol):
    """A processor whose decision about one document depends on every other document.

    Near-duplicate clustering cannot say which copy represents a cluster until it has seen
    them all. The runner therefore runs the chain up to a barrier over the whole input,
    spooling results to a temporary file and showing each document to `observe`; calls
    `finish`; then replays the spool through `apply` and the rest of the chain. Memory is the
    barrier's own compact index, never the texts.
    """

    name: ClassVar[str]
    sequential: ClassVar[bool]
    barrier: ClassVar[bool]

    def start(self) -> BarrierRun:
        """A fresh per-run state: the index belongs to one run only."""
        ...

    def process(self, doc: Document) -> Document | Drop: ...
