"""Ordered, bounded-memory execution of a pipeline over a stream of inputs.

The parallel prefix of the chain (every processor before the first sequential one) runs in
worker processes on batches of documents; results come back in input order and the sequential
suffix (exact de-duplication) runs here, in the parent, in that same order. Only a fixed window
of batches is ever in flight, so memory stays bounded however long the input is, and the output
order never depends on which worker finished first. Barrier processors (near-duplicate
detection) make the run two passes over a spool file; see `execute`.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from itertools import chain, islice

from cleaner.document import Document, Drop, Reject
from cleaner.errors import dead_workers_as_error
from cleaner.pipeline import Pipeline, apply_chain
from cleaner.run.orphans import die_with_parent
from cleaner.run.spool import Spool

Result = Document | Drop | Reject

# Batches in flight per worker: enough to keep every core busy while the parent writes.
_WINDOW_PER_WORKER = 3

# What a worker process holds, set once when the worker starts (see `worker_pool`).
_worker_state: object = None

log = logging.getLogger(__name__)


def _init_worker(state: object, parent: int) -> None:
    global _worker_state
    # SIGTERM ends a worker (as a pool ending a broken run sends it), whatever handler the
    # parent had when it forked this one; and a worker never outlives its parent.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(parent)
    _worker_state = state


def worker_state() -> object:
    """In a worker of a `worker_pool`: the object it was started with."""
    return _worker_state


RESUME_HINT = "; the same command resumes from the shards already finished"


@contextmanager
def worker_pool(
    state: object, jobs: int, *, stage: str, hint: str = ""
) -> Iterator[ProcessPoolExecutor]:
    """`jobs` worker processes that each hold `state` (sent once, not with every task).

    Workers are forked where that exists: they start fast and inherit loaded rule packs and
    language profiles. A worker that dies becomes a one-line error naming `stage`, ending with
    `hint` (`dead_workers_as_error`). Never more workers than usable cores (`default_jobs`),
    and each ends when this process dies (`cleaner.run.orphans`). When the block raises (an
    error, a closed pipe, Ctrl-C), tasks not yet started are cancelled; running ones finish.
    """
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    workers = max(1, min(jobs, default_jobs()))
    with (
        dead_workers_as_error(stage, hint),
        ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(state, os.getpid()),
        ) as pool,
    ):
        try:
            yield pool
        except BaseException:
            # Waits for the tasks already running (they may be writing into the work
            # directory the caller is about to remove); drops those still queued.
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _run_batch(batch: list[Document]) -> list[Document | Drop]:
    chain = worker_state()
    assert isinstance(chain, tuple)
    return [apply_chain(chain, doc) for doc in batch]


def default_jobs() -> int:
    """One worker per core this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def capped_jobs(requested: int, *, warn: bool = False) -> int:
    """How many workers `requested` jobs means: every usable core for 0 (or less), and never
    more than the usable cores (more would only compete for them, each worker holding its
    own memory). With `warn`, a request over the cap is said in one line on stderr."""
    cores = default_jobs()
    if requested <= 0:
        return cores
    if requested > cores:
        if warn:
            log.warning(
                "--jobs %d is more than the %d usable cores; running %d workers",
                requested,
                cores,
                cores,
            )
        return cores
    return requested


def execute_measured(
    pipeline: Pipeline,
    measured: Iterable[tuple[int, Result]],
    *,
    jobs: int,
    batch_size: int = 64,
) -> Iterator[tuple[int, Result]]:
    """`execute` over `(input length, item)` pairs: yield `(input length, result)` pairs."""
    # Input lengths, in input order, until their results come back (in the same order).
    lengths: deque[int] = deque()

    def source() -> Iterator[Result]:
        for length, item in measured:
            lengths.append(length)
            yield item

    for result in execute(pipeline, source(), jobs=jobs, batch_size=batch_size):
        yield lengths.popleft(), result


