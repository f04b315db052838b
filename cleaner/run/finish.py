"""The reduce's second pass in worker processes: each shard finished and encoded on its own.

Once pass 1 has decided the global stages (`SignaturePlan.decide`), a shard's results need
nothing but its own `ShardDecisions` to be finished, when no processor after the global stages
keeps state across documents (`SignaturePlan.tail_is_parallel`). Then a worker reads the
shard's file, applies the decisions and the rest of the chain, encodes every output record and
every rejects line into two files of the work directory (`WorkDir.finished_file`), counts them
in a report of its own, and hands back only the counts (`ShardChunk`). The parent copies the
files into the output and the rejects file in shard order, a block at a time, deletes them,
and merges the reports in that order, so the files are byte for byte those the sequential
replay writes, and the report holds the same counts, with however many workers. Neither the
parent nor a worker holds a shard's encoded output in memory: with many workers and large
shards that would be gigabytes in flight.

This is what keeps the reduce from being a one-core tail on a many-core run: reading,
annotating and serialising a million documents costs as much as deciding which are copies.
Output formats whose bytes are one encoded record per document concatenated (JSONL, plain or
compressed: the writer's `stream_encoder`) go this way; the others are replayed in the parent.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from cleaner.document import Document
from cleaner.io.writers import DocumentWriter, RejectWriter, StreamEncoder
from cleaner.run.executor import worker_state
from cleaner.run.report import RunReport
from cleaner.run.shards import read_shard
from cleaner.run.signatures import Decisions, ShardDecisions, SignaturePlan
from cleaner.run.workdir import WorkDir

# Shards in flight per worker: one running, one queued.
_IN_FLIGHT_PER_WORKER = 2
# Bytes read at a time when the parent copies a finished shard's files into the outputs.
COPY_BLOCK = 1 << 20


@dataclass(frozen=True)
class ShardChunk:
    """One finished shard: where its encoded output records and rejects lines are, and its
    counts."""

    documents_path: str
    count: int
    rejects_path: str
    reject_counts: Counter[str]
    report: RunReport

    def copy_into(self, writer: DocumentWriter, rejects: RejectWriter) -> None:
        """Append the shard's records to `writer` and its lines to `rejects`, a block at a
        time, with their counts; then delete its files."""
        for number, block in enumerate(_blocks(self.documents_path)):
            writer.write_encoded(block, self.count if number == 0 else 0)
        for number, block in enumerate(_blocks(self.rejects_path)):
            rejects.write_encoded(block, self.reject_counts if number == 0 else Counter())
        os.unlink(self.documents_path)
        os.unlink(self.rejects_path)


def _blocks(path: str) -> Iterator[bytes]:
    """The file's bytes, `COPY_BLOCK` at a time; one empty block for an empty file."""
    with open(path, "rb") as fh:
        block = fh.read(COPY_BLOCK)
        yield block
        while block := fh.read(COPY_BLOCK):
            yield block


@dataclass(frozen=True)
class FinishTask:
    """What finishes a shard: the plan, where the shards are, and how records are encoded."""

    plan: SignaturePlan
    workdir: WorkDir
    encoder: StreamEncoder
    trace_rejects: bool = False

    def run(self, index: int, decisions: ShardDecisions) -> ShardChunk:
        count = 0
        reject_counts: Counter[str] = Counter()
        report = RunReport()
        results = self.plan.finish_shard(read_shard(self.workdir, index), decisions)
        documents_path = self.workdir.finished_file(index, "out")
        rejects_path = self.workdir.finished_file(index, "rej")
        os.makedirs(self.workdir.finish_dir, exist_ok=True)
        # Plain files, not atomic ones: the parent reads them only once this returns, and a
        # run killed before that starts its reduce over and writes them again.
        with open(documents_path, "wb") as documents, open(rejects_path, "wb") as rejects:
            for length, result in results:
                report.add(result, length)
                if isinstance(result, Document):
                    documents.write(self.encoder.encode(result, False))
                    count += 1
                else:
                    rejects.write(RejectWriter.encode(result, trace=self.trace_rejects))
                    reject_counts[result.label] += 1
        return ShardChunk(documents_path, count, rejects_path, reject_counts, report)


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
    pending: deque[Future[ShardChunk]] = deque()
    for index in range(shards):
        pending.append(pool.submit(_finish_shard, index, decisions.for_shard(index)))
        while len(pending) >= jobs * _IN_FLIGHT_PER_WORKER:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
