"""Worker processes: never more than the cores or the shards to run, and none outlives its
parent. `--jobs 100000` once forked without bound and took the machine down, and the workers
of a killed run stayed behind for good."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import cleaner.run.pool as pool
from cleaner.cli.main import main

REPO = Path(__file__).resolve().parents[2]
_ENV = {**os.environ, "PYTHONPATH": str(REPO)}
# How long the test waits for the killed run's workers to be gone before it fails.
_PATIENCE = 60.0


def _dump(path: Path, count: int) -> Path:
    seeds = sorted((REPO / "seeds").iterdir())
    texts = [seed.read_text("utf-8")[:1500] for seed in seeds]
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            text = f"Dispatch {n}: {texts[n % len(texts)]}"
            fh.write(json.dumps({"id": f"doc-{n}", "text": text}) + "\n")
    return path


def _spy_on_pools(monkeypatch: pytest.MonkeyPatch, limit: int) -> list[int]:
    """Record the size of every process pool the run creates; refuse (before forking) one
    larger than `limit`."""
    sizes: list[int] = []

    class Spy(ProcessPoolExecutor):
        def __init__(self, max_workers: int | None = None, *args: Any, **kwargs: Any) -> None:
            sizes.append(max_workers or 0)
            assert max_workers is not None and max_workers <= limit, sizes
            super().__init__(max_workers, *args, **kwargs)

    monkeypatch.setattr(pool, "ProcessPoolExecutor", Spy)  # every pool of a run is made there
    return sizes


def test_jobs_over_the_cores_are_capped_with_one_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    cores = len(os.sched_getaffinity(0))
    sizes = _spy_on_pools(monkeypatch, cores)
    dump = _dump(tmp_path / "dump.jsonl", 40)
    args = ["clean", str(dump), "--shard-size", "5", "--no-progress"]
    assert main([*args, "-o", str(tmp_path / "many.jsonl"), "--jobs", "100000"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "usable cores" in line] == [
        f"cleaner: warning: --jobs 100000 is more than the {cores} usable cores;"
        f" running {cores} workers"
    ]
    assert main([*args, "-q", "-o", str(tmp_path / "quiet.jsonl"), "--jobs", "100000"]) == 0
    assert capsys.readouterr().err == ""  # -q: errors only
    assert all(size <= cores for size in sizes)
    assert main([*args, "-o", str(tmp_path / "one.jsonl"), "--jobs", "1"]) == 0
    assert (tmp_path / "many.jsonl").read_bytes() == (tmp_path / "one.jsonl").read_bytes()


def test_no_more_workers_than_shards(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sizes = _spy_on_pools(monkeypatch, 1)  # one shard: nothing for a second worker to do
    dump = _dump(tmp_path / "dump.jsonl", 20)
    out = tmp_path / "out.jsonl"
    code = main(["clean", str(dump), "-o", str(out), "--jobs", "2", "--no-progress", "-q"])
    assert code == 0
    assert all(size <= 1 for size in sizes)


@pytest.mark.parametrize(
    "flags",
    [
        ["--jobs", "-3"],
        ["--jobs", "two"],
        ["--jobs", "1.5"],
        ["--set", "run.jobs=-1"],
        ["--set", "run.jobs=1.5"],
    ],
)
def test_absurd_jobs_are_a_one_line_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flags: list[str]
) -> None:
    dump = _dump(tmp_path / "dump.jsonl", 2)
    code = main(["clean", str(dump), "-o", str(tmp_path / "o.jsonl"), "--no-progress", *flags])
    assert code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "jobs" in err
    assert not (tmp_path / "o.jsonl").exists()


# `cleaner ARGS...` on a machine with (at least) two usable cores, whatever this one has;
# with "fallback", as where prctl is missing: only the workers' watcher threads are left.
_TWO_CORES = """
import sys
import cleaner.run.pool as pool
import cleaner.run.orphans as orphans
from cleaner.cli.main import main

pool.default_jobs = lambda: 2
if sys.argv[1] == "fallback":
    orphans._set_pdeathsig = lambda signum: None
sys.exit(main(sys.argv[2:]))
"""


def _children(parent: int) -> list[int]:
    """The live (not zombie) processes whose parent is `parent`, from /proc."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and _state(int(entry)) not in ("", "Z"):
            stat = _stat(int(entry))
            if stat and int(stat[1]) == parent:
                found.append(int(entry))
    return found


def _stat(pid: int) -> list[str]:
    """`state ppid ...` of /proc/PID/stat, or [] once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text.rsplit(")", 1)[1].split()


def _state(pid: int) -> str:
    stat = _stat(pid)
    return stat[0] if stat else ""


@pytest.mark.slow
@pytest.mark.parametrize("how", ["prctl", "fallback"])
def test_workers_end_when_their_parent_is_killed(tmp_path: Path, how: str) -> None:
    dump = _dump(tmp_path / "dump.jsonl", 3000)
    args = [
        "clean",
        str(dump),
        "-o",
        str(tmp_path / "out.jsonl"),
        "--jobs",
        "2",
        "--shard-size",
        "50",
        "--no-progress",
        "-q",
    ]
    proc = subprocess.Popen([sys.executable, "-c", _TWO_CORES, how, *args], env=_ENV)
    workers: list[int] = []
    try:
        deadline = time.monotonic() + _PATIENCE
        while len(workers) < 2:
            assert proc.poll() is None, "the run ended before its workers were seen"
            assert time.monotonic() < deadline, "no two workers started"
            time.sleep(0.02)
            workers = _children(proc.pid)
        proc.kill()  # the parent alone: its workers get no signal from anyone
        proc.wait()
        deadline = time.monotonic() + _PATIENCE
        while alive := [pid for pid in workers if _state(pid) not in ("", "Z")]:
            assert time.monotonic() < deadline, f"workers {alive} outlived their parent"
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in workers:
            if _state(pid) not in ("", "Z"):
                os.kill(pid, signal.SIGKILL)
