"""The map stage of a sharded run: the input cut into shards, each run through the plan's
prefix and signed for its global stages, written to its own files with a completion marker.

A shard is `shard_size` consecutive input items, or fewer when their input text reaches
`SHARD_CHARS` characters (a shard of whole HTML pages is held in memory, and 10,000 pages of
150 KB would take gigabytes), numbered from 0 in input order; `shard_starts` gives each
shard's first position in the input, from the counts its marker records. Its results
file holds one `(input length, result)` record per item, in order (Documents, Drops and the
reader's Rejects alike); its signature file (when the chain has global stages, see
`cleaner.run.plan`) what those stages need of its documents. Both are written through a
temporary file, fsync and rename, and the `.done` marker after them, the same way. So a shard
either has complete files and a marker or is done again from scratch: a run killed at any
point loses at most the shards in flight.

The work on one shard is a `MapTask` turning items into a `ShardPayload` (the files' bytes), so
any executor can run it: here, worker processes that write their own files (the parent only
holds the inputs of the shards in flight, at most two per worker, never their results); with
Ray (`cleaner.run.ray_executor`), remote tasks whose payloads the driver commits.
"""

from __future__ import annotations

import io
import pickle
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain, islice
from typing import IO, Any

from cleaner.io.atomic import AtomicFile
from cleaner.options import RunOptions
from cleaner.run.plan import Plan, Record, ShardHead
from cleaner.run.pool import IN_FLIGHT_PER_WORKER, RESUME_HINT, in_order, worker_pool, worker_state
from cleaner.run.workdir import WorkDir

Shard = tuple[int, list[Record]]

#: Input items per shard of a sharded run: `[run] shard_size`'s default, written in RunOptions.
DEFAULT_SHARD_SIZE: int = RunOptions.shard_size
#: Input characters per shard at most (a shard holds one item at least, however long): bounds
#: the memory of the shards in flight, at most two per worker, whatever the documents' size,
#: and cuts a dump of a few hundred HTML pages (30 MB) into several shards the workers share.
#: Per-shard costs are small: 4 Mi against 32 Mi is as fast on 100,000 text documents and
#: faster on HTML (bench/README.md, "Shards of 4 Mi characters").
SHARD_CHARS = 4 * 2**20


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
    """What runs on every shard: the plan's prefix, then its stages' signatures. Picklable, so
    it can be shipped to any worker once."""

    plan: Plan

    def run(self, items: Sequence[Record]) -> ShardPayload:
        results = [self.plan.map(item) for _, item in items]
        buffer = io.BytesIO()
        for (length, _), result in zip(items, results, strict=True):
            write_record(buffer, (length, result))
        signatures = None
        records = self.plan.sign(results)
        if records is not None:
            signed = io.BytesIO()
            for record in records:
                write_record(signed, record)
            signatures = signed.getvalue()
        return ShardPayload(len(items), buffer.getvalue(), signatures)


def write_record(fh: IO[bytes], item: Any) -> None:
    """Append `item` as one self-contained, length-prefixed pickle: no pickle memo grows
    across items, and a reader can stream the file record by record."""
    data = pickle.dumps(item, protocol=pickle.HIGHEST_PROTOCOL)
    fh.write(len(data).to_bytes(8, "little"))
    fh.write(data)


def read_records(fh: IO[bytes]) -> Iterator[Any]:
    """The records `write_record` wrote, from the current position to the end of the file."""
    while header := fh.read(8):
        yield pickle.loads(fh.read(int.from_bytes(header, "little")))


def commit_shard(workdir: WorkDir, index: int, payload: ShardPayload) -> None:
    """Write a shard's files, then its marker, each atomically."""
    with AtomicFile(workdir.shard_file(index)) as fh:
        fh.write(payload.results)
    if payload.signatures is not None:
        with AtomicFile(workdir.signature_file(index)) as fh:
            fh.write(payload.signatures)
    with AtomicFile(workdir.done_file(index)) as fh:
        fh.write(f"{payload.count}\n".encode())


def _run_shard(workdir: WorkDir, index: int, items: list[Record]) -> None:
    """In a worker of `run_map`'s pool: run the task it holds over one shard, commit it."""
    task = worker_state()
    assert isinstance(task, MapTask)
    commit_shard(workdir, index, task.run(items))


def read_shard(workdir: WorkDir, index: int) -> Iterator[Record]:
    """Yield a committed shard's `(input length, result)` records, one at a time."""
    with open(workdir.shard_file(index), "rb") as fh:
        yield from read_records(fh)


def read_signatures(workdir: WorkDir, index: int, stage: int) -> tuple[ShardHead, Any]:
    """A committed shard's `ShardHead` and the signatures of its `stage`-th global stage (the
    other stages' records are skipped, not read)."""
    with open(workdir.signature_file(index), "rb") as fh:
        head = _read_one(fh)
        for _ in range(stage):
            fh.seek(int.from_bytes(fh.read(8), "little"), io.SEEK_CUR)
        signatures = _read_one(fh)
    assert isinstance(head, ShardHead)
    return head, signatures


def _read_one(fh: IO[bytes]) -> Any:
    return pickle.loads(fh.read(int.from_bytes(fh.read(8), "little")))


def pending_shards(
    workdir: WorkDir, items: Iterable[Record], shard_size: int, stats: list[int]
) -> Iterator[Shard]:
    """The shards not yet done, numbered in input order: `shard_size` items each, or fewer
    when their lengths reach `SHARD_CHARS`. Items of done shards are read (to advance the
    stream) and skipped. `stats` is ``[total, resumed]``, updated as it goes."""
    iterator = iter(items)
    while shard := _next_shard(iterator, shard_size):
        index = stats[0]
        stats[0] += 1
        if workdir.is_done(index):
            stats[1] += 1
            continue
        yield index, shard


def _next_shard(iterator: Iterator[Record], shard_size: int) -> list[Record]:
    """The next items of `iterator` up to `shard_size`, or up to and including the one whose
    length takes the shard to `SHARD_CHARS`; empty when the input is exhausted."""
    shard: list[Record] = []
    chars = 0
    for record in iterator:
        shard.append(record)
        chars += record[0]
        if len(shard) >= shard_size or chars >= SHARD_CHARS:
            break
    return shard


def shard_starts(workdir: WorkDir, shards: int) -> list[int]:
    """The input position of each committed shard's first item (shards vary in length)."""
    starts: list[int] = []
    position = 0
    for index in range(shards):
        starts.append(position)
        position += workdir.done_count(index)
    return starts


def run_map(
    workdir: WorkDir,
    items: Iterable[Record],
    task: MapTask,
    *,
    shard_size: int,
    jobs: int,
) -> MapStats:
    """Write every shard not yet done; return how many shards there are and how many were
    already done. `items` are `(input length, item)` pairs."""
    stats = [0, 0]
    shards = pending_shards(workdir, items, shard_size, stats)
    # No more workers than pending shards: the first `jobs` of them tell how many there are.
    first = list(islice(shards, max(1, jobs)))
    jobs = min(jobs, len(first))
    if jobs <= 1:
        for index, shard in chain(first, shards):
            commit_shard(workdir, index, task.run(shard))
        return MapStats(*stats)

    with worker_pool(task, jobs, stage="map", hint=RESUME_HINT) as pool:
        window = jobs * IN_FLIGHT_PER_WORKER
        for future in in_order(
            lambda shard: pool.submit(_run_shard, workdir, *shard), chain(first, shards), window
        ):
            future.result()
    return MapStats(*stats)
