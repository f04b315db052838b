"""What the runner runs: processors (one document at a time) and whole-corpus stages.

A `Processor` is a name and a pure `process(doc) -> Document | Drop`. Streaming, batching and
parallelism belong to the runner (`cleaner.run`), never to processors. A processor that must
see documents in input order in one place sets `sequential = True`; the runner then runs it in
one process, in input order, with a fresh instance per run (`fresh()`), so its state belongs
to one run.

A `GlobalStage` decides about each document from every document of the run (exact and near
de-duplication, a keep-the-longest-per-title rule). It speaks in three steps, each where the
runner can do it best:

1. `sign(docs)`, in the map, in any worker process: what the stage needs of a shard's
   documents (a digest, sketches, a title and a length), as one picklable object per shard,
   written beside the shard's results;
2. `decide(shards, tasks)`, in the reduce, in one process: every shard's signatures in input
   order (`Signed`), never a text; returns the decisions (`Decided`), cut per shard;
3. `apply(decisions, position, doc)`, when a shard is finished, in any process: the document
   as it leaves the stage, from its shard's decisions.

A processor takes part as a global stage by returning one from `global_stage()`; its
`process` is then what `Pipeline.process` runs on a single document, if anything. The runner
finds stages through `global_stage_of` only: it never imports a stage, reads its options or
tests its class, so a stage written outside this package runs sharded, resumable and on Ray
like the built-in ones.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol, TypeVar, runtime_checkable

import numpy as np
import numpy.typing as npt

from cleaner.document import Document, Drop
from cleaner.trace import record_step

I64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

#: The stage name of the pipeline's empty-text policy in a Drop (`Chain.finish`).
EMPTY_STAGE = "pipeline"
#: The reason of that Drop.
EMPTY_REASON = "empty"
#: The reason of the Drop a processor or stage that raised on one document gives it.
ERROR_REASON = "error"


@runtime_checkable
class Processor(Protocol):
    """Maps a document to a new document or to a drop with a reason."""

    name: ClassVar[str]
    sequential: ClassVar[bool]

    def process(self, doc: Document) -> Document | Drop: ...


class TaskMap(Protocol):
    """Maps `function(state, task)` over `tasks`, yielding the results in task order.

    `state` is what every call shares (sent to each worker once, not with every task); the
    runner provides the implementation (worker processes or this one), so a stage never
    owns a pool of its own. `function` must be a module-level function (picklable by name).
    """

    def __call__(
        self, function: Callable[[S, T], R], state: S, tasks: Iterable[T]
    ) -> Iterator[R]: ...


def serial_map(function: Callable[[S, T], R], state: S, tasks: Iterable[T]) -> Iterator[R]:
    """A `TaskMap` that runs every task here, in order."""
    for task in tasks:
        yield function(state, task)


@dataclass(frozen=True)
class Signed:
    """One shard's signatures as `GlobalStage.decide` sees them.

    `signatures` is what `sign` returned for the shard's documents (every one of them, in
    shard order); `positions` (global input positions, increasing) and `ids` are those
    documents'; `alive` says which of them reach this stage (not dropped by an earlier stage,
    nor by the empty-text policy when the stage does not see blank documents). A stage decides
    about the alive documents only; `base` is the global position of the shard's first item.
    """

    base: int
    positions: I64Array
    ids: list[str]
    alive: BoolArray
    signatures: Any

    def __len__(self) -> int:
        return len(self.ids)


class Decided(Protocol):
    """A stage's decisions over the whole run, cut per shard (shards numbered in input order)."""

    def for_shard(self, index: int) -> Any:
        """Shard `index`'s decisions: small, picklable, enough for `apply` in any process."""
        ...

    def kept(self, index: int) -> BoolArray:
        """Of shard `index`'s signed documents, those `apply` leaves in the output (a document
        that did not reach the stage may be either): what the next stage is shown."""
        ...


