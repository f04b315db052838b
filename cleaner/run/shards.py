"""The map stage of a resumable run: the input cut into shards, each run through the parallel
prefix of the chain and written to its own file, with a completion marker.

A shard is `shard_size` consecutive input items, numbered from 0 in input order. Its file holds
one `(input length, result)` record per item, in order (Documents, Drops and the reader's
Rejects alike), written through a temporary file, fsync and rename; the `.done` marker is
written the same way, after. So a shard either has a complete file and a marker or is done
again from scratch: a run killed at any point loses at most the shards in flight. Shards run
in worker processes, which write their own files: the parent only holds the inputs of the
shards in flight (at most two per worker), never their results.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from itertools import islice

from cleaner.document import Document, Drop, Reject
from cleaner.io.atomic import AtomicFile
from cleaner.pipeline import apply_chain
from cleaner.processors.base import Processor
from cleaner.run.executor import chain_pool, worker_chain
from cleaner.run.spool import read_records, write_record
from cleaner.run.workdir import WorkDir

Result = Document | Drop | Reject
# Shards in flight per worker: one running, one queued, so no worker waits on the parent.
_IN_FLIGHT_PER_WORKER = 2

@dataclass(frozen=True)
class MapStats:
    total: int
    resumed: int


def _run_shard(workdir: WorkDir, index: int, items: list[Document | Reject]) -> None:
    """In a worker: run the prefix over one shard and commit its file and marker."""
    write_shard(workdir, index, worker_chain(), items)


def write_shard(
    workdir: WorkDir,
    index: int,
    prefix: Sequence[Processor],
    items: Sequence[Document | Reject],
) -> None:
    """Process one shard's items through `prefix` and commit its file, then its marker."""
    with AtomicFile(workdir.shard_file(index)) as fh:
        for item in items:
            if isinstance(item, Document):
                record: tuple[int, Result] = (len(item.text), apply_chain(prefix, item))
            else:
                record = (0, item)
            write_record(fh, record)
    with AtomicFile(workdir.done_file(index)) as fh:
        fh.write(f"{len(items)}\n".encode())


def read_shard(workdir: WorkDir, index: int) -> Iterator[tuple[int, Result]]:
    """Yield a committed shard's `(input length, result)` records, one at a time."""
    with open(workdir.shard_file(index), "rb") as fh:
        yield from read_records(fh)


def run_map(
    workdir: WorkDir,
    items: Iterable[Document | Reject],
    prefix: tuple[Processor, ...],
    *,
    shard_size: int,
    jobs: int,
) -> MapStats:
    """Write every shard not yet done; return how many shards there are and how many were
    already done. Items of done shards are read (to advance the stream) and skipped."""
    iterator = iter(items)
    total = resumed = 0
    pending: deque[Future[None]] = deque()

    def shards() -> Iterator[tuple[int, list[Document | Reject]]]:
        nonlocal total, resumed
        while shard := list(islice(iterator, shard_size)):
            index = total
            total += 1
            if workdir.is_done(index):
                resumed += 1
                continue
            yield index, shard

    if jobs <= 1:
        for index, shard in shards():
            write_shard(workdir, index, prefix, shard)
        return MapStats(total, resumed)

    with chain_pool(prefix, jobs) as pool:
        for index, shard in shards():
            pending.append(pool.submit(_run_shard, workdir, index, shard))
            _drain(pending, keep=jobs * _IN_FLIGHT_PER_WORKER - 1)
        _drain(pending, keep=0)
    return MapStats(total, resumed)


def _drain(pending: deque[Future[None]], *, keep: int) -> None:
    """Wait for the oldest shards until at most `keep` are in flight (re-raising failures)."""
    while len(pending) > keep:
        pending.popleft().result()
