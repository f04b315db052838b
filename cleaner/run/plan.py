"""How a chain runs as map -> reduce -> finish, found from the chain alone.

A `Plan` cuts a `Chain` in three: the `prefix` (pure per-document processors before the first
one that must run in order), run in the map workers; the whole-corpus `stages` that follow it
(`cleaner.stage.GlobalStage`, found through `global_stage_of`, several in a row decided one
after the other from the same map); and the `rest`, run when the shards are finished. A rest
that holds a further global stage or a sequential processor runs in input order in one
process (`cleaner.run.stream`), itself planned the same way.

Per shard, the map writes the prefix's results and, when there are stages, a signature file:
the runner's `ShardHead` (which results are documents, their ids, which have text) then one
record per stage (`GlobalStage.sign`). The finish applies each stage's decisions to the shard's
documents in order, the pipeline's empty-text policy first before a stage that does not see
blank documents, then the rest of the chain. Every decision is a function of the signatures
in input order, so the bytes never depend on the shard size, the number of workers or where
the finish runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from cleaner.document import Document, Drop, Reject
from cleaner.stage import (
    BoolArray,
    Chain,
    GlobalStage,
    I64Array,
    Processor,
    apply_chain,
    global_stage_of,
    guarded_apply,
    runs_in_order,
)

Result = Document | Drop | Reject
Record = tuple[int, Result]
"""A result with the length of the input text it came from (what the report counts)."""


@dataclass(frozen=True)
class ShardHead:
    """The runner's part of a shard's signatures: the record index (within the shard) of each
    Document result, their ids, and which of them have text (`nonempty`)."""

    slots: I64Array
    ids: list[str]
    nonempty: BoolArray


@dataclass(frozen=True)
class Plan:
    """`prefix` in the map, `stages` decided in the reduce, `rest` when finishing."""

    prefix: tuple[Processor, ...]
    stages: tuple[GlobalStage, ...]
    rest: Chain

    @classmethod
    def of(cls, chain: Chain) -> Plan:
        processors = chain.processors
        cut = 0
        while cut < len(processors) and not runs_in_order(processors[cut]):
            cut += 1
        stages: list[GlobalStage] = []
        end = cut
        while end < len(processors) and (stage := global_stage_of(processors[end])) is not None:
            stages.append(stage)
            end += 1
        return cls(processors[:cut], tuple(stages), chain.part(end))

    @property
    def drop_empty(self) -> bool:
        return self.rest.drop_empty

    @property
    def finishes_anywhere(self) -> bool:
        """True when a shard can be finished on its own, in any process: the rest of the
        chain keeps no state across documents."""
        return self.rest.is_parallel

    # -- map -------------------------------------------------------------------------------

    def map(self, item: Result) -> Result:
        """One item through the prefix (rejects and drops pass as they are)."""
        if not isinstance(item, Document):
            return item
        return apply_chain(self.prefix, item, record_changes=self.rest.record_changes)

    def sign(self, results: Sequence[Result]) -> list[Any] | None:
        """A shard's signature records: its `ShardHead`, then each stage's signatures of its
        documents; None without stages."""
        if not self.stages:
            return None
        slots = [i for i, result in enumerate(results) if isinstance(result, Document)]
        docs = [result for result in results if isinstance(result, Document)]
        head = ShardHead(
            slots=np.asarray(slots, dtype=np.int64),
            ids=[doc.id for doc in docs],
            nonempty=np.fromiter(
                (bool(doc.text.strip()) for doc in docs), dtype=np.bool_, count=len(docs)
            ),
        )
        return [head, *(stage.sign(docs) for stage in self.stages)]

    # -- finish ----------------------------------------------------------------------------

    def decided(
        self, records: Iterable[Record], base: int, decisions: Sequence[Any]
    ) -> Iterator[Record]:
        """A shard's records (its first at global position `base`) with every stage's
        decisions for it (`Decided.for_shard`, in stage order) applied."""
        gate = Chain((), self.drop_empty)
        for slot, (length, result) in enumerate(records):
            if isinstance(result, Document):
                position = base + slot
                for stage, shard_decisions in zip(self.stages, decisions, strict=True):
                    if not stage.sees_blank:
                        result = gate.finish(result)
                        if isinstance(result, Drop):
                            break
                    result = guarded_apply(stage, shard_decisions, position, result)
                    if isinstance(result, Drop):
                        break
            yield length, result

    def finish_shard(
        self, records: Iterable[Record], base: int, decisions: Sequence[Any]
    ) -> Iterator[Record]:
        """`decided`, then the rest of the chain: valid when `finishes_anywhere`."""
        if not self.finishes_anywhere:
            raise ValueError("a rest with ordered processors must be finished in input order")
        for length, result in self.decided(records, base, decisions):
            yield length, self.rest.apply(result) if isinstance(result, Document) else result