@runtime_checkable
class GlobalStage(Protocol):
    """A whole-corpus stage: sign in the map, decide in the reduce, apply when finishing.

    `name`: the stage's name in drops and errors; `sees_blank`: False when the pipeline's
    empty-text policy (`Chain.drop_empty`) must drop blank documents before the stage (near
    duplicates of nothing mean nothing); True when the stage sees them as they are.

    `apply` gets a shard's documents in input order, each with its global position; a stage
    may not change what a later stage of the same chain signs (the text): signatures are
    taken once, as the documents leave the map.
    """

    @property
    def name(self) -> str: ...

    @property
    def sees_blank(self) -> bool: ...

    def sign(self, docs: list[Document]) -> Any:
        """Map: what `decide` needs of these documents (a shard's, in order); picklable."""
        ...

    def decide(self, shards: Iterator[Signed], tasks: TaskMap) -> Decided:
        """Reduce: every shard's signatures in input order -> the decisions. `tasks` may
        spread heavy work over the run's workers."""
        ...

    def apply(self, decisions: Any, position: int, doc: Document) -> Document | Drop:
        """Finish: `doc` (at global `position`) as it leaves the stage, from its shard's
        `Decided.for_shard`."""
        ...


def global_stage_of(processor: Processor) -> GlobalStage | None:
    """The whole-corpus stage a processor takes part as (`processor.global_stage()`), if any."""
    make = getattr(processor, "global_stage", None)
    if not callable(make):
        return None
    stage = make()
    assert isinstance(stage, GlobalStage), f"{processor.name}.global_stage() is not a GlobalStage"
    return stage


def apply_chain(
    processors: Iterable[Processor], doc: Document, *, record_changes: bool = True
) -> Document | Drop:
    """Run `doc` through `processors` in order, stopping at the first drop.

    A processor that raises on one document turns it into a drop with reason "error" and the
    exception's message: one odd document must not end a run over millions, and it still lands
    in the rejects file where it can be found and reported. Each step that changes the text
    has its exact change recorded in the trace (`cleaner.trace.record_step`), so the trace
    replays; a run that writes no trace passes `record_changes=False` and skips that diff
    (the edits themselves, which the report counts, are kept either way).
    """
    current = doc
    for proc in processors:
        try:
            result = proc.process(current)
        except Exception as exc:
            return Drop(current, proc.name, ERROR_REASON, f"{type(exc).__name__}: {exc}")
        if isinstance(result, Drop):
            return result
        if record_changes and result.text is not current.text:
            result = record_step(proc.name, current, result)
        current = result
    return current


def guarded_apply(
    stage: GlobalStage, decisions: Any, position: int, doc: Document
) -> Document | Drop:
    """`stage.apply`, with the error policy of `apply_chain`."""
    try:
        return stage.apply(decisions, position, doc)
    except Exception as exc:
        return Drop(doc, stage.name, ERROR_REASON, f"{type(exc).__name__}: {exc}")


@dataclass(frozen=True)
class Chain:
    """Processors in order, and the pipeline-level empty-text policy applied after them."""

    processors: tuple[Processor, ...]
    drop_empty: bool = True
    #: Record each step's exact text change in the trace (`apply_chain`); off when no trace
    #: is written, where the diff would be computed for nothing.
    record_changes: bool = True

    def finish(self, result: Document | Drop) -> Document | Drop:
        """The empty-text policy: a kept document with no text left is dropped."""
        if isinstance(result, Document) and self.drop_empty and not result.text.strip():
            return Drop(result, EMPTY_STAGE, EMPTY_REASON, "no text left after cleaning")
        return result

    def through(self, doc: Document) -> Document | Drop:
        """`doc` through every processor (`apply_chain`), without the empty-text policy."""
        return apply_chain(self.processors, doc, record_changes=self.record_changes)

    def apply(self, doc: Document) -> Document | Drop:
        """`doc` through every processor, then the empty-text policy."""
        return self.finish(self.through(doc))

    def part(self, start: int, stop: int | None = None) -> Chain:
        """The processors ``[start:stop]`` as a chain with this one's settings."""
        return dataclasses.replace(self, processors=self.processors[start:stop])

    @property
    def is_parallel(self) -> bool:
        """True when every processor is a pure per-document function (any process, any
        order): no sequential processor and no global stage."""
        return not any(runs_in_order(p) for p in self.processors)

    def fresh(self) -> Chain:
        """The same chain with new instances of its sequential processors (state per run)."""
        return dataclasses.replace(self, processors=tuple(_fresh(p) for p in self.processors))


def runs_in_order(processor: Processor) -> bool:
    """True for a sequential processor or a global stage: it needs the documents in input
    order, in one place."""
    return bool(getattr(processor, "sequential", False)) or callable(
        getattr(processor, "global_stage", None)
    )


def _fresh(processor: Processor) -> Processor:
    if not getattr(processor, "sequential", False):
        return processor
    fresh = getattr(processor, "fresh", None)
    return fresh() if callable(fresh) else processor
