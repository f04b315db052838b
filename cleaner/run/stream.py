"""A stream of items through a chain, in input order: the Python API's and a pipe's path.

A chain without a whole-corpus stage streams lazily, one item in, one result out
(`cleaner.run.executor`). A chain with one runs as the sharded run of `cleaner clean`, in a
temporary work directory: map (`cleaner.run.shards`), reduce (`cleaner.run.reduce`), then the
shards finished here, in input order (`finished`), so the results come once the whole input
has been read. `finished` is also how a sharded run finishes its shards when it does not
finish them in worker processes (`cleaner.run.finish.finishes_in_workers`); a rest of the
chain that holds a further global stage is run, in turn, the same way.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence

from cleaner.document import Document
from cleaner.run.executor import execute_chain
from cleaner.run.plan import Plan, Record, Result
from cleaner.run.pool import ProcessMap
from cleaner.run.reduce import decide, for_shard
from cleaner.run.shards import DEFAULT_SHARD_SIZE, MapTask, read_shard, run_map, shard_starts
from cleaner.run.workdir import WorkDir, open_workdir
from cleaner.stage import Chain, Decided, global_stage_of


def has_global_stage(chain: Chain) -> bool:
    """True when a processor of `chain` takes part as a whole-corpus stage."""
    return any(global_stage_of(p) is not None for p in chain.processors)


def execute(chain: Chain, items: Iterable[Result], *, jobs: int = 0) -> Iterator[Result]:
    """Yield one result per item, in input order (see `execute_measured`)."""
    for _, result in execute_measured(chain, ((0, item) for item in items), jobs=jobs):
        yield result


def execute_measured(
    chain: Chain,
    measured: Iterable[Record],
    *,
    jobs: int,
    batch_size: int = 64,
    shard_size: int = DEFAULT_SHARD_SIZE,
) -> Iterator[Record]:
    """`(input length, item)` pairs -> `(input length, result)` pairs, in input order.

    Items may be Documents, or the reader's Rejects and earlier Drops (they pass through in
    their place). `jobs` <= 0 means one worker per core.
    """
    if not has_global_stage(chain):
        yield from _lazy(chain, measured, jobs=jobs, batch_size=batch_size)
        return
    with tempfile.TemporaryDirectory(prefix="cleaner-run-") as root:
        workdir, _ = open_workdir(os.path.join(root, "work"), "temporary")
        plan = Plan.of(chain)
        stats = run_map(workdir, measured, MapTask(plan), shard_size=shard_size, jobs=jobs)
        starts = shard_starts(workdir, stats.total)
        decided = decide(plan, workdir, starts, ProcessMap(jobs, stage="reduce"))
        yield from finished(plan, workdir, starts, decided, shard_size)


def finished(
    plan: Plan,
    workdir: WorkDir,
    starts: Sequence[int],
    decided: list[Decided],
    shard_size: int = DEFAULT_SHARD_SIZE,
) -> Iterator[Record]:
    """Every shard's records with the stages' decisions and the rest of the chain applied, in
    input order, in this process (a rest with a global stage of its own runs in shards of
    `shard_size`)."""

    def decided_records() -> Iterator[Record]:
        for index, start in enumerate(starts):
            records = read_shard(workdir, index)
            yield from plan.decided(records, start, for_shard(decided, index))

    if plan.finishes_anywhere:
        for length, result in decided_records():
            yield length, plan.rest.apply(result) if isinstance(result, Document) else result
    else:
        yield from execute_measured(plan.rest, decided_records(), jobs=1, shard_size=shard_size)


def _lazy(
    chain: Chain, measured: Iterable[Record], *, jobs: int, batch_size: int
) -> Iterator[Record]:
    # Input lengths, in input order, until their results come back (in the same order).
    lengths: deque[int] = deque()

    def source() -> Iterator[Result]:
        for length, item in measured:
            lengths.append(length)
            yield item

    for result in execute_chain(chain, source(), jobs=jobs, batch_size=batch_size):
        yield lengths.popleft(), result
