"""Finishing the shards in worker processes: each shard finished and encoded on its own.

Once the reduce has decided the global stages (`cleaner.run.reduce`), a shard's results need
nothing but its own decisions to be finished, when no processor after the global stages
keeps state across documents (`Plan.finishes_anywhere`). Then a worker reads the
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
compressed: the writer's `stream_encoder`) go this way; the others are finished in the parent
(`cleaner.run.stream.finished`). `finishes_in_workers` is where that is decided.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from cleaner.document import Document
from cleaner.io.writers import DocumentWriter, RejectWriter, StreamEncoder
from cleaner.run.plan import Plan
from cleaner.run.pool import IN_FLIGHT_PER_WORKER, in_order, worker_state
from cleaner.run.reduce import for_shard
from cleaner.run.report import RunReport
from cleaner.run.shards import read_shard
from cleaner.run.workdir import WorkDir
from cleaner.stage import Decided

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


def finishes_in_workers(
    plan: Plan, workers: int, shards: int, encoder: StreamEncoder | None
) -> bool:
    """Whether a sharded run finishes its shards in worker processes (`finish_shards`) or in
    this one (`cleaner.run.stream.finished`): workers when there are several, and several
    shards, the output is a record stream, and the rest of the chain keeps no state across
    documents. Both write the same bytes."""
    return workers > 1 and shards > 1 and encoder is not None and plan.finishes_anywhere


@dataclass(frozen=True)
class FinishTask:
    """What finishes a shard: the plan, where the shards are, and how records are encoded."""

    plan: Plan
    workdir: WorkDir
    starts: tuple[int, ...]  # each shard's first input position (`shards.shard_starts`)
    encoder: StreamEncoder
    trace_rejects: bool = False

    def run(self, index: int, decisions: list[Any]) -> ShardChunk:
        count = 0
        reject_counts: Counter[str] = Counter()
        report = RunReport()
        records = read_shard(self.workdir, index)
        results = self.plan.finish_shard(records, self.starts[index], decisions)
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


def _finish_shard(index: int, decisions: list[Any]) -> ShardChunk:
    """In a worker of `finish_shards`' pool: finish one shard with the task it holds."""
    task = worker_state()
    assert isinstance(task, FinishTask)
    return task.run(index, decisions)


def finish_shards(
    pool: ProcessPoolExecutor, decided: list[Decided], shards: int, *, jobs: int
) -> Iterator[ShardChunk]:
    """Every shard finished by `pool`'s workers (started with a `FinishTask`), yielded in
    shard order; at most `IN_FLIGHT_PER_WORKER` shards per worker are in flight."""
    window = jobs * IN_FLIGHT_PER_WORKER
    submit = lambda index: pool.submit(_finish_shard, index, for_shard(decided, index))  # noqa: E731
    for future in in_order(submit, range(shards), window):
        yield future.result()
