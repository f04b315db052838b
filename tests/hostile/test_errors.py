"""Absurd flags and broken config files: one line on stderr, exit 2, and nothing read or made.

Each case runs `cleaner` in an empty directory holding one input file; after the error the
directory must hold exactly that file again (no output, no side file, no work directory), so
the mistake was found before any input was read.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.cli.main import EXIT_USAGE, main

RECORD = '{"id": "a", "text": "The harbour board met on Monday to approve the budget."}\n'


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "in.jsonl").write_text(RECORD, encoding="utf-8")
    (tmp_path / "latin.toml").write_bytes(b"# caf\xe9\n[filters]\nmin_words = 3\n")
    (tmp_path / "broken.toml").write_text("[filters\nmin_words = 3\n", encoding="utf-8")
    return tmp_path


def _run_usage_error(argv: list[str], root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    before = sorted(p.name for p in root.iterdir())
    code = main(argv)
    err = capsys.readouterr().err
    assert code == EXIT_USAGE, err
    assert err.startswith("cleaner: error: ") and err.count("\n") == 1, err
    assert sorted(p.name for p in root.iterdir()) == before, "something was written or made"
    return err


CLEAN = ["clean", "in.jsonl", "-o", "out.jsonl", "--no-progress"]
DEDUP = ["dedup", "in.jsonl", "-o", "out.jsonl", "--no-progress"]
COMPARE = ["compare", "in.jsonl", "--id", "a", "--id", "a"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([*CLEAN, "--set", "dedup.seed=-1"], "[dedup] seed: expected a number in [0, 4294967295]"),
        ([*CLEAN, "--set", "dedup.seed=12345678901234567890123"], "[dedup] seed"),
        ([*CLEAN, "--set", "dedup.seed=4294967296"], "[dedup] seed: expected a number in"),
        ([*CLEAN, "--config", "latin.toml"], "config file latin.toml is not valid TOML: not UTF-8"),
        ([*CLEAN, "--config", "broken.toml"], "config file broken.toml is not valid TOML"),
        ([*COMPARE, "--width", "0"], "--width: expected 10 to 1000 columns, got 0"),
        ([*COMPARE, "--width", "-3"], "--width: expected 10 to 1000 columns, got -3"),
        ([*COMPARE, "--width", str(10**9)], "--width: expected 10 to 1000 columns"),
        ([*CLEAN, "--set", "html.timeout_seconds=1e300"], "timeout_seconds must be >= 0 and <="),
        ([*CLEAN, "--set", "html.timeout_seconds=inf"], "timeout_seconds: expected a finite"),
        ([*CLEAN, "--set", "html.link_density=nan"], "[html] link_density: expected a finite"),
        ([*CLEAN, "--set", "filters.min_chars=99999999999999999999"], "does not fit in 64 bits"),
        (["clean", "in.jsonl", "-o", "out.json"], "output out.json: cannot tell the format"),
        (["clean", "in.jsonl", "-o", "out"], "output out: cannot tell the format"),
        ([*CLEAN, "--shard-size", "0"], "[run] shard_size: expected a number in [1, 1000000]"),
        ([*CLEAN, "--shard-size", str(10**12)], "[run] shard_size: expected a number in"),
        ([*CLEAN, "--set", "run.batch_size=1e9"], "[run] batch_size: expected int, got 1000000000"),
        ([*DEDUP, "--threshold", "2"], "[dedup] threshold: expected a number in (0, 1], got 2.0"),
        ([*DEDUP, "--threshold", "nan"], "[dedup] threshold: expected a finite number, got nan"),
        ([*DEDUP, "--containment", "-1"], "[dedup] containment_threshold: expected a number in"),
        ([*CLEAN, "--set", "normalize.max_blank_lines=9000000000"], "max_blank_lines must be"),
        ([*CLEAN, "--set", "output.trace=5"], "[output] trace: expected bool, got 5"),
        ([*CLEAN, "--rejects", ""], "--rejects: expected a path, got ''"),
        ([*CLEAN, "--report", ""], "--report: expected a path, got ''"),
        ([*CLEAN, "--workdir", ""], "--workdir: expected a path, got ''"),
        (["explain", "in.jsonl", "--limit", "0"], "--limit: expected 1 or more documents, got 0"),
        (["explain", "in.jsonl", "--limit", "-1"], "--limit: expected 1 or more documents"),
        ([*CLEAN, "--text-field", ""], "[input] text_field: expected a field name, got ''"),
        ([*CLEAN, "--id-field", " "], "[input] id_field: expected a field name, got ' '"),
        ([*CLEAN, "--max-reject-rate", "1.5"], "--max-reject-rate: expected a share from 0 to 1"),
        ([*CLEAN, "--max-reject-rate", "nan"], "--max-reject-rate: expected a share from 0 to 1"),
        ([*CLEAN, "--max-reject-rate", "-0.1"], "--max-reject-rate: expected a share from 0"),
        ([*DEDUP, "--threshold", "0.004"], "cannot reach recall 0.95 at threshold 0.004"),
        ([*CLEAN, "--set", "boilerplate.rules_dirs=0"], "rules_dirs: expected a list of paths"),
        ([*CLEAN, "--set", "boilerplate.rules_dirs=[1]"], "rules_dirs: expected a list of paths"),
    ],
)
def test_absurd_values_are_one_line_before_any_work(
    argv: list[str], expected: str, workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = _run_usage_error(argv, workspace, capsys)
    assert expected in err


def test_a_bad_output_name_is_reported_before_reading_the_input(
    workspace: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Even when the input does not exist yet: the output name is wrong whatever it holds,
    and no work directory is made for it."""
    (workspace / "in.jsonl").unlink()
    err = _run_usage_error(["clean", "in.jsonl", "-o", "out.json"], workspace, capsys)
    assert "out.json" in err
