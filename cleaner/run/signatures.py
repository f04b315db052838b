"""Exact and near-duplicate detection as map/reduce over per-shard signature files.

The global stages of a chain (`exact_dedup`, then the `dedup` barrier) need every document of
the run before they can decide, but not its text: exact de-duplication needs a 16-byte digest
per document, near-duplicate detection its band keys, shingle hashes and sentence sketches
(`dedup.index.PreparedSketches`). So a sharded run computes those in the map workers, next to
the text, and writes them beside each shard's results as a signature file (`ShardSignatures`).
The reduce then runs in two passes over the shards, in input order:

1. `decide`: the signature files only, never a text: exact digests go through each
   `exact_dedup`'s first-seen table, the surviving documents' sketches into the barrier's
   index (`DedupRun.observe_prepared`), and the index clusters them (`finish`);
2. `replay`: each shard's results once, each document given its exact decisions, the
   pipeline's empty-text policy, its near-duplicate annotation, then the rest of the chain.
   Each shard's decisions are cut out for it (`Decisions.for_shard`), so when the rest of the
   chain keeps no state across documents (`tail_is_parallel`) the shards are finished in
   worker processes (`finish_shard`, see `cleaner.run.finish`) and only written here.

This gives byte for byte what replaying the results through the sequential chain gives (the
streaming path), because every decision is a function of the same digests and sketches in
the same order: `exact_dedup` and `dedup` never change a text, only meta, so signatures taken
right after the parallel prefix are the ones those stages would compute.

`SignaturePlan.for_chain` says whether a chain fits (its sequential part starts with
`exact_dedup` stages and/or one `dedup`, and no further barrier follows); a chain that does not
fit is replayed through its sequential part as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

from cleaner.dedup.index import PreparedSketches, Sketcher
from cleaner.document import Document, Drop, Reject
from cleaner.pipeline import Pipeline, apply_chain
from cleaner.processors.base import Processor
from cleaner.processors.dedup import Dedup, DedupRun, DedupVerdicts
from cleaner.processors.exact_dedup import ExactDedup
from cleaner.run.executor import execute_measured, guarded_apply

Result = Document | Drop | Reject
I64Array = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

ExactKey = bytes | str
"""A document's digest for one `exact_dedup` stage, or the error message computing it raised."""


@dataclass(frozen=True)
class ShardSignatures:
    """What the global stages need of one shard's documents, in shard order.

    `slots`: the record index (within the shard) of each Document result; `ids` and
    `nonempty` (text not blank) for each of them; `exact_keys[k][j]`: document ``j``'s digest
    for the ``k``-th `exact_dedup` stage; `near`: prepared sketches of the documents at
    `near_rows` (every document, or the non-blank ones when blank ones are dropped before
    the barrier anyway).
    """

    slots: I64Array
    ids: list[str]
    nonempty: BoolArray
    exact_keys: list[list[ExactKey]]
    near_rows: I64Array
    near: PreparedSketches | None

    def __len__(self) -> int:
        return len(self.ids)


@dataclass
class ShardDecisions:
    """Pass 1's outcome for one shard, all its documents need in pass 2: per `exact_dedup`
    stage the first id of each of its duplicates (by global position), errors raised while
    signing, and the barrier's verdicts on its documents. Small and picklable, so a shard
    can be finished in any process."""

    base: int
    exact: list[dict[int, str]]
    errors: dict[int, tuple[int, str]] = field(default_factory=dict)
    near: DedupVerdicts | None = None


@dataclass
class Decisions:
    """Pass 1's outcome: the exact decisions of every shard, in order, and the barrier's
    clustered run (its verdicts are cut per shard when that shard is finished)."""

    shards: list[ShardDecisions]
    barrier: DedupRun | None = None

    def for_shard(self, index: int) -> ShardDecisions:
        """Shard `index`'s decisions, the barrier's verdicts included."""
        shard = self.shards[index]
        if self.barrier is None:
            return shard
        stop = self.shards[index + 1].base if index + 1 < len(self.shards) else None
        return replace(shard, near=self.barrier.verdicts(shard.base, stop))


