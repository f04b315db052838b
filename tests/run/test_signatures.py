"""Global dedup stages as map/reduce over per-shard signature files: a sharded run (map
workers sign, the reduce decides from signatures, shards finished in workers or here) writes
exactly what the streamed run writes, whatever the chain's shape, the shard size or the
number of workers. (Byte identity with the run before the stage protocol:
bench/identity_check.sh.)"""

from __future__ import annotations

import json
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cleaner.cli.main import main
from cleaner.io.writers import default_side_paths
from cleaner.pipeline import Pipeline
from cleaner.run.plan import Plan

REPO = Path(__file__).resolve().parents[2]
SEEDS = sorted((REPO / "seeds").iterdir())
SPUN = REPO / "fixtures" / "dedup_seed000_spun"


def _dump(path: Path) -> Path:
    """Exact copies (case and spacing changed), near copies, a spun rewrite, blank and empty
    texts, a malformed line, and a copy that differs only in punctuation."""
    texts = [p.read_text("utf-8") for p in SEEDS]
    records: list[str] = []

    def add(doc_id: str, text: str) -> None:
        records.append(json.dumps({"id": doc_id, "text": text}))

    for i, text in enumerate(texts):
        add(f"orig-{i}", text)
    add("blank-1", "   \n  ")
    add("spun-a", (SPUN / "a.txt").read_text("utf-8"))
    for i, text in enumerate(texts):
        add(f"exact-{i}", text.upper().replace(" ", "  "))
        add(f"near-{i}", text + "\nThe story was updated on Tuesday with new figures.")
    records.append("{not json")
    add("empty-1", "")
    add("spun-b", (SPUN / "b.txt").read_text("utf-8"))
    add("punct-0", texts[0].replace(".", "!"))
    # The near copies contain their originals, so they represent: a copy of one of them
    # that differs in punctuation only is a "normalized" copy.
    add(
        "punct-near-1",
        (texts[1] + "\nThe story was updated on Tuesday with new figures.").replace(".", "!"),
    )
    add("blank-2", "\t")
    for i, text in enumerate(texts[:2]):
        add(f"again-{i}", text)
    path.write_text("\n".join(records) + "\n", "utf-8")
    return path


def _run(dump: Path, out: Path, *extra: str) -> tuple[bytes, bytes, dict[str, object]]:
    code = main(["clean", str(dump), "-o", str(out), "--no-progress", "-q", *extra])
    assert code == 0
    rejects, report = default_side_paths(str(out))
    return out.read_bytes(), Path(rejects).read_bytes(), json.loads(Path(report).read_bytes())


CHAINS = {
    "exact+near": ['"normalize"', '"exact_dedup"', '"dedup"'],
    "near only": ['"normalize"', '"dedup"'],
    "exact only": ['"normalize"', '"exact_dedup"'],
    "two exact stages": ['"exact_dedup"', '"exact_dedup"', '"dedup"'],
    "tail after the barrier": ['"exact_dedup"', '"dedup"', '"filters"'],
    "exact after the barrier": ['"normalize"', '"dedup"', '"exact_dedup"'],
    "near after a filter": ['"exact_dedup"', '"filters"', '"dedup"'],
}
SETTINGS = {
    "flag": [],
    "drop": ["--set", "exact_dedup.policy=drop", "--set", "dedup.policy=drop"],
    "keep blanks, ignore punctuation": [
        "--set",
        "pipeline.drop_empty=false",
        "--set",
        "exact_dedup.ignore_punctuation=true",
        "--set",
        "dedup.prefer=longest",
    ],
}


@pytest.mark.parametrize("setting", sorted(SETTINGS))
@pytest.mark.parametrize("chain", sorted(CHAINS))
def test_sharded_equals_streamed(tmp_path: Path, chain: str, setting: str) -> None:
    dump = _dump(tmp_path / "dump.jsonl")
    options = ["--set", f"pipeline.processors=[{', '.join(CHAINS[chain])}]", *SETTINGS[setting]]
    streamed = _run(dump, tmp_path / "streamed.jsonl", "--no-resume", "--jobs", "1", *options)
    sharded = _run(dump, tmp_path / "sharded.jsonl", "--shard-size", "4", "--jobs", "2", *options)
    assert sharded[:2] == streamed[:2]
    # The whole report but what says how the run went (time, shards, where it ran).
    ignored = {"seconds", "docs_per_second", "phase_seconds", "shards", "executor", "paths"}
    assert set(sharded[2]) - ignored == set(streamed[2]) - ignored
    for key in set(sharded[2]) - ignored:
        assert sharded[2][key] == streamed[2][key], key


def test_the_fixture_finds_every_kind(tmp_path: Path) -> None:
    """The dump above exercises what the equality tests claim: every decision kind occurs."""
    dump = _dump(tmp_path / "dump.jsonl")
    _, _, report = _run(dump, tmp_path / "out.jsonl", "--shard-size", "4")
    flagged, rejected = report["duplicates_flagged"], report["rejected_by_reason"]
    assert isinstance(flagged, dict) and isinstance(rejected, dict)
    assert {"normalized", "representative", "rewrite"} <= set(flagged)
    assert {"pipeline.empty", "input.malformed_json"} <= set(rejected)
    phases = report["phase_seconds"]
    assert isinstance(phases, dict) and set(phases) == {"map", "reduce"}
    assert all(seconds >= 0 for seconds in phases.values())


