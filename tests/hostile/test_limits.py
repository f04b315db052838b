"""Huge documents do not exhaust memory: `cleaner clean` run as a child with its peak RSS read.

Two hostile inputs, generated on the fly and streamed (nothing big is written to disk):

- a `.jsonl.gz` bomb: 2 MB that expand to one record of 2 GB (`BOMB_MB`) between normal
  records (a 1 MB chunk is gzip-compressed once and the member repeated: multi-member gzip is
  valid);
- 1 GB (`STDIN_MB`) of plain text on standard input, fed by a thread, beside a normal file.

The peak resident set of the child (and of any worker it waited for) comes from `os.wait4`;
an address-space limit on the child stops a regression before it takes the machine down.
Each takes about 10-20 s on two cores; `CLEANER_HOSTILE_MB=300` sets both sizes smaller for a
quick run.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import resource
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
_SIZE = os.environ.get("CLEANER_HOSTILE_MB")
BOMB_MB = int(_SIZE or 2048)
STDIN_MB = int(_SIZE or 1024)
PEAK_RSS_LIMIT = 1 << 30  # bytes
ADDRESS_SPACE_GUARD = 6 << 30  # the child fails rather than take the machine down
LIMIT = 1_000_000  # [input] max_document_bytes for these runs
MB = 1 << 20
NORMAL = [
    {"id": "n1", "text": "The council approved the new budget for the harbour on Monday."},
    {"id": "n2", "text": "The mayor opened the new library in the old town hall on Friday."},
]

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Run:
    returncode: int
    peak_rss: int  # bytes
    stderr: str


def run_cleaner(args: list[str], cwd: Path, stdin_chunks: Iterator[bytes] | None = None) -> Run:
    """`cleaner ARGS` in a child process; its peak RSS, exit code and stderr."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_GUARD, ADDRESS_SPACE_GUARD))

    env = {**os.environ, "PYTHONPATH": str(REPO)}
    with (cwd / "stderr.txt").open("w+b") as err:
        child = subprocess.Popen(
            [sys.executable, "-m", "cleaner", *args],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE if stdin_chunks is not None else subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
            preexec_fn=limit_memory,
        )
        feeder = None
        if stdin_chunks is not None:
            assert child.stdin is not None
            feeder = threading.Thread(target=_feed, args=(child.stdin, stdin_chunks))
            feeder.start()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        if feeder is not None:
            feeder.join()
        err.seek(0)
        stderr = err.read().decode("utf-8", errors="replace")
    return Run(child.returncode, usage.ru_maxrss * 1024, stderr)


def _feed(pipe: IO[bytes], chunks: Iterator[bytes]) -> None:
    with contextlib.suppress(BrokenPipeError):  # the child may stop reading early
        try:
            for chunk in chunks:
                pipe.write(chunk)
        finally:
            pipe.close()


def jsonl(records: list[dict[str, str]]) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


def write_gzip_bomb(path: Path, megabytes: int) -> tuple[int, str]:
    """NORMAL[0], a record of `megabytes` MB of text, NORMAL[1], as concatenated gzip members.

    Returns the big line's size in bytes and its SHA-256, newline excluded.
    """
    head = jsonl(NORMAL[:1]) + b'{"id":"big","text":"'
    chunk = b"a" * MB
    tail = b'"}'
    member = gzip.compress(chunk, mtime=0)
    digest = hashlib.sha256(b'{"id":"big","text":"')
    with path.open("wb") as out:
        out.write(gzip.compress(head, mtime=0))
        for _ in range(megabytes):
            out.write(member)
            digest.update(chunk)
        out.write(gzip.compress(tail + b"\n" + jsonl(NORMAL[1:]), mtime=0))
    digest.update(tail)
    return len(b'{"id":"big","text":"') + megabytes * MB + len(tail), digest.hexdigest()


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def check_counts(out_dir: Path, *, docs_in: int, docs_out: int, rejected: int) -> None:
    report = json.loads((out_dir / "out.report.json").read_text("utf-8"))
    assert (report["docs_in"], report["docs_out"], report["rejected"]) == (
        docs_in,
        docs_out,
        rejected,
    )
    assert report["docs_in"] == report["docs_out"] + report["rejected"]


def test_gzip_bomb_record_is_rejected_in_bounded_memory(tmp_path: Path) -> None:
    size, sha256 = write_gzip_bomb(tmp_path / "bomb.jsonl.gz", BOMB_MB)
    assert (tmp_path / "bomb.jsonl.gz").stat().st_size < BOMB_MB * 2048  # a real bomb
    run = run_cleaner(
        ["clean", "bomb.jsonl.gz", "-o", "out.jsonl", "--set", f"input.max_document_bytes={LIMIT}"],
        tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert run.peak_rss < PEAK_RSS_LIMIT, f"peak RSS {run.peak_rss / MB:.0f} MB"
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["n1", "n2"]
    [reject] = read_jsonl(tmp_path / "out.rejects.jsonl")
    assert reject["reason"] == "too_large"
    assert (reject["size"], reject["sha256"], reject["line"]) == (size, sha256, 2)
    assert reject["offset"] == len(jsonl(NORMAL[:1]))
    assert len(str(reject["raw"])) <= 1000
    check_counts(tmp_path, docs_in=3, docs_out=2, rejected=1)


def test_huge_stdin_text_is_rejected_in_bounded_memory(tmp_path: Path) -> None:
    line = b"the quick brown fox jumps over the lazy dog by the harbour wall.\n"
    block = (line * (MB // len(line) + 1))[:MB]
    (tmp_path / "normal").mkdir()
    (tmp_path / "normal" / "n1.txt").write_text(NORMAL[0]["text"])
    run = run_cleaner(
        ["clean", "-", "normal", "-o", "out.jsonl", "--set", f"input.max_document_bytes={LIMIT}"],
        tmp_path,
        stdin_chunks=(block for _ in range(STDIN_MB)),
    )
    assert run.returncode == 0, run.stderr
    assert run.peak_rss < PEAK_RSS_LIMIT, f"peak RSS {run.peak_rss / MB:.0f} MB"
    [reject] = read_jsonl(tmp_path / "out.rejects.jsonl")
    assert (reject["id"], reject["reason"]) == ("stdin", "too_large")
    assert reject["size"] == STDIN_MB * MB and "size_is_minimum" not in reject
    assert [r["id"] for r in read_jsonl(tmp_path / "out.jsonl")] == ["n1.txt"]
    check_counts(tmp_path, docs_in=2, docs_out=1, rejected=1)
