"""A whole-corpus stage written outside the package runs every way a run can go, with the
same output: streamed (`--no-resume`), sharded with one and two workers, resumed after
SIGKILL, on Ray, and through `Pipeline.run`. The stage ("keep the longest document per title",
the title in meta) is registered with `cleaner.registry.register` and speaks only the
`cleaner.stage.GlobalStage` protocol: nothing in `cleaner.run` knows it.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest
import ray

from cleaner.cli.main import main
from cleaner.document import Document, Drop
from cleaner.errors import CleanerError
from cleaner.pipeline import Pipeline
from cleaner.registry import register
from cleaner.stage import BoolArray, Signed, TaskMap

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SHORTER = "shorter_than_another"


@register
class LongestPerTitle:
    """Keeps, of the documents sharing `meta.title`, the longest (the earliest of equals)."""

    name: ClassVar[str] = "longest_per_title"
    sequential: ClassVar[bool] = False

    @dataclass(frozen=True)
    class Options:
        pass

    def __init__(self, options: Options) -> None:
        self.options = options

    def process(self, doc: Document) -> Document | Drop:
        raise CleanerError("longest_per_title needs the whole input")

    def global_stage(self) -> LongestStage:
        return LongestStage()


class LongestStage:
    name: ClassVar[str] = "longest_per_title"
    sees_blank: ClassVar[bool] = False

    def sign(self, docs: list[Document]) -> list[tuple[str | None, int]]:
        return [(doc.meta.get("title"), len(doc.text)) for doc in docs]

    def decide(self, shards: Iterator[Signed], tasks: TaskMap) -> Longest:
        best: dict[str, tuple[int, str]] = {}  # title -> (length, id) of the longest so far
        titled: list[list[Titled]] = []  # per shard
        alive: list[BoolArray] = []
        for shard in shards:
            rows = []
            for row, (title, length) in enumerate(shard.signatures):
                if not shard.alive[row] or title is None:
                    continue
                rows.append(Titled(row, int(shard.positions[row]), title, shard.ids[row]))
                if title not in best or length > best[title][0]:
                    best[title] = (length, shard.ids[row])
            titled.append(rows)
            alive.append(shard.alive)
        return Longest(best, titled, alive)

    def apply(self, decisions: dict[int, str], position: int, doc: Document) -> Document | Drop:
        winner = decisions.get(position)
        if winner is None or winner == doc.id:
            return doc
        return Drop(doc, self.name, SHORTER, f"{winner} is longer")


@dataclass(frozen=True)
class Titled:
    """A titled document the stage was shown: its row in its shard, position, title, id."""

    row: int
    position: int
    title: str
    id: str


@dataclass
class Longest:
    best: dict[str, tuple[int, str]]
    titled: list[list[Titled]]
    alive: list[BoolArray]

    def for_shard(self, index: int) -> dict[int, str]:
        return {doc.position: self.best[doc.title][1] for doc in self.titled[index]}

    def kept(self, index: int) -> BoolArray:
        kept = np.ones(len(self.alive[index]), dtype=np.bool_)
        for doc in self.titled[index]:
            kept[doc.row] = self.best[doc.title][1] == doc.id
        return kept


def _records() -> list[dict[str, Any]]:
    """Documents under five titles (lengths varied, some equal), untitled ones, a blank one."""
    records: list[dict[str, Any]] = []
    for n in range(70):
        title = f"story {n % 5}" if n % 7 else None
        words = " ".join(f"word{(n * 7 + k) % 31}" for k in range(5 + (n * 13) % 17))
        record: dict[str, Any] = {"id": f"doc-{n}", "text": f"Report {n}. {words}."}
        if title is not None:
            record["meta"] = {"title": title}
        records.append(record)
    records.insert(20, {"id": "blank", "text": "  ", "meta": {"title": "story 1"}})
    return records


def _expected(records: list[dict[str, Any]]) -> set[str]:
    """The ids a correct run keeps, computed here without the runner."""
    best: dict[str, tuple[int, str]] = {}
    kept: set[str] = set()
    for record in records:
        text = record["text"].strip()
        if not text:
            continue
        title = record.get("meta", {}).get("title")
        if title is None:
            kept.add(record["id"])
        elif title not in best or len(record["text"]) > best[title][0]:
            best[title] = (len(record["text"]), record["id"])
    return kept | {doc_id for _, doc_id in best.values()}


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("titles") / "dump.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in _records()), "utf-8")
    return path


CHAIN = ["--set", 'pipeline.processors=["longest_per_title"]', "--no-progress"]


def _clean(dump: Path, out: Path, *extra: str) -> tuple[bytes, bytes]:
    assert main(["clean", str(dump), "-o", str(out), *CHAIN, "-q", *extra]) == 0
    return _side(out)


def _side(out: Path) -> tuple[bytes, bytes]:
    rejects = out.with_name(out.name.replace(".jsonl", ".rejects.jsonl"))
    return out.read_bytes(), rejects.read_bytes()


@pytest.fixture(scope="module")
def streamed(dump: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[bytes, bytes]:
    out = tmp_path_factory.mktemp("streamed") / "out.jsonl"
    result = _clean(dump, out, "--no-resume", "--jobs", "1")
    kept = {json.loads(line)["id"] for line in result[0].splitlines()}
    assert kept == _expected(_records())
    reasons = [json.loads(line).get("reason") for line in result[1].splitlines()]
    assert SHORTER in reasons and "empty" in reasons
    return result


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_sharded_equals_streamed(
    dump: Path, streamed: tuple[bytes, bytes], tmp_path: Path, jobs: str
) -> None:
    assert _clean(dump, tmp_path / "out.jsonl", "--jobs", jobs, "--shard-size", "6") == streamed


def test_the_python_api_keeps_the_same_documents(dump: Path) -> None:
    results = list(Pipeline(["longest_per_title"]).run(_records()))
    assert {r.id for r in results if isinstance(r, Document)} == _expected(_records())
    assert len(results) == len(_records())


# Runs `cleaner clean ARGS...` with the stage registered, SIGKILLing itself once WHEN shards
# have been committed.
_KILLED_IN_MAP = """
import os, signal, sys
sys.path.insert(0, sys.argv[1])
import test_global_stage  # registers the stage
import cleaner.run.shards as shards
from cleaner.cli.main import main

when = int(sys.argv[2])
commit = shards.commit_shard
done = [0]

def commit_then_die(*args):
    commit(*args)
    done[0] += 1
    if done[0] >= when:
        os.kill(os.getpid(), signal.SIGKILL)

shards.commit_shard = commit_then_die if when else commit
sys.exit(main(sys.argv[3:]))
"""


def test_resumed_after_sigkill_equals_streamed(
    dump: Path, streamed: tuple[bytes, bytes], tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    argv = ["clean", str(dump), "-o", str(out), *CHAIN, "--jobs", "1", "--shard-size", "6"]
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def run(when: int) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", _KILLED_IN_MAP, str(HERE), str(when), *argv]
        return subprocess.run(command, env=env, capture_output=True, text=True)

    killed = run(3)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert not out.exists()
    again = run(0)
    assert again.returncode == 0, again.stderr
    assert "resuming from" in again.stderr
    assert _side(out) == streamed


@pytest.mark.slow
def test_on_ray_equals_streamed(
    dump: Path,
    streamed: tuple[bytes, bytes],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Ray's workers unpickle the stage by its module's name: they need this directory.
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(HERE), str(REPO)]))
    out = tmp_path / "out.jsonl"
    assert _clean(dump, out, "--executor", "ray", "--jobs", "2", "--shard-size", "6") == streamed
    assert not ray.is_initialized()
