"""The reduce's second pass in worker processes: each shard finished and encoded on its own.

Once pass 1 has decided the global stages (`SignaturePlan.decide`), a shard's results need
nothing but its own `ShardDecisions` to be finished, when no processor after the global stages
keeps state across documents (`SignaturePlan.tail_is_parallel`). Then a worker reads the
shard's file, applies the decisions and the rest of the chain, encodes every output record and
every rejects line, counts them in a report of its own, and hands back only bytes and counts
(`ShardChunk`). The parent writes the chunks in shard order and merges the reports in that
order, so the files are byte for byte those the sequential replay writes, and the report holds
the same counts, with however many workers.

This is what keeps the reduce from being a one-core tail on a many-core run: reading,
annotating and serialising a million documents costs as much as deciding which are copies.
Output formats whose bytes are one encoded record per document concatenated (JSONL, plain or
compressed: the writer's `stream_encoder`) go this way; the others are replayed in the parent.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from cleaner.document import Document
from cleaner.io.writers import RejectWriter, StreamEncoder
from cleaner.run.executor import RESUME_HINT, worker_result, worker_state
from cleaner.run.report import RunReport
from cleaner.run.shards import read_shard
from cleaner.run.signatures import Decisions, ShardDecisions, SignaturePlan
from cleaner.run.workdir import WorkDir

# Shards in flight per worker: one running, one queued.
_IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True)
class ShardChunk:
    """One finished shard: its output records and rejects lines, encoded, and its counts."""

    documents: bytes
    count: int
    rejects: bytes
    reject_counts: Counter[str]
    report: RunReport


@dataclass(frozen=True)
class FinishTask:
    """What finishes a shard: the plan, where the shards are, and how records are encoded."""

    plan: SignaturePlan
    workdir: WorkDir
    encoder: StreamEncoder
    trace_rejects: bool = False

    def run(self, index: int, decisions: ShardDecisions) -> ShardChunk:
        documents: list[bytes] = []
        rejects: list[bytes] = []
        reject_counts: Counter[str] = Counter()
        report = RunReport()
        results = self.plan.finish_shard(read_shard(self.workdir, index), decisions)
        for length, result in results:
            report.add(result, length)
            if isinstance(result, Document):
                documents.append(self.encoder.encode(result, False))
            else:
                rejects.append(RejectWriter.encode(result, trace=self.trace_rejects))
                reject_counts[result.label] += 1
        return ShardChunk(
            documents=b"".join(documents),
            count=len(documents),
            rejects=b"".join(rejects),
            reject_counts=reject_counts,
            report=report,
        )


def _finish_shard(index: int, decisions: ShardDecisions) -> ShardChunk:
    """In a worker of `finish_shards`' pool: finish one shard with the task it holds."""
    task = worker_state()
    assert isinstance(task, FinishTask)
    return task.run(index, decisions)


def finish_shards(
    pool: ProcessPoolExecutor, decisions: Decisions, shards: int, *, jobs: int
) -> Iterator[ShardChunk]:
    """Every shard finished by `pool`'s workers (started with a `FinishTask`), yielded in
    shard order; at most `_IN_FLIGHT_PER_WORKER` shards per worker are in flight."""
    pending: deque[tuple[int, Future[ShardChunk]]] = deque()
    for index in range(shards):
        pending.append((index, pool.submit(_finish_shard, index, decisions.for_shard(index))))
        while len(pending) >= jobs * _IN_FLIGHT_PER_WORKER:
            yield _finished(*pending.popleft())
    while pending:
        yield _finished(*pending.popleft())


def _finished(index: int, future: Future[ShardChunk]) -> ShardChunk:
    return worker_result(future, f"shard {index} of the reduce", RESUME_HINT)
