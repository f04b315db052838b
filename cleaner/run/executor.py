"""Ordered, bounded-memory execution of a chain without whole-corpus stages over a stream.

The parallel prefix of the chain (every processor before the first sequential one) runs in
worker processes on batches of documents; results come back in input order and the sequential
suffix runs here, in the parent, in that same order. Only a fixed window of batches is ever in
flight (`cleaner.run.pool.in_order`), so memory stays bounded however long the input is, and
the output order never depends on which worker finished first. A chain with a global stage
runs as a sharded run instead (`cleaner.run.stream`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain, islice

from cleaner.document import Document, Drop, Reject
from cleaner.run.pool import capped_jobs, in_order, worker_pool, worker_state
from cleaner.stage import Chain

Result = Document | Drop | Reject
Batch = tuple[list[Result | None], Future[list[Document | Drop]] | None]

# Batches in flight per worker: enough to keep every core busy while the parent writes.
_WINDOW_PER_WORKER = 3


def _run_batch(batch: list[Document]) -> list[Document | Drop]:
    prefix = worker_state()
    assert isinstance(prefix, Chain)
    return [prefix.through(doc) for doc in batch]


def execute_chain(
    chain_: Chain,
    items: Iterable[Result],
    *,
    jobs: int,
    batch_size: int = 64,
) -> Iterator[Result]:
    """Yield one result per input item, in input order (the chain has no global stage).

    `items` may contain `Reject`s from the reader (and `Drop`s from an earlier stage); they
    pass straight through in their place. `jobs` <= 0 means one worker per core; with one job,
    or when the whole input fits in one batch, everything runs in this process, item by item.
    """
    jobs = capped_jobs(jobs)
    batch_size = max(1, batch_size)
    processors = chain_.processors
    cut = next(
        (i for i, p in enumerate(processors) if getattr(p, "sequential", False)), len(processors)
    )
    prefix = chain_.part(0, cut)
    suffix = chain_.part(cut).fresh()

    def finish(result: Document | Drop) -> Document | Drop:
        return suffix.apply(result) if isinstance(result, Document) else suffix.finish(result)

    iterator = iter(items)
    # With one job, nothing is read ahead: the stream stays lazy item by item.
    first = [] if jobs == 1 else list(islice(iterator, batch_size))
    exhausted = len(first) < batch_size
    if jobs == 1 or exhausted or not prefix.processors:
        for item in chain(first, iterator):
            if isinstance(item, Document):
                yield finish(prefix.through(item))
            else:
                yield item
        return

    with worker_pool(prefix, jobs, stage="cleaning") as pool:
        batches = _batches(chain(first, iterator), batch_size)
        window = jobs * _WINDOW_PER_WORKER
        for entry in in_order(lambda batch: _submit(pool, batch), batches, window):
            yield from _collect(entry, finish)


def _batches(items: Iterator[Result], size: int) -> Iterator[list[Result]]:
    while batch := list(islice(items, size)):
        yield batch


def _submit(pool: ProcessPoolExecutor, batch: Sequence[Result]) -> Batch:
    """Send the batch's documents to a worker; keep other results in place."""
    slots: list[Result | None] = [None if isinstance(item, Document) else item for item in batch]
    docs = [item for item in batch if isinstance(item, Document)]
    future = pool.submit(_run_batch, docs) if docs else None
    return slots, future


def _collect(
    entry: Batch, finish: Callable[[Document | Drop], Document | Drop]
) -> Iterator[Result]:
    slots, future = entry
    done = iter(future.result()) if future is not None else iter(())
    for slot in slots:
        yield slot if slot is not None else finish(next(done))