@dataclass(frozen=True)
class SignaturePlan:
    """The global stages of a chain's sequential part, and what runs after them.

    `exact`: leading `exact_dedup` stages; `barrier`: the `dedup` stage after them, if any;
    `tail`: the processors after those, run on each shard's results with its decisions (in
    worker processes when `tail_is_parallel`, see `cleaner.run.finish`; else in the parent).
    """

    exact: tuple[ExactDedup, ...]
    barrier: Dedup | None
    tail: tuple[Processor, ...]
    drop_empty: bool
    sketcher: Sketcher | None

    @classmethod
    def for_chain(cls, rest: Sequence[Processor], *, drop_empty: bool) -> SignaturePlan | None:
        """The plan for a sequential part `rest`, or None when it holds no global stage this
        module can sign or another barrier follows the first one."""
        position = 0
        exact: list[ExactDedup] = []
        for stage in rest:
            if not isinstance(stage, ExactDedup):
                break
            exact.append(stage)
            position += 1
        barrier: Dedup | None = None
        if position < len(rest):
            candidate = rest[position]
            if isinstance(candidate, Dedup):
                barrier = candidate
                position += 1
        tail = tuple(rest[position:])
        if (not exact and barrier is None) or any(getattr(p, "barrier", False) for p in tail):
            return None
        sketcher = barrier.sketcher() if barrier is not None else None
        return cls(tuple(exact), barrier, tail, drop_empty, sketcher)

    # -- map: in the workers -------------------------------------------------------------------

    def sign(self, results: Sequence[Result]) -> ShardSignatures:
        """Signatures of a shard's results (the parallel prefix's output, in order)."""
        slots = [i for i, result in enumerate(results) if isinstance(result, Document)]
        docs = [result for result in results if isinstance(result, Document)]
        nonempty = np.fromiter(
            (bool(doc.text.strip()) for doc in docs), dtype=np.bool_, count=len(docs)
        )
        exact_keys = [[_exact_key(stage, doc) for doc in docs] for stage in self.exact]
        near_rows = np.arange(len(docs), dtype=np.int64)
        if self.drop_empty:
            near_rows = np.flatnonzero(nonempty).astype(np.int64)
        near = None
        if self.sketcher is not None:
            near = self.sketcher.prepare([docs[row].text for row in near_rows.tolist()])
        return ShardSignatures(
            slots=np.asarray(slots, dtype=np.int64),
            ids=[doc.id for doc in docs],
            nonempty=nonempty,
            exact_keys=exact_keys,
            near_rows=near_rows,
            near=near,
        )

    # -- reduce, pass 1: signatures only -------------------------------------------------------

    def decide(
        self, shards: Iterator[tuple[int, ShardSignatures]], *, workers: int = 1
    ) -> Decisions:
        """Run the global stages over `(first global position, signatures)` of every shard,
        in input order; `workers` processes may share the near-duplicate clustering."""
        stages = [stage.fresh() for stage in self.exact]
        decisions = Decisions(shards=[])
        run = self.barrier.start() if self.barrier is not None else None
        for base, signatures in shards:
            shard = ShardDecisions(base=base, exact=[{} for _ in stages])
            decisions.shards.append(shard)
            alive = self._decide_exact(stages, shard, signatures)
            if run is not None:
                self._observe(run, base, signatures, alive)
        if run is not None:
            run.finish(workers=workers)
        decisions.barrier = run
        return decisions

    @staticmethod
    def _decide_exact(
        stages: Sequence[ExactDedup], shard: ShardDecisions, signatures: ShardSignatures
    ) -> BoolArray:
        """Exact decisions for one shard; returns which documents go on to the barrier."""
        alive = np.ones(len(signatures), dtype=np.bool_)
        positions = (signatures.slots + shard.base).tolist()
        for k, stage in enumerate(stages):
            firsts = shard.exact[k]
            drops = stage.options.policy == "drop"
            for j, key in enumerate(signatures.exact_keys[k]):
                if not alive[j]:
                    continue
                if isinstance(key, str):
                    shard.errors[positions[j]] = (k, key)
                    alive[j] = False
                    continue
                first = stage.first_of(key, signatures.ids[j])
                if first is not None:
                    firsts[positions[j]] = first
                    if drops:
                        alive[j] = False
        return alive

    def _observe(
        self, run: DedupRun, base: int, signatures: ShardSignatures, alive: BoolArray
    ) -> None:
        if self.drop_empty:
            alive = alive & signatures.nonempty
        rows = np.flatnonzero(alive)
        if not rows.size or signatures.near is None:
            return
        prepared = signatures.near.take(np.searchsorted(signatures.near_rows, rows))
        positions = (signatures.slots[rows] + base).tolist()
        run.observe_prepared(positions, [signatures.ids[j] for j in rows.tolist()], prepared)

    # -- reduce, pass 2: each result once --------------------------------------------------------

    @property
    def tail_is_parallel(self) -> bool:
        """True when no processor after the global stages keeps state across documents, so
        shards can be finished independently (`finish_shard`)."""
        return not any(getattr(p, "sequential", False) for p in self.tail)

    def decided(
        self, records: Iterable[tuple[int, Result]], decisions: ShardDecisions
    ) -> Iterator[tuple[int, Result]]:
        """One shard's `(input length, result)` records, in order, with the global stages'
        decisions applied (and the pipeline's empty-text policy before the barrier)."""
        gate = Pipeline((), drop_empty=self.drop_empty)
        barrier = self.barrier
        if barrier is not None and decisions.near is None:
            raise ValueError("shard decisions without the barrier's verdicts (see for_shard)")
        for slot, (length, result) in enumerate(records):
            if isinstance(result, Document):
                position = decisions.base + slot
                result = self._apply_exact(result, position, decisions)
                if barrier is not None:
                    assert decisions.near is not None
                    result = gate.finish(result)
                    if isinstance(result, Document):
                        result = guarded_apply(barrier.name, decisions.near.apply, position, result)
            yield length, result

    def replay(
        self, shards: Iterable[tuple[Iterable[tuple[int, Result]], ShardDecisions]]
    ) -> Iterator[tuple[int, Result]]:
        """Every shard's `(records, decisions)` in input order -> `(input length, final
        result)`: the decisions applied, then the rest of the chain, here."""

        def decided() -> Iterator[tuple[int, Result]]:
            for records, decisions in shards:
                yield from self.decided(records, decisions)

        tail = Pipeline(self.tail, drop_empty=self.drop_empty)
        yield from execute_measured(tail, decided(), jobs=1)

    def finish_shard(
        self, records: Iterable[tuple[int, Result]], decisions: ShardDecisions
    ) -> Iterator[tuple[int, Result]]:
        """`replay` for one shard on its own: valid when `tail_is_parallel`, and the same
        results `replay` gives for that shard."""
        if not self.tail_is_parallel:
            raise ValueError("a tail with sequential processors must be replayed in order")
        tail = Pipeline(self.tail, drop_empty=self.drop_empty)
        for length, result in self.decided(records, decisions):
            if isinstance(result, Document):
                result = tail.finish(apply_chain(self.tail, result))
            yield length, result

    def _apply_exact(
        self, doc: Document, position: int, decisions: ShardDecisions
    ) -> Document | Drop:
        error = decisions.errors.get(position)
        for k, stage in enumerate(self.exact):
            if error is not None and error[0] == k:
                return Drop(doc, stage.name, "error", error[1])
            result = stage.decide(doc, decisions.exact[k].get(position))
            if isinstance(result, Drop):
                return result
            doc = result
        return doc


def _exact_key(stage: ExactDedup, doc: Document) -> ExactKey:
    try:
        return stage.key(doc)
    except Exception as exc:  # the same policy as apply_chain: the document, not the run
        return f"{type(exc).__name__}: {exc}"
