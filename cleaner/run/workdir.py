"""The work directory of a resumable run: where it is, whose it is, and what it holds.

A resumable `cleaner clean` keeps its intermediate results (one pickle file per shard of the
input, the shard's signature file for the global de-duplication stages, and a `.done` marker
once both are complete) in a work directory, by default a hidden sibling of the output:
`path/out.jsonl` -> `path/.out.jsonl.cleaner-work/`. The
directory's `run.json` holds a fingerprint of everything the shard files depend on (merged
config, cleaner version, shard size, each input file's size and mtime), so a later run of the
same command picks up where a killed one stopped, while a run with a changed config or changed
inputs can never reuse stale results: it wipes the directory and starts over.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from cleaner.errors import ConfigError
from cleaner.io.atomic import AtomicFile
from cleaner.io.formats import STDIO
from cleaner.io.walk import walk_files

RUN_FILE = "run.json"
MAP_DIR = "map"
FINISH_DIR = "finish"
SUFFIX = ".cleaner-work"
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
    config: Mapping[str, Any], inputs: Sequence[str], *, version: str, shard_size: int
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
        "inputs": files,
    }
    return hashlib.sha256(orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)).hexdigest()


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
            done = sum(1 for name in os.listdir(workdir.map_dir) if name.endswith(".done")) if (
                os.path.isdir(workdir.map_dir)
            ) else 0
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
        name for name in os.listdir(path)
        if name not in (RUN_FILE, MAP_DIR, FINISH_DIR) and not name.startswith(".")
    ]
    if foreign:
        raise ConfigError(
            f"work directory {path} holds files cleaner did not write ({foreign[0]}); "
            "remove it or choose another --workdir"
        )