def execute(
    pipeline: Pipeline,
    items: Iterable[Document | Drop | Reject],
    *,
    jobs: int = 0,
    batch_size: int = 64,
) -> Iterator[Result]:
    """Yield one result per input item, in input order.

    `items` may contain `Reject`s from the reader (and `Drop`s from an earlier stage); they
    pass straight through in their place. `jobs` <= 0 means one worker per core; with one job,
    or when the whole input fits in one batch, everything runs in this process.

    A barrier processor (near-duplicate detection) splits the run in two passes: the chain up
    to the barrier runs over the whole input, its results spooled to a temporary file while
    the barrier observes each document; then the spool is replayed through the barrier's
    decision and the rest of the chain (which may hold further barriers).
    """
    head, barrier, tail = pipeline.split_at_barrier()
    if barrier is None or tail is None:
        yield from _execute_chain(pipeline, items, jobs=jobs, batch_size=batch_size)
        return
    state = barrier.start()
    with Spool() as spool:
        for position, result in enumerate(
            _execute_chain(head, items, jobs=jobs, batch_size=batch_size)
        ):
            spool.append(result)
            if isinstance(result, Document):
                state.observe(position, result)
        state.finish()

        def decided() -> Iterator[Result]:
            for position, result in enumerate(spool.replay()):
                if isinstance(result, Document):
                    yield guarded_apply(barrier.name, state.apply, position, result)
                else:
                    yield result

        yield from execute(tail, decided(), jobs=jobs, batch_size=batch_size)


def guarded_apply(
    name: str,
    apply: Callable[[int, Document], Document | Drop],
    position: int,
    doc: Document,
) -> Document | Drop:
    """A barrier's decision, with the same error policy as `apply_chain`."""
    try:
        return apply(position, doc)
    except Exception as exc:
        return Drop(doc, name, "error", f"{type(exc).__name__}: {exc}")


def _execute_chain(
    pipeline: Pipeline,
    items: Iterable[Document | Drop | Reject],
    *,
    jobs: int,
    batch_size: int,
) -> Iterator[Result]:
    """Run a chain without barriers: parallel prefix on workers, sequential suffix here."""
    jobs = capped_jobs(jobs)
    batch_size = max(1, batch_size)
    prefix, _ = pipeline.split()
    suffix = pipeline.fresh_sequential()

    def finish(result: Document | Drop) -> Document | Drop:
        if isinstance(result, Document) and suffix:
            result = apply_chain(suffix, result)
        return pipeline.finish(result)

    iterator = iter(items)
    # With one job, nothing is read ahead: the stream stays lazy item by item.
    first = [] if jobs == 1 else list(islice(iterator, batch_size))
    exhausted = len(first) < batch_size
    if jobs == 1 or exhausted or not prefix:
        for item in chain(first, iterator):
            if isinstance(item, Document):
                yield finish(apply_chain(prefix, item))
            else:
                yield item
        return

    pending: deque[tuple[list[Result | None], Future[list[Document | Drop]] | None]] = deque()
    window = jobs * _WINDOW_PER_WORKER
    with worker_pool(prefix, jobs, stage="cleaning") as pool:
        for batch in _batches(chain(first, iterator), batch_size):
            pending.append(_submit(pool, batch))
            while len(pending) >= window:
                yield from _collect(pending.popleft(), finish)
        while pending:
            yield from _collect(pending.popleft(), finish)


def _batches(
    items: Iterator[Document | Drop | Reject], size: int
) -> Iterator[list[Document | Drop | Reject]]:
    while batch := list(islice(items, size)):
        yield batch


def _submit(
    pool: ProcessPoolExecutor, batch: Sequence[Document | Drop | Reject]
) -> tuple[list[Result | None], Future[list[Document | Drop]] | None]:
    """Send the batch's documents to a worker; keep other results in place."""
    slots: list[Result | None] = [None if isinstance(item, Document) else item for item in batch]
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
