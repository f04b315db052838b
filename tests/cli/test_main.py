from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.cli.main import main

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


def _read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def test_clean_seeds_into_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["clean", str(SEEDS), "-o", f"{out}/", "--no-progress"])
    assert code == 0
    files = sorted(p.name for p in out.iterdir())
    side = [".cleaner-meta.jsonl", ".cleaner-output"]  # the meta side file and the marker
    assert files == sorted([*side, *(p.name for p in SEEDS.iterdir())])
    text_002 = (out / "002_6d780ac8c6a5b1ba.txt").read_text("utf-8")
    assert "No time to read?" not in text_002
    assert "Previous Article" not in text_002
    assert "Zelensky spoke with US President Joe Biden" in text_002
    report = json.loads((tmp_path / "out.report.json").read_text("utf-8"))
    assert report["docs_in"] == 5 and report["docs_out"] == 5 and report["balanced"]
    assert (tmp_path / "out.rejects.jsonl").read_text("utf-8") == ""
    summary = capsys.readouterr().err
    assert "5 in, 5 out, 0 rejected" in summary
    assert "removed by rule:" in summary


def _bad_inputs(root: Path) -> Path:
    inputs = root / "dump"
    inputs.mkdir()
    (inputs / "good.txt").write_text("A perfectly ordinary article about the harbour works.\n" * 3)
    (inputs / "empty.txt").write_bytes(b"")
    (inputs / "binary.bin").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    latin1 = "Le café était fermé, mais la boulangerie vendait des croissants à tout le quartier."
    (inputs / "latin1.txt").write_bytes(latin1.encode("latin-1"))
    (inputs / "records.jsonl").write_text(
        '{"id": "r1", "text": "The council approved the new budget for the harbour on Monday.", '
        '"url": "https://example.com/a"}\n'
        "{not json}\n"
        '{"id": "r3", "body": "no text field here"}\n'
        "[1, 2, 3]\n"
        '{"id": "r5", "text": "   "}\n'
    )
    return inputs


def test_bad_inputs_go_to_rejects_and_counts_add_up(tmp_path: Path) -> None:
    inputs = _bad_inputs(tmp_path)
    out = tmp_path / "clean.jsonl"
    code = main(["clean", str(inputs), "-o", str(out), "--no-progress", "-q", "--jobs", "1"])
    assert code == 0
    kept = _read_jsonl(out)
    rejects = _read_jsonl(tmp_path / "clean.rejects.jsonl")
    report = json.loads((tmp_path / "clean.report.json").read_text("utf-8"))
    reasons = sorted(str(r["reason"]) for r in rejects)
    assert {"binary_file", "empty_file", "malformed_json", "missing_text_field"} <= set(reasons)
    assert report["docs_in"] == len(kept) + len(rejects) == 9
    assert report["balanced"] is True
    kept_ids = {str(r["id"]) for r in kept}
    assert {"good.txt", "latin1.txt", "r1"} <= kept_ids
    latin = next(r for r in kept if r["id"] == "latin1.txt")
    assert "café était fermé" in str(latin["text"])
    r1 = next(r for r in kept if r["id"] == "r1")
    assert r1["url"] == "https://example.com/a"
    for reject in rejects:
        assert reject["reason"] and "detail" in reject


def test_two_runs_give_byte_identical_output(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl.gz"
    records = [
        {"id": f"d{i}", "text": (SEEDS / name).read_text("utf-8")}
        for i, name in enumerate(sorted(p.name for p in SEEDS.iterdir()) * 40)
    ]
    with gzip.open(source, "wt", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record) + "\n")
    outputs = []
    for run in range(2):
        out = tmp_path / f"out{run}.jsonl.zst"
        jobs = "1" if run == 0 else "2"
        args = ["clean", str(source), "-o", str(out), "-q", "--no-progress", "--jobs", jobs]
        assert main([*args, "--set", "run.batch_size=7"]) == 0
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


