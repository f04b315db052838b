"""Resumable runs: sharded output equals streamed output, and a run killed with SIGKILL then
started again writes exactly what an uninterrupted run writes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cleaner.cli.main import main

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").iterdir())
# The environment of the `cleaner` subprocesses: this checkout on the import path.
_ENV = {**os.environ, "PYTHONPATH": str(REPO)}


def _seed_texts() -> list[str]:
    return [path.read_text("utf-8") for path in SEEDS]


def _small_dump(path: Path) -> Path:
    """Rejects (a malformed line), drops (empty text), exact and near duplicates."""
    texts = _seed_texts()
    lines: list[str] = []
    for round_ in range(3):
        for i, text in enumerate(texts):
            if round_ == 2:  # a near duplicate: one sentence appended
                text = text + "\nThe story was updated on Tuesday with new figures."
            lines.append(json.dumps({"id": f"d{round_}-{i}", "text": text, "src": round_}))
        lines.append("{not json")
        lines.append(json.dumps({"id": f"empty-{round_}", "text": "   "}))
        lines.append(json.dumps({"id": f"short-{round_}", "text": f"Note {round_} on budgets."}))
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _clean(dump: Path, out: Path, *extra: str) -> dict[str, object]:
    # Not quiet: the work directory's notices are checked on stderr.
    code = main(["clean", str(dump), "-o", str(out), "--no-progress", *extra])
    assert code == 0
    report = json.loads(out.with_suffix(".report.json").read_text("utf-8"))
    assert isinstance(report, dict)
    return report


def _side(out: Path) -> tuple[bytes, bytes]:
    return out.read_bytes(), out.with_suffix(".rejects.jsonl").read_bytes()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sharded_output_equals_streamed_output(tmp_path: Path, jobs: str) -> None:
    dump = _small_dump(tmp_path / "dump.jsonl")
    streamed = tmp_path / "streamed.jsonl"
    sharded = tmp_path / "sharded.jsonl"
    plain = _clean(dump, streamed, "--no-resume", "--jobs", jobs)
    report = _clean(dump, sharded, "--shard-size", "7", "--jobs", jobs)
    assert _side(sharded) == _side(streamed)
    assert "shards" not in plain
    assert report["shards"] == {"total": 4, "resumed": 0}
    for key in ("docs_in", "docs_out", "rejected_by_reason", "duplicates_flagged", "chars_in"):
        assert report[key] == plain[key], key
    rejected = report["rejected_by_reason"]
    assert isinstance(rejected, dict) and len(rejected) >= 2  # malformed line, empty text
    assert report["duplicates_flagged"]
    assert not (tmp_path / ".sharded.jsonl.cleaner-work").exists()


def test_a_changed_config_wipes_a_stale_workdir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = _small_dump(tmp_path / "dump.jsonl")
    out = tmp_path / "out.jsonl"
    work = tmp_path / "work"
    # The workdir an interrupted run with the default config leaves: its real fingerprint,
    # shard 0 marked done (with contents no run could have written, so reusing it would show).
    from cleaner import __version__
    from cleaner.cli.commands import config_from_args
    from cleaner.cli.main import build_parser
    from cleaner.run.shards import SHARD_CHARS
    from cleaner.run.workdir import fingerprint, open_workdir

    argv = ["clean", str(dump), "-o", str(out), "--shard-size", "7"]
    config = config_from_args(build_parser().parse_args(argv))
    digest = fingerprint(
        config, [str(dump)], version=__version__, shard_size=7, shard_chars=SHARD_CHARS
    )
    stale, _ = open_workdir(str(work), digest)
    Path(stale.shard_file(0)).write_bytes(b"garbage")
    Path(stale.done_file(0)).write_text("7\n")
    capsys.readouterr()
    report = _clean(
        dump, out, "--shard-size", "7", "--workdir", str(work), "--set", "filters.min_words=3"
    )
    assert report["shards"] == {"total": 4, "resumed": 0}
    assert "starting afresh" in capsys.readouterr().err
    expected = tmp_path / "expected.jsonl"
    _clean(dump, expected, "--no-resume", "--set", "filters.min_words=3")
    assert _side(out) == _side(expected)


def test_a_workdir_with_foreign_files_is_not_wiped(tmp_path: Path) -> None:
    dump = _small_dump(tmp_path / "dump.jsonl")
    work = tmp_path / "mine"
    work.mkdir()
    (work / "thesis.tex").write_text("precious")
    code = main(
        [
            "clean",
            str(dump),
            "-o",
            str(tmp_path / "o.jsonl"),
            "--workdir",
            str(work),
            "--no-progress",
            "-q",
        ]
    )
    assert code == 2
    assert (work / "thesis.tex").read_text() == "precious"


def _big_dump(path: Path, count: int = 3000) -> Path:
    # The seeds' first paragraphs: the run takes a few seconds, not a few tens of seconds.
    texts = [text[: text.find("\n", 1200)] for text in _seed_texts()]
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            text = texts[n % len(texts)]
            if n % 7:  # most documents differ a little; every seventh is an exact copy
                text = f"Dispatch {n}: {text}\nFiled from desk {n % 13} at {n} past the hour."
            fh.write(json.dumps({"id": f"doc-{n}", "text": text}) + "\n")
        fh.write("{broken\n")
    return path


def _args(dump: Path, out: Path, jobs: str = "2") -> list[str]:
    # Not quiet: a rerun's "resuming from" notice is checked on stderr.
    return [
        "clean",
        str(dump),
        "-o",
        str(out),
        "--jobs",
        jobs,
        "--shard-size",
        "100",
        "--no-progress",
    ]


def _command(dump: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "cleaner", *_args(dump, out)]


@pytest.mark.slow
def test_kill_9_then_rerun_gives_identical_output(tmp_path: Path) -> None:
    dump = _big_dump(tmp_path / "dump.jsonl")
    out = tmp_path / "killed" / "out.jsonl"
    out.parent.mkdir()
    work = out.parent / ".out.jsonl.cleaner-work"
    proc = subprocess.Popen(_command(dump, out), start_new_session=True, env=_ENV)
    deadline = time.monotonic() + 60
    try:
        while True:
            done = list((work / "map").glob("*.done")) if (work / "map").is_dir() else []
            if len(done) >= 3:
                break
            assert proc.poll() is None, "the run finished before it could be killed"
            assert time.monotonic() < deadline, "no shard finished within 60 s"
            time.sleep(0.02)
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert not out.exists()
    assert len(list((work / "map").glob("*.done"))) >= 3

    again = subprocess.run(_command(dump, out), env=_ENV, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "resuming from" in again.stderr
    report = json.loads(out.with_suffix(".report.json").read_text("utf-8"))
    assert report["shards"]["total"] == 31
    assert report["shards"]["resumed"] >= 3
    assert report["docs_in"] == 3001 and report["balanced"]
    assert not work.exists()

    fresh = tmp_path / "fresh" / "out.jsonl"
    fresh.parent.mkdir()
    subprocess.run(_command(dump, fresh), env=_ENV, check=True)
    assert _side(out) == _side(fresh)


# Runs `cleaner clean ARGS...` after arranging for the whole process group to be killed with
# SIGKILL at a chosen point of the reduce: after reading WHEN signature files ("decide"), or
# once WHEN documents ("write-parent") or encoded shards ("write-workers") have gone into the
# output's temporary file.
_KILL_IN_REDUCE = """
import os, signal, sys
import cleaner.io.writers as writers
import cleaner.run.reduce as reduce
from cleaner.cli.main import main

