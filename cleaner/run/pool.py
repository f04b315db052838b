"""Worker processes, in one place: a bounded, ordered pool every part of a run uses.

`worker_pool` starts the processes (forked where that exists: they start fast and inherit
loaded rule packs, language profiles and a stage's index without pickling them); `in_order`
is the one loop that keeps at most a window of tasks in flight and hands their handles back
in submission order, whatever finished first, so memory stays bounded and output order never
depends on scheduling (the Ray executor uses it with Ray's object references); `ProcessMap`
puts both behind the `TaskMap` a whole-corpus stage receives for its heavy reduce work.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

from cleaner.errors import dead_workers_as_error
from cleaner.run.orphans import die_with_parent

T = TypeVar("T")
H = TypeVar("H")
S = TypeVar("S")
R = TypeVar("R")

#: Tasks in flight per worker: one running, one queued, so no worker waits on the parent.
IN_FLIGHT_PER_WORKER = 2

RESUME_HINT = "; the same command resumes from the shards already finished"

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


@contextmanager
def worker_pool(
    state: object, jobs: int, *, stage: str, hint: str = ""
) -> Iterator[ProcessPoolExecutor]:
    """`jobs` worker processes that each hold `state` (sent once, not with every task).

    A worker that dies becomes a one-line error naming `stage`, ending with `hint`
    (`dead_workers_as_error`). Never more workers than usable cores (`default_jobs`), and each
    ends when this process dies (`cleaner.run.orphans`). When the block raises (an error, a
    closed pipe, Ctrl-C), tasks not yet started are cancelled; running ones finish.
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


def in_order(submit: Callable[[T], H], tasks: Iterable[T], window: int) -> Iterator[H]:
    """Submit every task, at most `window` in flight; yield the handles in task order.

    The caller waits on each handle it is given (`future.result()`, `ray.get`) before asking
    for the next, which is what frees a slot of the window.
    """
    pending: deque[H] = deque()
    for task in tasks:
        pending.append(submit(task))
        if len(pending) >= max(1, window):
            yield pending.popleft()
    while pending:
        yield pending.popleft()


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


def _call(task: Any) -> Any:
    """In a worker of a `ProcessMap`: `function(state, task)` with the pair it was started with."""
    pair = worker_state()
    assert isinstance(pair, tuple)
    function: Callable[[Any, Any], Any] = pair[0]
    return function(pair[1], task)


class ProcessMap:
    """A `cleaner.stage.TaskMap` on `jobs` worker processes, started for each call (so they
    inherit what the caller prepared just before it); with one job, or fewer than two tasks,
    everything runs in this process."""

    def __init__(self, jobs: int, *, stage: str, hint: str = "") -> None:
        self.jobs = jobs
        self.stage = stage
        self.hint = hint

    def __call__(self, function: Callable[[S, T], R], state: S, tasks: Iterable[T]) -> Iterator[R]:
        tasks = list(tasks) if not isinstance(tasks, list) else tasks
        if self.jobs <= 1 or len(tasks) < 2:
            for task in tasks:
                yield function(state, task)
            return
        workers = min(self.jobs, len(tasks))
        with worker_pool((function, state), workers, stage=self.stage, hint=self.hint) as pool:
            window = workers * IN_FLIGHT_PER_WORKER
            for future in in_order(lambda task: pool.submit(_call, task), tasks, window):
                yield future.result()
