"""Exit codes of `clean` and `dedup` when the input is rejected: 3 with one line saying why,
the outputs still written; an empty input is no failure."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner.cli.commands import EXIT_OK, EXIT_REJECTED
from cleaner.cli.main import main

GOOD = '{"id": "g%d", "text": "The harbour board met on Monday to approve budget number %d."}\n'
WRONG_FIELD = '{"id": "w%d", "content": "a record whose text is under another name"}\n'


def _write(path: Path, good: int, wrong: int) -> Path:
    lines = [GOOD % (i, i) for i in range(good)] + [WRONG_FIELD % i for i in range(wrong)]
    path.write_text("".join(lines), encoding="utf-8")
    return path


def _clean(args: list[str], tmp_path: Path) -> int:
    return main(["clean", *args, "-o", str(tmp_path / "out.jsonl"), "--no-progress"])


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8").splitlines()


def test_every_input_rejected_exits_3_with_the_outputs_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.jsonl", good=0, wrong=2)
    assert _clean([str(source)], tmp_path) == EXIT_REJECTED
    err = capsys.readouterr().err
    last = err.splitlines()[-1]
    assert last == (
        "cleaner: all 2 input documents were rejected (input.missing_text_field 2);"
        " outputs written, exit code 3"
    )
    assert _lines(tmp_path / "out.jsonl") == []
    assert len(_lines(tmp_path / "out.rejects.jsonl")) == 2
    report = json.loads((tmp_path / "out.report.json").read_text("utf-8"))
    assert report["failure"] == "all 2 input documents were rejected (input.missing_text_field 2)"
    assert report["reject_rate"] == 1.0 and report["balanced"]


def test_quiet_still_says_why_the_exit_code_is_not_zero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.jsonl", good=0, wrong=1)
    assert _clean([str(source), "-q"], tmp_path) == EXIT_REJECTED
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "exit code 3" in err


def test_the_all_rejected_rule_holds_with_the_most_lenient_rate(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", good=0, wrong=3)
    assert _clean([str(source), "--max-reject-rate", "1"], tmp_path) == EXIT_REJECTED


@pytest.mark.parametrize(("rate", "code"), [("0.5", EXIT_REJECTED), ("0.7", EXIT_OK)])
def test_max_reject_rate(
    rate: str, code: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _write(tmp_path / "in.jsonl", good=1, wrong=2)  # 2 of 3 rejected
    assert _clean([str(source), "--max-reject-rate", rate], tmp_path) == code
    err = capsys.readouterr().err
    report = json.loads((tmp_path / "out.report.json").read_text("utf-8"))
    assert report["max_reject_rate"] == float(rate)
    assert len(_lines(tmp_path / "out.jsonl")) == 1
    if code == EXIT_REJECTED:
        assert "2 of 3 documents rejected (66.7% > max reject rate 50.0%" in err
        assert report["failure"].startswith("2 of 3 documents rejected")
    else:
        assert report["failure"] is None and "exit code" not in err


def test_by_default_some_rejects_are_no_failure(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", good=1, wrong=5)
    assert _clean([str(source)], tmp_path) == EXIT_OK


def test_dedup_exits_3_when_everything_is_rejected(tmp_path: Path) -> None:
    source = _write(tmp_path / "in.jsonl", good=0, wrong=2)
    code = main(["dedup", str(source), "-o", str(tmp_path / "out.jsonl"), "--no-progress"])
    assert code == EXIT_REJECTED


def test_an_empty_input_exits_0_with_a_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "empty.jsonl"
    source.write_bytes(b"")
    assert _clean([str(source)], tmp_path) == EXIT_OK
    err = capsys.readouterr().err
    assert "cleaner: notice: the inputs held no documents; the output is empty" in err
    report = json.loads((tmp_path / "out.report.json").read_text("utf-8"))
    assert report["docs_in"] == 0 and report["failure"] is None
