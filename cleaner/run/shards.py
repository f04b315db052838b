"""The map stage of a resumable run: the input cut into shards, each run through the parallel
prefix of the chain and written to its own files, with a completion marker.

A shard is `shard_size` consecutive input items, numbered from 0 in input order. Its results
file holds one `(input length, result)` record per item, in order (Documents, Drops and the
reader's Rejects alike); its signature file (when the chain has global de-duplication stages,
see `cleaner.run.signatures`) what those stages need of its documents. Both are written through
a temporary file, fsync and rename, and the `.done` marker after them, the same way. So a
shard either has complete files and a marker or is done again from scratch: a run killed at
any point loses at most the shards in flight.

The work on one shard is a `MapTask` turning items into a `ShardPayload` (the files' bytes), so
any executor can run it: here, worker processes that write their own files (the parent only
holds the inputs of the shards in flight, at most two per worker, never their results); with
Ray (`cleaner.run.ray_executor`), remote tasks whose payloads the driver commits.
"""

from __future__ import annotations

import io
import pickle
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import chain, islice

from cleaner.document import Document, Drop, Reject
from cleaner.io.atomic import AtomicFile
from cleaner.pipeline import apply_chain
from cleaner.processors.base import Processor
from cleaner.run.executor import RESUME_HINT, worker_pool, worker_state
from cleaner.run.signatures import ShardSignatures, SignaturePlan
from cleaner.run.spool import read_records, write_record
from cleaner.run.workdir import WorkDir

Result = Document | Drop | Reject
Shard = tuple[int, list[Document | Reject]]
# Shards in flight per worker: one running, one queued, so no worker waits on the parent.
_IN_FLIGHT_PER_WORKER = 2


@dataclass(frozen=True)
class MapStats:
    total: int
    resumed: int


@dataclass(frozen=True)
class ShardPayload:
    """One shard's finished work: its results file and signature file, as bytes."""

    count: int
    results: bytes
    signatures: bytes | None


@dataclass(frozen=True)
class MapTask:
    """What runs on every shard: the chain's parallel prefix, then the signatures that the
    global stages (`plan`) need. Picklable, so it can be shipped to any worker once."""

    prefix: tuple[Processor, ...]
    plan: SignaturePlan | None = None

    def run(self, items: Sequence[Document | Reject]) -> ShardPayload:
        results: list[Result] = [
            apply_chain(self.prefix, item) if isinstance(item, Document) else item
            for item in items
        ]
        buffer = io.BytesIO()
        for item, result in zip(items, results, strict=True):
            length = len(item.text) if isinstance(item, Document) else 0
            write_record(buffer, (length, result))
        signatures = None
        if self.plan is not None:
            signatures = pickle.dumps(self.plan.sign(results), protocol=pickle.HIGHEST_PROTOCOL)
        return ShardPayload(len(items), buffer.getvalue(), signatures)


def commit_shard(workdir: WorkDir, index: int, payload: ShardPayload) -> None:
    """Write a shard's files, then its marker, each atomically."""
    with AtomicFile(workdir.shard_file(index)) as fh:
        fh.write(payload.results)
    if payload.signatures is not None:
        with AtomicFile(workdir.signature_file(index)) as fh:
            fh.write(payload.signatures)
    with AtomicFile(workdir.done_file(index)) as fh:
        fh.write(f"{payload.count}\n".encode())


def _run_shard(workdir: WorkDir, index: int, items: list[Document | Reject]) -> None:
    """In a worker of `run_map`'s pool: run the task it holds over one shard, commit it."""
    task = worker_state()
    assert isinstance(task, MapTask)
    commit_shard(workdir, index, task.run(items))


def read_shard(workdir: WorkDir, index: int) -> Iterator[tuple[int, Result]]:
    """Yield a committed shard's `(input length, result)` records, one at a time."""
    with open(workdir.shard_file(index), "rb") as fh:
        yield from read_records(fh)


def read_signatures(workdir: WorkDir, index: int) -> ShardSignatures:
    """A committed shard's signatures."""
    with open(workdir.signature_file(index), "rb") as fh:
        signatures = pickle.load(fh)
    assert isinstance(signatures, ShardSignatures)
    return signatures


def pending_shards(
    workdir: WorkDir, items: Iterable[Document | Reject], shard_size: int, stats: list[int]
) -> Iterator[Shard]:
    """The shards not yet done, numbered in input order. Items of done shards are read (to
    advance the stream) and skipped. `stats` is ``[total, resumed]``, updated as it goes."""
    iterator = iter(items)
    while shard := list(islice(iterator, shard_size)):
        index = stats[0]
        stats[0] += 1
        if workdir.is_done(index):
            stats[1] += 1
            continue
        yield index, shard


def run_map(
    workdir: WorkDir,
    items: Iterable[Document | Reject],
    task: MapTask,
    *,
    shard_size: int,
    jobs: int,
) -> MapStats:
    """Write every shard not yet done; return how many shards there are and how many were
    already done."""
    stats = [0, 0]
    shards = pending_shards(workdir, items, shard_size, stats)
    # No more workers than pending shards: the first `jobs` of them tell how many there are.
    first = list(islice(shards, max(1, jobs)))
    jobs = min(jobs, len(first))
    if jobs <= 1:
        for index, shard in chain(first, shards):
            commit_shard(workdir, index, task.run(shard))
        return MapStats(*stats)

    pending: deque[Future[None]] = deque()
    with worker_pool(task, jobs, stage="map", hint=RESUME_HINT) as pool:
        for index, shard in chain(first, shards):
            pending.append(pool.submit(_run_shard, workdir, index, shard))
            _drain(pending, keep=jobs * _IN_FLIGHT_PER_WORKER - 1)
        _drain(pending, keep=0)
    return MapStats(*stats)


def _drain(pending: deque[Future[None]], *, keep: int) -> None:
    """Wait for the oldest shards until at most `keep` are in flight (re-raising failures)."""
    while len(pending) > keep:
        pending.popleft().result()
