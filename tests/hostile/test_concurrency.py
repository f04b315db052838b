"""Concurrent runs and pipes: one run per work directory, a private one for standard output.

Two runs writing the same output must not share a work directory (the second would wipe the
first's shards and the first would then write the second's results): the second stops at once
with one line. A run to standard output works in a private directory of its own, removed when
the run ends, however it ends (done, a reader that closed the pipe, SIGTERM).

The runs that must overlap are held after their map phase by a small wrapper until the test
releases them, so the overlap never depends on timing.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
_ENV = {**os.environ, "PYTHONPATH": str(REPO)}
# How long a test waits for a subprocess to reach a point before it fails (not a timing
# threshold: every wait ends as soon as the point is reached).
_PATIENCE = 120.0

# `cleaner ARGS...`, held once its map phase is done: it creates READY, then waits for GO.
_HOLD_AFTER_MAP = """
import os, sys, time
import cleaner.run.job as job
from cleaner.cli.main import main

ready, go = sys.argv[1], sys.argv[2]
original = job.run_map

def held(*args, **kwargs):
    stats = original(*args, **kwargs)
    open(ready, "w").close()
    while not os.path.exists(go):
        time.sleep(0.02)
    return stats

job.run_map = held
sys.exit(main(sys.argv[3:]))
"""


def _dump(path: Path, prefix: str, count: int = 60) -> Path:
    """`count` documents with ids `prefix-N`; some short ones, which `min_words` can reject."""
    seeds = sorted((REPO / "seeds").iterdir())
    texts = [seed.read_text("utf-8")[:1500] for seed in seeds]
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            text = f"{prefix} dispatch {n}: {texts[n % len(texts)]}"
            if n % 5 == 0:
                text = f"{prefix} note {n} on the budget vote, filed late on Tuesday."
            fh.write(json.dumps({"id": f"{prefix}-{n}", "text": text}) + "\n")
    return path


def _cleaner(*args: str) -> list[str]:
    return [sys.executable, "-m", "cleaner", *args]


def _held(ready: Path, go: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", _HOLD_AFTER_MAP, str(ready), str(go), *args]


def _wait_for(path: Path, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + _PATIENCE
    while not path.exists():
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            raise AssertionError(f"the run ended (exit {proc.returncode}) early: {err}")
        assert time.monotonic() < deadline, f"{path.name} did not appear"
        time.sleep(0.02)


@contextmanager
def _started(command: list[str], **kwargs: object) -> Iterator[subprocess.Popen[bytes]]:
    """A subprocess in a session of its own, killed with its workers if the test fails."""
    proc = subprocess.Popen(command, env=_ENV, start_new_session=True, **kwargs)  # type: ignore[call-overload]
    try:
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _outputs(out: Path) -> tuple[bytes, bytes, dict[str, object]]:
    report = json.loads(out.with_suffix(".report.json").read_text("utf-8"))
    counts = {key: report[key] for key in ("docs_in", "docs_out", "rejected_by_reason")}
    return out.read_bytes(), out.with_suffix(".rejects.jsonl").read_bytes(), counts


def _solo(dump: Path, out: Path, *extra: str) -> tuple[bytes, bytes, dict[str, object]]:
    out.parent.mkdir(parents=True, exist_ok=True)
    args = ["clean", str(dump), "-o", str(out), "--no-progress", "-q", *extra]
    subprocess.run(_cleaner(*args), env=_ENV, check=True)
    return _outputs(out)


_SHARDED = ("--shard-size", "7", "--jobs", "2", "--no-progress", "-q")


@pytest.mark.slow
def test_a_second_run_on_the_same_output_stops_with_one_line(tmp_path: Path) -> None:
    dump = _dump(tmp_path / "dump.jsonl", "a")
    out = tmp_path / "run" / "out.jsonl"
    out.parent.mkdir()
    work = out.parent / ".out.jsonl.cleaner-work"
    ready, go = tmp_path / "ready", tmp_path / "go"
    first_args = ["clean", str(dump), "-o", str(out), *_SHARDED]
    with _started(_held(ready, go, *first_args), stderr=subprocess.PIPE) as first:
        _wait_for(ready, first)
        second = subprocess.run(
            _cleaner(*first_args, "--set", "filters.min_words=40"),
            env=_ENV,
            capture_output=True,
            text=True,
        )
        go.touch()
        assert first.wait() == 0
    assert second.returncode == 2
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert str(work) in lines[0]
    assert f"another cleaner run (pid {first.pid})" in lines[0]
    assert "--workdir" in lines[0]
    assert _outputs(out) == _solo(dump, tmp_path / "solo" / "out.jsonl", *_SHARDED)
    assert not work.exists()
    assert not Path(f"{work}.lock").exists()


@pytest.mark.slow
def test_the_lock_of_a_killed_run_is_released_and_the_rerun_resumes(tmp_path: Path) -> None:
    dump = _dump(tmp_path / "dump.jsonl", "a")
    out = tmp_path / "run" / "out.jsonl"
    out.parent.mkdir()
    ready, go = tmp_path / "ready", tmp_path / "go"
    args = ["clean", str(dump), "-o", str(out), *_SHARDED]
    with _started(_held(ready, go, *args), stderr=subprocess.PIPE) as first:
        _wait_for(ready, first)
        os.killpg(first.pid, signal.SIGKILL)
    # without -q, which silences the "resuming from" notice
    rerun = [arg for arg in args if arg != "-q"]
    again = subprocess.run(_cleaner(*rerun), env=_ENV, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "resuming from" in again.stderr
    assert _outputs(out) == _solo(dump, tmp_path / "solo" / "out.jsonl", *_SHARDED)


@pytest.mark.slow
def test_two_pipe_runs_each_print_their_own_documents(tmp_path: Path) -> None:
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    go = tmp_path / "go"
    dumps = [_dump(tmp_path / f"{name}.jsonl", name) for name in ("a", "b")]
    expected = [
        subprocess.run(
            _cleaner("clean", str(dump), "-o", "-", *_SHARDED),
            env=_ENV,
            cwd=cwd,
            capture_output=True,
            check=True,
        ).stdout
        for dump in dumps
    ]
    readies = [tmp_path / "ready-a", tmp_path / "ready-b"]
    with (
        _started(
            _held(readies[0], go, "clean", str(dumps[0]), "-o", "-", *_SHARDED),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as first,
        _started(
            _held(readies[1], go, "clean", str(dumps[1]), "-o", "-", *_SHARDED),
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as second,
    ):
        _wait_for(readies[0], first)
        _wait_for(readies[1], second)  # both have mapped their shards: both are mid-run
        go.touch()
        printed = [proc.communicate()[0] for proc in (first, second)]
        assert (first.returncode, second.returncode) == (0, 0)
    assert printed == expected
    assert b'"id":"a-1"' in printed[0] and b'"id":"b-' not in printed[0]
    assert list(cwd.glob("*.cleaner-work*")) == []


def _leftover_workdirs(*roots: Path) -> list[Path]:
    return [path for root in roots for path in root.rglob("*") if "cleaner-work" in path.name]


@pytest.mark.slow
def test_a_pipe_closed_early_is_quiet_and_leaves_no_work_directory(tmp_path: Path) -> None:
    dump = _dump(tmp_path / "dump.jsonl", "a", count=3000)
    cwd, tmpdir = tmp_path / "cwd", tmp_path / "tmp"
    cwd.mkdir()
    tmpdir.mkdir()
    env = {**_ENV, "TMPDIR": str(tmpdir)}
    command = _cleaner("clean", str(dump), "-o", "-", "--shard-size", "100", "--no-progress")
    proc = subprocess.Popen(
        command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()  # as `| head -1` does, then the reader goes away
        proc.stdout.close()
        err = proc.stderr.read().decode()
        code = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert json.loads(first)["id"] == "a-0"
    assert code == 0, err
    assert "Traceback" not in err and "Exception" not in err, err
    assert _leftover_workdirs(cwd, tmpdir) == []


@pytest.mark.slow
def test_sigterm_removes_the_private_work_directory(tmp_path: Path) -> None:
    dump = _dump(tmp_path / "dump.jsonl", "a")
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    ready, go = tmp_path / "ready", tmp_path / "go"
    env = {**_ENV, "TMPDIR": str(tmpdir)}
    command = _held(ready, go, "clean", str(dump), "-o", "-", *_SHARDED)
    proc = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        _wait_for(ready, proc)
        assert len(_leftover_workdirs(tmpdir)) >= 1  # the run's private directory, mid-run
        proc.send_signal(signal.SIGTERM)
        code = proc.wait()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert code == -signal.SIGTERM
    assert _leftover_workdirs(tmpdir) == []
    assert list(tmp_path.glob(".cleaner-stdout*")) == []