def test_config_errors_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "o.jsonl")
    bad = ["--set", "pipeline.processors=['encoding', 'normalise']"]
    assert main(["clean", str(SEEDS), "-o", out, *bad]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "valid processors:" in err
    assert main(["clean", str(tmp_path / "missing"), "-o", out]) == 2
    assert "input not found" in capsys.readouterr().err
    assert main(["clean", str(SEEDS)]) == 2  # no -o
    assert "required" in capsys.readouterr().err
    assert not (tmp_path / "o.jsonl").exists()


def test_explain_names_the_rules(capsys: pytest.CaptureFixture[str]) -> None:
    seed = SEEDS / "002_6d780ac8c6a5b1ba.txt"
    assert main(["explain", str(seed)]) == 0
    out = capsys.readouterr().out
    assert "No time to read?" in out
    assert "Previous Article" in out
    assert "boilerplate" in out


def test_rules_check_passes_on_the_packaged_packs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check"]) == 0
    assert main(["rules", "list"]) == 0
    assert "widget" in capsys.readouterr().out


def test_rules_check_fails_on_a_broken_pack(tmp_path: Path) -> None:
    pack = tmp_path / "broken.toml"
    pack.write_text('pack = "broken"\n[[rule]]\nid = "x"\nkind = "regex"\npattern = "("\n')
    assert main(["rules", "check", str(tmp_path)]) == 1


def test_console_script_entry_point(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "cleaner", "clean", "-", "-o", "-", "--no-progress", "-q"],
        input="Hello there, this is a plain English sentence about the weather today.\n",
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    [record] = [json.loads(line) for line in proc.stdout.splitlines()]
    assert record["id"] == "stdin"
    assert record["meta"]["lang"] == "en"


def _dump_with_copies(root: Path) -> Path:
    texts = [p.read_text("utf-8") for p in sorted(SEEDS.iterdir())]
    records = [{"id": f"seed{i}", "text": t} for i, t in enumerate(texts)]
    records.append({"id": "copy0", "text": texts[0], "source": "mirror"})
    records.append({"id": "excerpt2", "text": texts[2][: len(texts[2]) * 2 // 3]})
    dump = root / "dump.jsonl"
    dump.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return dump


def test_dedup_command_flags_then_drops(tmp_path: Path) -> None:
    dump = _dump_with_copies(tmp_path)
    flagged = tmp_path / "flagged.jsonl"
    assert main(["dedup", str(dump), "-o", str(flagged), "-q", "--no-progress"]) == 0
    rows = {str(r["id"]): r for r in _read_jsonl(flagged)}
    assert len(rows) == 7
    # Identical texts: the smaller id represents, whatever the input order.
    assert rows["seed0"]["meta"]["dup"]["of"] == "copy0"  # type: ignore[index]
    assert rows["copy0"]["meta"]["dup"]["kind"] == "representative"  # type: ignore[index]
    assert rows["copy0"]["source"] == "mirror"
    assert rows["excerpt2"]["meta"]["dup"]["kind"] == "excerpt"  # type: ignore[index]
    # dedup alone does not clean: the seed text is written back unchanged
    assert rows["seed2"]["text"] == (SEEDS / "002_6d780ac8c6a5b1ba.txt").read_text("utf-8")

    dropped = tmp_path / "dropped.jsonl"
    args = ["dedup", str(dump), "-o", str(dropped), "-q", "--no-progress", "--policy", "drop"]
    assert main(args) == 0
    assert len(_read_jsonl(dropped)) == 5
    rejects = _read_jsonl(tmp_path / "dropped.rejects.jsonl")
    assert sorted(str(r["id"]) for r in rejects) == ["excerpt2", "seed0"]
    of = {"excerpt2": "seed2", "seed0": "copy0"}
    assert all(
        r["reason"] == "duplicate" and f"duplicate of {of[str(r['id'])]}" in str(r["detail"])
        for r in rejects
    )
    report = json.loads((tmp_path / "dropped.report.json").read_text("utf-8"))
    assert report["balanced"] and report["rejected_by_reason"] == {"dedup.duplicate": 2}


def test_clean_flags_near_duplicates_by_default(tmp_path: Path) -> None:
    dump = _dump_with_copies(tmp_path)
    out = tmp_path / "clean.jsonl"
    assert main(["clean", str(dump), "-o", str(out), "-q", "--no-progress", "-j", "2"]) == 0
    rows = {str(r["id"]): r for r in _read_jsonl(out)}
    assert rows["excerpt2"]["meta"]["dup"]["of"] == "seed2"  # type: ignore[index]


def test_compare_shows_similarity_and_shared_passages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed = SEEDS / "002_6d780ac8c6a5b1ba.txt"
    excerpt = tmp_path / "excerpt.txt"
    excerpt.write_text(seed.read_text("utf-8")[:3000], "utf-8")
    assert main(["compare", str(seed), str(excerpt)]) == 0
    out = capsys.readouterr().out
    assert "containment:" in out and "B is an excerpt duplicate of A" in out
    assert "shared passages:   1" in out and " | " in out

    pair = [str(SEEDS / "003_8861b159ce7b2961.txt"), str(SEEDS / "004_1783eee5701059e8.txt")]
    assert main(["compare", *pair]) == 0
    assert "verdict:           not duplicates" in capsys.readouterr().out

    dump = _dump_with_copies(tmp_path)
    assert main(["compare", str(dump), "--id", "seed0", "--id", "copy0"]) == 0
    assert "normalized duplicate" in capsys.readouterr().out
    assert main(["compare", str(dump)]) == 2
    assert main(["compare", str(dump), "--id", "seed0", "--id", "nope"]) == 2


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_written_trace_replays_and_the_report_does_not_depend_on_it(
    tmp_path: Path, jobs: str
) -> None:
    """With `--trace` every step's change is recorded (in the workers too) and the trace
    rebuilds each output from its input; without it nothing is recorded, the same bytes are
    written and the report counts the same edits."""
    from cleaner.document import Edit
    from cleaner.trace import replay

    reports = []
    outputs = []
    for trace in (True, False):
        out = tmp_path / f"out-{trace}.jsonl"
        args = ["clean", str(SEEDS), "-o", str(out), "--no-progress", "--jobs", jobs, "-q"]
        # Shards of 2 documents: with 2 jobs the chain runs in worker processes.
        code = main([*args, "--shard-size", "2", *(["--trace"] if trace else [])])
        assert code == 0
        records = _read_jsonl(out)
        report = json.loads((tmp_path / f"out-{trace}.report.json").read_text("utf-8"))
        counted = ("removed_by_rule", "moved_to_meta_by_rule", "edits_by_processor", "docs_out")
        reports.append({k: report[k] for k in counted})
        outputs.append([r["text"] for r in records])
        if trace:
            assert len(records) == 5
            for record in records:
                meta = record["meta"]
                assert isinstance(meta, dict)
                source = SEEDS / Path(str(meta["source"])).name
                edits = [Edit(**{**e, "changes": tuple(map(tuple, e.get("changes", ())))})
                         for e in meta["trace"]]  # fmt: skip
                assert replay(source.read_text("utf-8"), edits) == record["text"]
        else:
            assert all("trace" not in r.get("meta", {}) for r in records)  # type: ignore[operator]
    assert reports[0] == reports[1]
    assert outputs[0] == outputs[1]