def _plan(*names: str, drop_empty: bool = True) -> Plan:
    return Plan.of(Pipeline(list(names), drop_empty=drop_empty).chain)


def test_plan_shapes() -> None:
    plan = _plan("normalize", "exact_dedup", "exact_dedup", "dedup", "filters")
    assert [p.name for p in plan.prefix] == ["normalize"]
    assert [s.name for s in plan.stages] == ["exact_dedup", "exact_dedup", "dedup"]
    assert [p.name for p in plan.rest.processors] == ["filters"] and plan.finishes_anywhere
    assert _plan("normalize", "filters").stages == ()  # nothing global: shards finished alone
    assert [s.name for s in _plan("dedup", "exact_dedup").stages] == ["dedup", "exact_dedup"]
    later = _plan("exact_dedup", "filters", "dedup")  # a stage after a processor: a second run
    assert [s.name for s in later.stages] == ["exact_dedup"]
    assert [p.name for p in later.rest.processors] == ["filters", "dedup"]


def test_signatures_hold_no_text() -> None:
    from cleaner.document import Document, Reject

    plan = _plan("exact_dedup", "dedup")
    text = "One two three four five six seven. Eight nine ten eleven."
    results = [
        Document(id="a", text=text),
        Reject(id="x:2", source="x", reason="malformed_json", detail="bad"),
        Document(id="b", text="   "),
        Document(id="c", text=text),
    ]
    records = plan.sign(results)
    assert records is not None
    head, keys, near = records
    assert head.slots.tolist() == [0, 2, 3]
    assert head.ids == ["a", "b", "c"]
    assert head.nonempty.tolist() == [True, False, True]  # the reduce keeps blanks from dedup
    assert len(near) == 3
    assert keys[0] == keys[2] != keys[1]
    assert all(isinstance(k, bytes) and len(k) == 16 for k in keys)
    assert b"Eight nine" not in pickle.dumps(records)


def test_a_rest_with_a_stage_is_never_finished_shard_by_shard() -> None:
    assert _plan("exact_dedup", "dedup", "filters").finishes_anywhere
    assert _plan("normalize", "dedup", "exact_dedup").finishes_anywhere  # stages in a row
    ordered = _plan("exact_dedup", "filters", "dedup")
    assert not ordered.finishes_anywhere
    with pytest.raises(ValueError, match="in input order"):
        list(ordered.finish_shard(iter(()), 0, [None]))


@pytest.mark.parametrize(
    ("chain", "output", "in_workers"),
    [
        ("exact+near", "out.jsonl", True),
        ("exact+near", "out.jsonl.zst", True),
        ("tail after the barrier", "out.jsonl", True),
        ("exact after the barrier", "out.jsonl", True),  # stages in a row: decided together
        ("near after a filter", "out.jsonl", False),  # the rest holds a stage: in order
        ("exact+near", "out.txt", False),  # not a record stream: written here
    ],
)
def test_shards_are_finished_in_workers_when_they_can_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chain: str, output: str, in_workers: bool
) -> None:
    """With several workers the reduce's second pass runs in them whenever the output is a
    record stream and the tail keeps no state; either way the bytes are the streamed run's."""
    import cleaner.run.job as job

    finished: list[int] = []
    real = job.finish_shards

    def spy(*args: Any, **kwargs: Any) -> Iterator[Any]:
        for chunk in real(*args, **kwargs):
            finished.append(chunk.count)
            yield chunk

    monkeypatch.setattr(job, "finish_shards", spy)
    dump = _dump(tmp_path / "dump.jsonl")
    options = ["--set", f"pipeline.processors=[{', '.join(CHAINS[chain])}]"]
    (tmp_path / "s").mkdir()
    (tmp_path / "p").mkdir()
    streamed = _run(dump, tmp_path / "s" / output, "--no-resume", "--jobs", "1", *options)
    sharded = _run(dump, tmp_path / "p" / output, "--shard-size", "4", "--jobs", "2", *options)
    assert sharded[:2] == streamed[:2]
    assert (len(finished) > 1) == in_workers
    if in_workers:
        assert sum(finished) == sharded[2]["docs_out"]


@pytest.mark.parametrize("output", ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst"])
def test_finished_shards_are_copied_a_block_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, output: str
) -> None:
    """The workers' files reach the outputs in small blocks, cut anywhere (mid-record too):
    the bytes, compressed or not, are still the streamed run's, and no file is left over."""
    import cleaner.run.finish as finish

    copied: list[int] = []
    real = finish._blocks

    def spy(path: str) -> Iterator[bytes]:
        for block in real(path):
            copied.append(len(block))
            yield block

    monkeypatch.setattr(finish, "COPY_BLOCK", 7)
    monkeypatch.setattr(finish, "_blocks", spy)
    dump = _dump(tmp_path / "dump.jsonl")
    (tmp_path / "s").mkdir()
    (tmp_path / "p").mkdir()
    streamed = _run(dump, tmp_path / "s" / output, "--no-resume", "--jobs", "1")
    sharded = _run(dump, tmp_path / "p" / output, "--shard-size", "4", "--jobs", "2")
    assert sharded[:2] == streamed[:2]
    assert copied and max(copied) == 7 and len(copied) > 20
    assert sorted(path.name for path in (tmp_path / "p").iterdir()) == sorted(
        [output, "out.rejects.jsonl", "out.report.json"]
    )
