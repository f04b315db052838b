"""The map stage of a resumable run on Ray (`cleaner clean --executor ray`, extra `cleaner[ray]`).

Same shards, same `MapTask`, same files as the local executor (`cleaner.run.shards.run_map`);
only where the shards run changes. The task is put into the object store once; each pending
shard becomes one Ray task that returns its `ShardPayload` (the shard's file contents, as
bytes) and the driver commits it into the work directory. Nothing on the workers touches the
filesystem, so a cluster needs no shared storage, and the reduce (in the driver, as in a local run)
reads exactly the files a local run would have written: the output is byte-identical.

Shards are read from the input lazily and at most two per cluster CPU are in flight (the
runner's one bounded loop, `cleaner.run.pool.in_order`), committed in shard order, so the
driver's memory stays bounded however long the input is. A failed task stops the run with a
one-line error; shards committed until then stay, and running the same command again resumes
from them (with either executor: neither `--executor` nor `--address` is part of the work
directory's fingerprint).

Ray itself is imported only here, and only when this executor is used.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any

from cleaner.errors import CleanerError
from cleaner.optional import RAY, require
from cleaner.run.plan import Record
from cleaner.run.pool import default_jobs, in_order
from cleaner.run.shards import (
    MapStats,
    MapTask,
    Shard,
    ShardPayload,
    commit_shard,
    pending_shards,
)
from cleaner.run.workdir import WorkDir

# Shards in flight per CPU of the cluster: one running, one queued, as with local workers.
_IN_FLIGHT_PER_CPU = 2


def import_ray() -> ModuleType:
    """The `ray` module, or a ConfigError saying how to install it."""
    return require(RAY, "--executor ray")


def _map_shard(task: MapTask, items: Sequence[Record]) -> ShardPayload:
    """In a Ray worker: one shard's work. `task` arrives from the object store."""
    return task.run(items)


def run_map_ray(
    workdir: WorkDir,
    items: Iterable[Record],
    task: MapTask,
    *,
    shard_size: int,
    address: str | None = None,
    num_cpus: int | None = None,
) -> MapStats:
    """`run_map` on Ray: write every shard not yet done; return how many shards there are and
    how many were already done.

    `address` names a running cluster ("auto", "HOST:PORT", "ray://HOST:10001"); without one a
    local Ray instance with `num_cpus` CPUs (default: every core) is started for this run and
    shut down after it. If Ray is already initialised in this process (a library caller's own
    session), that session is used and left running.
    """
    ray = import_ray()
    sigterm = _sigterm_handler()
    started = _connect(ray, address, num_cpus)
    try:
        return _map(ray, workdir, items, task, shard_size)
    finally:
        if started:
            ray.shutdown()
            # ray.init installs its own SIGTERM handler in the driver and leaves it there.
            if sigterm is not None:
                signal.signal(signal.SIGTERM, sigterm)


def _sigterm_handler() -> Any:
    """This process's SIGTERM handler, when it can be restored here (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.getsignal(signal.SIGTERM)


def _connect(ray: Any, address: str | None, num_cpus: int | None) -> bool:
    """Initialise Ray unless it already is; True when this call did (and must shut it down)."""
    if ray.is_initialized():
        return False
    # Quiet: no "Started a local Ray instance" banner, no token-auth notice, no worker logs
    # (a task's failure still comes back to the driver as an exception).
    quiet = {"include_dashboard": False, "log_to_driver": False, "logging_level": logging.ERROR}
    try:
        if address:
            ray.init(address=address, **quiet)
        else:
            cpus = num_cpus if num_cpus and num_cpus > 0 else default_jobs()
            ray.init(address="local", num_cpus=cpus, **quiet)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        if ray.is_initialized():  # half started: take down what there is
            ray.shutdown()
        where = f"--address {address}" if address else "a local Ray instance"
        raise CleanerError(f"cannot start Ray on {where}: {_one_line(exc)}") from exc
    return True


def _map(
    ray: Any,
    workdir: WorkDir,
    items: Iterable[Record],
    task: MapTask,
    shard_size: int,
) -> MapStats:
    stats = [0, 0]
    cpus = int(ray.cluster_resources().get("CPU", 1))
    window = max(1, cpus) * _IN_FLIGHT_PER_CPU
    remote = ray.remote(num_cpus=1)(_map_shard)
    task_ref = ray.put(task)  # shipped once; each task gets a reference
    submitted: list[Any] = []  # object refs in flight, for cancelling after a failure

    def submit(shard: Shard) -> tuple[int, Any]:
        index, items = shard
        ref = remote.remote(task_ref, items)
        submitted.append(ref)
        return index, ref

    try:
        shards = pending_shards(workdir, items, shard_size, stats)
        for index, ref in in_order(submit, shards, window):
            submitted.remove(ref)
            commit_shard(workdir, index, _payload(ray, workdir, index, ref))
    finally:
        for ref in submitted:  # only left after a failure or an interrupt
            with contextlib.suppress(Exception):  # never hide the error that got us here
                ray.cancel(ref, force=True)
    return MapStats(*stats)


def _payload(ray: Any, workdir: WorkDir, index: int, ref: Any) -> ShardPayload:
    """Shard `index`'s payload, once its task is done; a failed task is a CleanerError."""
    try:
        payload = ray.get(ref)
    except ray.exceptions.RayError as exc:
        raise CleanerError(
            f"shard {index} failed on Ray: {_task_error(exc)}"
            f" ({workdir.path} keeps the shards done so far: run again to resume)"
        ) from exc
    assert isinstance(payload, ShardPayload)
    return payload


def _task_error(exc: BaseException) -> str:
    """The error that made a task fail, in one line: the task's own exception when there is
    one (`RayTaskError.cause`), else Ray's (a worker crash, out of memory, a lost node)."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, BaseException):
        return f"{type(cause).__name__}: {_one_line(cause)}"
    return f"{type(exc).__name__}: {_one_line(exc)}"


def _one_line(exc: BaseException, limit: int = 300) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    return text if len(text) <= limit else text[: limit - 3] + "..."
