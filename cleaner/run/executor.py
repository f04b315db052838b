"""Ordered, bounded-memory execution of a pipeline over a stream of inputs.

The parallel prefix of the chain (every processor before the first sequential one) runs in
worker processes on batches of documents; results come back in input order and the sequential
suffix (exact de-duplication) runs here, in the parent, in that same order. Only a fixed window
of batches is ever in flight, so memory stays bounded however long the input is, and the output
order never depends on which worker finished first.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from cleaner.document import Document, Drop, Reject
from cleaner.pipeline import Pipeline, apply_chain
from cleaner.processors.base import Processor

Result = Document | Drop | Reject

# Batches in flight per worker: enough to keep every core busy while the parent writes.
_WINDOW_PER_WORKER = 3

_worker_chain: tuple[Processor, ...] = ()


def _init_worker(chain: tuple[Processor, ...]) -> None:
    global _worker_chain
    _worker_chain = chain


def _run_batch(batch: list[Document]) -> list[Document | Drop]:
    return [apply_chain(_worker_chain, doc) for doc in batch]


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def execute(
    pipeline: Pipeline,
    items: Iterable[Document | Reject],
    *,
    jobs: int = 0,
    batch_size: int = 64,
) -> Iterator[Result]:
    """Yield one result per input item, in input order.

    `items` may contain `Reject`s from the reader; they pass straight through in their place.
    `jobs` <= 0 means one worker per core; with one job, or when the whole input fits in one
    batch, everything runs in this process (no start-up cost for small inputs).
    """
    jobs = default_jobs() if jobs <= 0 else jobs
    batch_size = max(1, batch_size)
    prefix, _ = pipeline.split()
    suffix = pipeline.fresh_sequential()

    def finish(result: Document | Drop) -> Document | Drop:
        if isinstance(result, Document) and suffix:
            result = apply_chain(suffix, result)
        return pipeline.finish(result)

    iterator = iter(items)
    first = list(islice(iterator, batch_size))
    exhausted = len(first) < batch_size
    if jobs == 1 or exhausted:
        for item in _chain_batches(first, iterator):
            yield item if isinstance(item, Reject) else finish(apply_chain(prefix, item))
        return

    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    pending: deque[tuple[list[Result | None], Future[list[Document | Drop]] | None]] = deque()
    window = jobs * _WINDOW_PER_WORKER
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=_init_worker, initargs=(prefix,)
    ) as pool:
        for batch in _batches(_chain_batches(first, iterator), batch_size):
            pending.append(_submit(pool, batch))
            while len(pending) >= window:
                yield from _collect(pending.popleft(), finish)
        while pending:
            yield from _collect(pending.popleft(), finish)


def _chain_batches(first: list[Document | Reject], rest: Iterator[Document | Reject]) -> Iterator[
    Document | Reject
]:
    yield from first
    yield from rest


def _batches(items: Iterator[Document | Reject], size: int) -> Iterator[list[Document | Reject]]:
    while batch := list(islice(items, size)):
        yield batch


def _submit(
    pool: ProcessPoolExecutor, batch: Sequence[Document | Reject]
) -> tuple[list[Result | None], Future[list[Document | Drop]] | None]:
    """Send the batch's documents to a worker; keep rejects in place as placeholders."""
    slots: list[Result | None] = [item if isinstance(item, Reject) else None for item in batch]
    docs = [item for item in batch if isinstance(item, Document)]
    future = pool.submit(_run_batch, docs) if docs else None
    return slots, future


def _collect(
    entry: tuple[list[Result | None], Future[list[Document | Drop]] | None],
    finish: Callable[[Document | Drop], Document | Drop],
) -> Iterator[Result]:
    slots, future = entry
    done = iter(future.result()) if future is not None else iter(())
    for slot in slots:
        yield slot if slot is not None else finish(next(done))