where, when = sys.argv[1], int(sys.argv[2])
calls = [0]

def kill_after(original):
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if calls[0] > when:
            os.killpg(0, signal.SIGKILL)
        return original(*args, **kwargs)
    return wrapped

if where == "decide":
    reduce.read_signatures = kill_after(reduce.read_signatures)
elif where == "write-parent":
    writers.DocumentWriter.write = kill_after(writers.DocumentWriter.write)
else:
    writers.DocumentWriter.write_encoded = kill_after(writers.DocumentWriter.write_encoded)
sys.exit(main(sys.argv[3:]))
"""


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, tuple[bytes, bytes]]:
    """The big dump, and the output and rejects of a run of it that nobody killed."""
    root = tmp_path_factory.mktemp("uninterrupted")
    dump = _big_dump(root / "dump.jsonl")
    out = root / "out" / "out.jsonl"
    subprocess.run(_command(dump, out), env=_ENV, check=True)
    return dump, _side(out)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("where", "when", "jobs"),
    [("decide", 3, "2"), ("write-parent", 500, "1"), ("write-workers", 3, "2")],
)
def test_kill_9_in_the_reduce_then_rerun_gives_identical_output(
    uninterrupted: tuple[Path, tuple[bytes, bytes]],
    tmp_path: Path,
    where: str,
    when: int,
    jobs: str,
) -> None:
    dump, expected = uninterrupted
    out = tmp_path / "out.jsonl"
    work = tmp_path / ".out.jsonl.cleaner-work"
    killed = subprocess.run(
        [sys.executable, "-c", _KILL_IN_REDUCE, where, str(when), *_args(dump, out, jobs)],
        env=_ENV,
        start_new_session=True,
        capture_output=True,
        text=True,
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not out.exists() and not out.with_suffix(".rejects.jsonl").exists()
    assert len(list((work / "map").glob("*.done"))) == 31  # the map had finished
    leftovers = sorted(path.name for path in tmp_path.glob(".out.*.tmp"))
    if where != "decide":  # killed while the output was being written
        assert any(name.startswith(".out.jsonl.") for name in leftovers), leftovers

    again = subprocess.run(_command(dump, out), env=_ENV, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "resuming from" in again.stderr
    report = json.loads(out.with_suffix(".report.json").read_text("utf-8"))
    assert report["shards"] == {"total": 31, "resumed": 31}
    assert _side(out) == expected
    assert list(tmp_path.glob(".out.*.tmp")) == []  # the killed run's temporaries are gone
    assert not work.exists()


_WORKER_DIES_IN_MAP = """
import os, sys
import cleaner.run.shards as shards
from cleaner.cli.main import main

original = shards._run_shard

def dies_on_shard_2(workdir, index, items):
    if index == 2:
        os._exit(1)  # as a worker killed by the kernel's OOM killer would
    return original(workdir, index, items)

shards._run_shard = dies_on_shard_2
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.slow
def test_a_worker_that_dies_is_a_one_line_failure_and_the_rerun_resumes(
    uninterrupted: tuple[Path, tuple[bytes, bytes]], tmp_path: Path
) -> None:
    dump, expected = uninterrupted
    out = tmp_path / "out.jsonl"
    failed = subprocess.run(
        [sys.executable, "-c", _WORKER_DIES_IN_MAP, *_args(dump, out)],
        env=_ENV,
        capture_output=True,
        text=True,
    )
    assert failed.returncode == 1
    assert failed.stderr.strip().splitlines() == [
        "cleaner: failed: map: a worker process died (killed by a signal, or out of memory?);"
        " the same command resumes from the shards already finished"
    ]
    assert not out.exists()

    again = subprocess.run(_command(dump, out), env=_ENV, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert _side(out) == expected
