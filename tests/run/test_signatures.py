"""Global dedup stages as map/reduce over per-shard signature files: the sharded run (map
workers sign, the reduce decides from signatures) writes exactly what the streaming run
(texts replayed through the sequential chain) writes, whatever the chain's shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cleaner.cli.main import main
from cleaner.io.writers import default_side_paths
from cleaner.pipeline import Pipeline
from cleaner.run.signatures import ShardDecisions, SignaturePlan

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
    assert {"exact", "representative", "rewrite"} <= set(flagged)
    assert {"pipeline.empty", "input.malformed_json"} <= set(rejected)
    phases = report["phase_seconds"]
    assert isinstance(phases, dict) and set(phases) == {"map", "reduce"}
    assert all(seconds >= 0 for seconds in phases.values())


def _plan(*names: str, drop_empty: bool = True) -> SignaturePlan | None:
    _, rest = Pipeline(list(names)).split()
    return SignaturePlan.for_chain(rest, drop_empty=drop_empty)


def test_plan_shapes() -> None:
    plan = _plan("normalize", "exact_dedup", "exact_dedup", "dedup", "filters")
    assert plan is not None
    assert [p.name for p in plan.exact] == ["exact_dedup", "exact_dedup"]
    assert plan.barrier is not None and plan.sketcher is not None
    assert [p.name for p in plan.tail] == ["filters"]
    only_exact = _plan("exact_dedup")
    assert only_exact is not None and only_exact.barrier is None and only_exact.sketcher is None
    assert _plan("normalize", "filters") is None  # nothing global: plain replay
    assert _plan("dedup", "dedup") is None  # a second barrier: plain replay


def test_signatures_hold_no_text_and_skip_blank_documents() -> None:
    from cleaner.document import Document, Reject

    plan = _plan("exact_dedup", "dedup")
    assert plan is not None
    results = [
        Document(id="a", text="One two three four five six seven. Eight nine ten eleven."),
        Reject(id="x:2", source="x", reason="malformed_json", detail="bad"),
        Document(id="b", text="   "),
        Document(id="c", text="One two three four five six seven. Eight nine ten eleven."),
    ]
    signatures = plan.sign(results)
    assert signatures.slots.tolist() == [0, 2, 3]
    assert signatures.ids == ["a", "b", "c"]
    assert signatures.nonempty.tolist() == [True, False, True]
    assert signatures.near_rows.tolist() == [0, 2]  # the blank one never reaches the barrier
    assert signatures.near is not None and len(signatures.near) == 2
    [keys] = signatures.exact_keys
    assert keys[0] == keys[2] != keys[1]
    assert all(isinstance(k, bytes) and len(k) == 16 for k in keys)


def test_a_tail_with_state_is_never_finished_shard_by_shard() -> None:
    plan = _plan("exact_dedup", "dedup", "filters")
    assert plan is not None and plan.tail_is_parallel
    stateful = _plan("normalize", "dedup", "exact_dedup")
    assert stateful is not None and not stateful.tail_is_parallel
    with pytest.raises(ValueError, match="in order"):
        list(stateful.finish_shard(iter(()), ShardDecisions(base=0, exact=[])))


@pytest.mark.parametrize(
    ("chain", "output", "in_workers"),
    [
        ("exact+near", "out.jsonl", True),
        ("exact+near", "out.jsonl.zst", True),
        ("tail after the barrier", "out.jsonl", True),
        ("exact after the barrier", "out.jsonl", False),  # exact_dedup's state: in order
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
