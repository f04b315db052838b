"""The work directory of a resumable run: where it is, whose it is, and what it holds.

A resumable `cleaner clean` keeps its intermediate results (one pickle file per shard of the
input, the shard's signature file for the global de-duplication stages, and a `.done` marker
once both are complete) in a work directory, by default a hidden sibling of the output:
`path/out.jsonl` -> `path/.out.jsonl.cleaner-work/`. The
directory's `run.json` holds a fingerprint of everything the shard files depend on (merged
config, cleaner version, shard size, each input file's size and mtime, the contents of every
rule file the config names), so a later run of the same command picks up where a killed one
stopped, while a run with a changed config, changed inputs or an edited rule can never reuse
stale results: it wipes the directory and starts over.

One run at a time: a run holds an advisory lock on the file beside its work directory
(`.out.jsonl.cleaner-work.lock`, never inside, so wiping a stale directory cannot remove it)
from before it opens the directory until its outputs are written; another run with the same
work directory stops at once. Standard output (`-o -`) gets a private work directory in
TMPDIR, removed when the run ends however it ends: a pipe run is never resumed.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType
from typing import Any

import orjson

from cleaner.errors import ConfigError
from cleaner.io.atomic import AtomicFile
from cleaner.io.formats import STDIO
from cleaner.io.walk import walk_files
from cleaner.rules.loader import rule_digests, rules_dirs

RUN_FILE = "run.json"
MAP_DIR = "map"
FINISH_DIR = "finish"
SUFFIX = ".cleaner-work"
LOCK_SUFFIX = ".lock"
# [run] keys that change how fast (or where) a run goes, never what it writes: resuming with
# another --jobs, or on Ray a run the local executor started (and back), is fine.
_SPEED_ONLY = ("jobs", "batch_size", "executor", "address")


def default_workdir(output: str) -> str:
    """The hidden sibling of `output` that holds its run's intermediate results."""
    if output == STDIO:
        return ".cleaner-stdout" + SUFFIX
    trimmed = output.rstrip("/" + os.sep) or output
    head, tail = os.path.split(trimmed)
    return os.path.join(head, f".{tail}{SUFFIX}")


def fingerprint(
    config: Mapping[str, Any],
    inputs: Sequence[str],
    *,
    version: str,
    shard_size: int,
    shard_chars: int,
) -> str:
    """sha256 over what the shard files depend on; any change means they cannot be reused."""
    run = {k: v for k, v in config.get("run", {}).items() if k not in _SPEED_ONLY}
    relevant = {**config, "run": run}
    files: list[list[Any]] = []
    for path in inputs:
        if os.path.isdir(path):
            for entry in walk_files(path):
                files.append([path, entry.rel, *_stat(entry.path)])
        else:
            files.append([path, "", *_stat(path)])
    payload = {
        "config": relevant,
        "version": version,
        "shard_size": shard_size,
        "shard_chars": shard_chars,
        "inputs": files,
        "rules": [list(pair) for pair in rule_digests(rules_dirs(config))],
    }
    # The standard library's encoder, which escapes the lone surrogates that stand for the
    # undecodable bytes of a file name (orjson refuses them).
    encoded = json.dumps(payload, sort_keys=True, ensure_ascii=True).encode("ascii")
    return hashlib.sha256(encoded).hexdigest()


def _stat(path: str) -> tuple[int, int]:
    try:
        info = os.stat(path)
    except OSError:
        return -1, -1
    return info.st_size, info.st_mtime_ns


@dataclass(frozen=True)
class WorkDir:
    """One run's work directory (see the module docstring)."""

    path: str

    @property
    def map_dir(self) -> str:
        return os.path.join(self.path, MAP_DIR)

    def shard_file(self, index: int) -> str:
        return os.path.join(self.map_dir, f"{index:06d}.pkl")

    def signature_file(self, index: int) -> str:
        """The shard's signatures for the global stages (`cleaner.run.signatures`)."""
        return os.path.join(self.map_dir, f"{index:06d}.sig")

    def done_file(self, index: int) -> str:
        return os.path.join(self.map_dir, f"{index:06d}.done")

    @property
    def finish_dir(self) -> str:
        return os.path.join(self.path, FINISH_DIR)

    def finished_file(self, index: int, kind: str) -> str:
        """A shard finished by a reduce worker: its encoded output records (`kind` "out") or
        rejects lines ("rej"), read back and deleted by the parent (`cleaner.run.finish`)."""
        return os.path.join(self.finish_dir, f"{index:06d}.{kind}")

    def is_done(self, index: int) -> bool:
        return os.path.exists(self.done_file(index))

    def done_count(self, index: int) -> int:
        """How many input items the committed shard `index` holds (its marker says)."""
        with open(self.done_file(index), "rb") as fh:
            return int(fh.read().strip() or b"0")

    def remove(self) -> None:
        """Delete the directory: the run's output is committed and nothing here is needed."""
        shutil.rmtree(self.path, ignore_errors=True)


