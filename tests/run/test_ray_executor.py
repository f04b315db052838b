"""The Ray executor (`--executor ray`): on a real local Ray instance, its output, rejects and
report equal the local executor's byte for byte, it resumes a run the local executor started,
and a failed task stops the run with a clear error while the finished shards stay.

Starting Ray takes several seconds, so only three tests start it (each its own instance, shut
down when the run ends); the rest check the usage errors without it.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

import pytest
import ray

from cleaner import __version__
from cleaner.cli.commands import config_from_args
from cleaner.cli.main import build_parser, main
from cleaner.document import Document
from cleaner.errors import CleanerError
from cleaner.io.readers import read_inputs
from cleaner.pipeline import Pipeline
from cleaner.run.plan import Plan
from cleaner.run.ray_executor import run_map_ray
from cleaner.run.shards import SHARD_CHARS, MapTask, run_map
from cleaner.run.workdir import fingerprint, open_workdir

REPO = Path(__file__).resolve().parents[2]
SHARD_SIZE = 200
# The default chain; language detection (the slowest stage by far) made cheaper for a test.
# Not quiet: the "resuming from" notice is checked on stderr.
RUN_ARGS = (
    "--jobs",
    "2",
    "--shard-size",
    str(SHARD_SIZE),
    "--set",
    "language.max_chars=200",
    "--set",
    "language.trials=1",
    "--no-progress",
)
# Report keys that differ between any two runs (timing, paths) or name the executor.
VOLATILE = ("seconds", "docs_per_second", "phase_seconds", "paths", "executor")


def _dump(path: Path, count: int = 2000) -> Path:
    """`count` documents from the seeds' sentences, with exact copies (every tenth), near
    copies (an added line), a malformed line and a blank text; reproducible."""
    sentences = [
        sentence.strip()
        for seed in sorted((REPO / "seeds").iterdir())
        for sentence in re.split(r"(?<=[.!?])\s+", seed.read_text("utf-8"))
        if 40 <= len(sentence.strip()) <= 300
    ]
    rng = random.Random(7)
    texts: list[str] = []
    with path.open("w", encoding="utf-8") as fh:
        for n in range(count):
            if n % 10 == 3 and texts:
                text = texts[rng.randrange(len(texts))]
            elif n % 10 == 6 and texts:
                text = texts[rng.randrange(len(texts))] + f"\nUpdated at {n % 24}:00."
            else:
                text = " ".join(rng.sample(sentences, 4)) + f"\nReport {n} from desk {n % 13}."
            texts.append(text)
            fh.write(json.dumps({"id": f"doc-{n}", "text": text, "n": n}) + "\n")
            if n == 500:
                fh.write("{broken\n")
                fh.write(json.dumps({"id": "blank", "text": "   "}) + "\n")
    return path


def _clean(dump: Path, out: Path, *extra: str) -> dict[str, Any]:
    code = main(["clean", str(dump), "-o", str(out), *RUN_ARGS, *extra])
    assert code == 0
    report = json.loads(_report(out).read_text("utf-8"))
    assert isinstance(report, dict)
    return report


def _report(out: Path) -> Path:
    return out.with_name(out.name.split(".")[0] + ".report.json")


def _rejects(out: Path) -> Path:
    return out.with_name(out.name.split(".")[0] + ".rejects.jsonl")


def _stable(report: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in report.items() if key not in VOLATILE}


@dataclass(frozen=True)
class Baseline:
    dump: Path
    out: Path
    report: dict[str, Any]


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Baseline:
    """The dump, and what the local executor makes of it."""
    root = tmp_path_factory.mktemp("ray")
    dump = _dump(root / "dump.jsonl")
    out = root / "local" / "out.jsonl"
    out.parent.mkdir()
    report = _clean(dump, out, "--executor", "local")
    return Baseline(dump, out, report)


def test_ray_output_equals_local_output(baseline: Baseline, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    report = _clean(baseline.dump, out, "--executor", "ray")
    assert out.read_bytes() == baseline.out.read_bytes()
    assert _rejects(out).read_bytes() == _rejects(baseline.out).read_bytes()
    assert _stable(report) == _stable(baseline.report)
    assert report["executor"] == "ray" and baseline.report["executor"] == "local"
    assert report["shards"] == {"total": 11, "resumed": 0}
    # The dump exercises what the reduce decides from the Ray tasks' signatures.
    assert report["docs_in"] == 2002 and report["balanced"]
    assert len(report["rejected_by_reason"]) == 2  # the malformed line, the blank text
    flagged = report["duplicates_flagged"]
    assert flagged["normalized"] > 100 and flagged["near"] > 100
    assert not (tmp_path / ".out.jsonl.cleaner-work").exists()
    assert not ray.is_initialized()  # the instance it started is shut down


def test_ray_resumes_a_run_the_local_executor_started(
    baseline: Baseline, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out.parquet"
    work = tmp_path / "work"
    # What a local run killed after three shards leaves: its fingerprint (computed without
    # --executor: the executor is not part of it), shards 0-2 committed with their markers.
    argv = ["clean", str(baseline.dump), "-o", str(out), *RUN_ARGS, "--workdir", str(work)]
    config = config_from_args(build_parser().parse_args(argv))
    digest = fingerprint(
        config,
        [str(baseline.dump)],
        version=__version__,
        shard_size=SHARD_SIZE,
        shard_chars=SHARD_CHARS,
    )
    workdir, _ = open_workdir(str(work), digest)
    pipeline = Pipeline.from_dict(config)
    task = MapTask(Plan.of(pipeline.chain))
    items = read_inputs([str(baseline.dump)], config["input"])
    measured = ((len(item.text) if isinstance(item, Document) else 0, item) for item in items)
    first = islice(measured, 3 * SHARD_SIZE)
    assert run_map(workdir, first, task, shard_size=SHARD_SIZE, jobs=1).total == 3
    capsys.readouterr()

    report = _clean(baseline.dump, out, "--workdir", str(work), "--executor", "ray")
    assert "resuming from" in capsys.readouterr().err
    assert report["shards"] == {"total": 11, "resumed": 3}
    assert not work.exists()
    assert _stable(report) == {**_stable(baseline.report), "shards": report["shards"]}
    assert _rejects(out).read_bytes() == _rejects(baseline.out).read_bytes()
    # Parquet output: the same bytes as the local executor writes, uninterrupted.
    local = tmp_path / "local" / "out.parquet"
    local.parent.mkdir()
    _clean(baseline.dump, local)
    assert out.read_bytes() == local.read_bytes()


def test_a_failed_ray_task_stops_the_run_and_keeps_finished_shards(tmp_path: Path) -> None:
    workdir, _ = open_workdir(str(tmp_path / "work"), "digest")
    items = [(0, Document(f"d{n}", f"Text number {n}.")) for n in range(120)]
    # A text that is not a str makes signing raise AttributeError (an int has no strip) in
    # shard 4 (of 6, 20 items each): a task that fails, not one the chain turns into a Drop.
    items[90] = (0, Document("bad", 12345))  # type: ignore[arg-type]
    task = MapTask(Plan.of(Pipeline(["exact_dedup"]).chain))
    with pytest.raises(CleanerError, match=r"^shard 4 failed on Ray: AttributeError: ") as info:
        run_map_ray(workdir, items, task, shard_size=20, num_cpus=2)
    assert "run again to resume" in str(info.value)
    assert "\n" not in str(info.value)
    done = [index for index in range(6) if workdir.is_done(index)]
    # At most four shards are in flight (2 per CPU), committed in order: shard 4 is only sent
    # once shard 0 has been committed, so at least that one stays for a resume.
    assert done and 4 not in done
    assert not ray.is_initialized()


def test_executor_ray_without_ray_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    dump = _dump(tmp_path / "dump.jsonl", count=20)
    out = tmp_path / "out.jsonl"
    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError
    code = main(["clean", str(dump), "-o", str(out), "--executor", "ray", "--no-progress"])
    assert code == 2
    err = capsys.readouterr().err
    assert err == "cleaner: error: --executor ray needs Ray: pip install 'cleaner[ray]'\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["dump.jsonl"]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--executor", "ray", "--no-resume"), "cannot read standard input or run with"),
        (("--address", "auto"), "--address names a Ray cluster: use it with --executor ray"),
        (("--set", "run.executor=spark"), "[run] executor: expected 'local' | 'ray'"),
        (("--executor", "ray", "--set", "run.address=1"), "[run] address: expected str, got 1"),
    ],
)
def test_executor_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: tuple[str, ...], message: str
) -> None:
    dump = _dump(tmp_path / "dump.jsonl", count=20)
    out = tmp_path / "out.jsonl"
    code = main(["clean", str(dump), "-o", str(out), "--no-progress", *extra])
    assert code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_executor_ray_cannot_read_stdin(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code = main(["clean", "-", "-o", str(tmp_path / "o.jsonl"), "--executor", "ray"])
    assert code == 2
    assert "cannot read standard input" in capsys.readouterr().err


def test_executor_and_address_are_not_part_of_the_fingerprint(tmp_path: Path) -> None:
    dump = _dump(tmp_path / "dump.jsonl", count=20)

    def digest(*extra: str) -> str:
        argv = ["clean", str(dump), "-o", str(tmp_path / "o.jsonl"), *extra]
        config = config_from_args(build_parser().parse_args(argv))
        return fingerprint(
            config, [str(dump)], version=__version__, shard_size=SHARD_SIZE, shard_chars=SHARD_CHARS
        )

    assert digest() == digest("--executor", "ray", "--address", "auto") == digest("-j", "3")
    assert digest() != digest("--set", "filters.min_words=3")
