"""-q and -v: what the command line writes to stderr goes through the `cleaner` logger, which
only the CLI configures."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import cleaner.run.job as job
from cleaner.cli import logs
from cleaner.cli.main import main


def _dump(path: Path) -> Path:
    records = [
        {"id": "a", "text": "A short dispatch about the harbour and its ferries, filed today."},
        {"id": "b", "content": "a record without text"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _clean(tmp_path: Path, *flags: str) -> int:
    dump = _dump(tmp_path / "in.jsonl")
    out = tmp_path / "out.jsonl"
    return main(["clean", str(dump), "-o", str(out), "--no-progress", *flags])


def test_the_summary_is_a_notice_that_q_silences(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _clean(tmp_path) == 0
    err = capsys.readouterr().err
    assert err.startswith("cleaner: 2 in, 1 out, 1 rejected")
    assert "debug" not in err
    assert _clean(tmp_path, "-q") == 0
    assert capsys.readouterr().err == ""


def test_q_silences_the_work_directory_notice(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real = job.open_workdir

    def resuming(*args: Any, **kwargs: Any) -> Any:
        workdir, _ = real(*args, **kwargs)
        return workdir, "cleaner: resuming from somewhere (3 shards already done)"

    monkeypatch.setattr(job, "open_workdir", resuming)
    assert _clean(tmp_path, "-q") == 0
    assert capsys.readouterr().err == ""
    assert _clean(tmp_path) == 0
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "cleaner: resuming from somewhere (3 shards already done)"


def test_v_adds_debug_lines_to_stderr_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _clean(tmp_path, "-v", "--set", "filters.min_words=3") == 0
    err = capsys.readouterr().err.splitlines()
    debug = [line for line in err if line.startswith("cleaner: debug: ")]
    assert any("--set filters.min_words=3" in line for line in debug), err
    assert any(line.startswith("cleaner: debug: chain: html, encoding") for line in debug), err
    assert any(line.startswith("cleaner: 2 in, 1 out") for line in err)

    assert main(["config", "-v"]) == 0
    captured = capsys.readouterr()
    assert "debug" not in captured.out and captured.out.startswith("[pipeline]")
    assert captured.err.startswith("cleaner: debug: configuration: packaged defaults")


def test_errors_are_printed_even_with_q(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["clean", str(tmp_path / "missing"), "-o", str(tmp_path / "o.jsonl"), "-q"])
    assert code == 2
    assert capsys.readouterr().err.startswith("cleaner: error: ")


@pytest.mark.parametrize(
    "argv",
    [
        ["config", "-q"],
        ["config", "-vv"],
        ["rules", "list", "-q"],
        ["rules", "check", "-v"],
    ],
)
def test_every_command_takes_v_and_q(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0
    assert capsys.readouterr().out


def test_v_and_q_together_are_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "-v", "-q"]) == 2
    assert "not allowed with" in capsys.readouterr().err


def test_configure_installs_one_handler_and_sets_the_level() -> None:
    logger = logging.getLogger(logs.LOGGER_NAME)
    saved = (list(logger.handlers), logger.level)
    try:
        logs.configure(logs.NORMAL)
        logs.configure(logs.QUIET)
        ours = [h for h in logger.handlers if isinstance(h, logs.StderrHandler)]
        assert len(ours) == 1
        assert logger.level == logging.ERROR
        logs.configure(logs.VERBOSE + 1)
        assert logger.level == logging.DEBUG
    finally:
        logger.handlers[:] = saved[0]
        logger.setLevel(saved[1])


@pytest.mark.parametrize(
    ("level", "message", "line"),
    [
        (logging.INFO, "resuming", "cleaner: resuming"),
        (logging.WARNING, "capped", "cleaner: warning: capped"),
        (logging.DEBUG, "chain", "cleaner: debug: chain"),
        (logging.INFO, "cleaner: 3 in, 3 out", "cleaner: 3 in, 3 out"),
    ],
)
def test_each_record_is_one_line_in_the_clis_style(level: int, message: str, line: str) -> None:
    record = logging.LogRecord("cleaner.x", level, __file__, 1, message, None, None)
    assert logs.LineFormatter().format(record) == line


_LIBRARY_USE = """
import logging
import cleaner
cleaner.clean_text("Some   text.")
list(cleaner.Pipeline.from_config().run(["A text.", {"id": "x"}]))
print(logging.getLogger("cleaner").handlers, logging.getLogger().handlers,
      logging.getLogger("cleaner").level)
"""


def test_the_library_does_not_configure_logging() -> None:
    run = subprocess.run(
        [sys.executable, "-c", _LIBRARY_USE], capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["[]", "[]", "0"]
    assert run.stderr == ""