def open_workdir(path: str, digest: str) -> tuple[WorkDir, str]:
    """Resume the work directory at `path` if its fingerprint is `digest`, else start it afresh.

    Returns the directory and a one-line notice for stderr ("" for a plain fresh start). A
    directory that exists but does not look like a cleaner work directory is never wiped:
    that raises ConfigError instead (a mistyped --workdir must not delete someone's files).
    """
    workdir = WorkDir(path)
    notice = ""
    if os.path.isdir(path):
        if _read_digest(path) == digest:
            done = (
                sum(1 for name in os.listdir(workdir.map_dir) if name.endswith(".done"))
                if (os.path.isdir(workdir.map_dir))
                else 0
            )
            return workdir, f"cleaner: resuming from {path} ({done} shards already done)"
        _check_ours(path)
        shutil.rmtree(path)
        notice = f"cleaner: {path} belongs to a different config or inputs; starting afresh"
    elif os.path.exists(path):
        raise ConfigError(f"--workdir {path}: exists and is not a directory")
    os.makedirs(workdir.map_dir)
    with AtomicFile(os.path.join(path, RUN_FILE)) as fh:
        fh.write(orjson.dumps({"fingerprint": digest}) + b"\n")
    return workdir, notice


def _read_digest(path: str) -> str | None:
    try:
        with open(os.path.join(path, RUN_FILE), "rb") as fh:
            data = orjson.loads(fh.read())
    except (OSError, orjson.JSONDecodeError):
        return None
    digest = data.get("fingerprint") if isinstance(data, dict) else None
    return digest if isinstance(digest, str) else None


def _check_ours(path: str) -> None:
    """Raise unless `path` holds only what a work directory holds (and hidden temp files)."""
    foreign = [
        name
        for name in os.listdir(path)
        if name not in (RUN_FILE, MAP_DIR, FINISH_DIR) and not name.startswith(".")
    ]
    if foreign:
        raise ConfigError(
            f"work directory {path} holds files cleaner did not write ({foreign[0]}); "
            "remove it or choose another --workdir"
        )


def lock_path(workdir: str) -> str:
    """The lock file of the work directory `workdir`: its sibling `WORKDIR.lock`."""
    trimmed = workdir.rstrip("/" + os.sep) or workdir
    return trimmed + LOCK_SUFFIX


@contextlib.contextmanager
def locked(workdir: str) -> Iterator[None]:
    """Hold the work directory's advisory lock for the block, or raise ConfigError at once
    naming the run (pid) that holds it.

    An `flock` lock: the kernel drops it when the process dies, even by SIGKILL, so a killed
    run never blocks the rerun that resumes it. Processes forked while it is held close their
    copy of it at once (`_HELD`), so a worker never holds it for its parent. The lock file is
    removed, still locked, when the block ends; a run that opened it just before checks after
    locking that the path still names the file it locked, and otherwise starts over on the
    new one.
    """
    path = lock_path(workdir)
    parent = os.path.dirname(path)
    if parent:
        os.makedirs(parent, exist_ok=True)
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            holder = _holder(fd)
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN):  # held by another run
                by = f" (pid {holder})" if holder else ""
                raise ConfigError(
                    f"work directory {workdir} is in use by another cleaner run{by}; wait for"
                    " it to finish, or give this run its own --workdir"
                ) from None
            raise
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        if current is not None and os.path.samestat(current, os.fstat(fd)):
            break
        os.close(fd)
    _HELD.add(fd)
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)
        _HELD.discard(fd)
        os.close(fd)


# The descriptors of the locks this process holds; a forked child closes its copies.
_HELD: set[int] = set()


def _close_held_locks() -> None:
    for fd in _HELD:
        with contextlib.suppress(OSError):
            os.close(fd)
    _HELD.clear()


os.register_at_fork(after_in_child=_close_held_locks)


def _holder(fd: int) -> int | None:
    """The pid the lock's holder wrote into the lock file, if it did."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None


class _Terminated(BaseException):
    """SIGTERM, raised in the main thread so that cleanup blocks run."""


@contextlib.contextmanager
def private_workdir() -> Iterator[str]:
    """A work directory of this run alone, in TMPDIR, removed when the block ends: normally,
    on an error, a closed pipe, Ctrl-C, or SIGTERM (after which the process still ends by
    SIGTERM, as it would have without the cleanup)."""
    with _sigterm_raises():
        root = tempfile.mkdtemp(prefix=".cleaner-stdout-", suffix=SUFFIX)
        try:
            yield os.path.join(root, "work")
        finally:
            shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """In the main thread: SIGTERM raises in the block; once the block has unwound, the
    process terminates itself with the default SIGTERM action."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: FrameType | None) -> None:
        raise _Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    except _Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        raise  # pragma: no cover - not reached: the signal ends the process
    finally:
        # None: the handler was not set from Python; the default is the closest there is.
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
