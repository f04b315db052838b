"""The progress bar: tqdm only when it shows, and its total only asked for then."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.run.progress import NoProgress, progress_bar, shown


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _never() -> int:
    raise AssertionError("the total of a hidden bar was computed")


def test_the_bar_shows_as_asked_else_on_a_terminal() -> None:
    assert shown(True, io.StringIO()) is True
    assert shown(False, _Terminal()) is False
    assert shown(None, _Terminal()) is True
    assert shown(None, io.StringIO()) is False


def test_a_hidden_bar_costs_no_total(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    for progress in (False, None):
        bar = progress_bar(progress, _never)
        assert isinstance(bar, NoProgress)
        with bar:
            assert bar.update(1) is None


def test_a_shown_bar_counts_to_its_total(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    with progress_bar(True, lambda: 3) as bar:
        bar.update(1)
        bar.update(1)
    assert "cleaning" in stream.getvalue()
    assert "/3" in stream.getvalue()


def test_a_run_without_a_bar_does_not_import_tqdm(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from cleaner.cli.main import main\n"
        "main(['clean', sys.argv[1], '-o', sys.argv[2], '--no-resume', '-q', '--jobs', '1',"
        " '--set', 'pipeline.processors=[\"normalize\"]'])\n"
        "print('tqdm' in sys.modules)\n"
    )
    source = tmp_path / "in"
    source.mkdir()
    (source / "a.txt").write_text("Some text of a page.\n", encoding="utf-8")
    found = subprocess.run(
        [sys.executable, "-c", code, str(source), str(tmp_path / "out.jsonl")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert found.stdout.strip().splitlines()[-1] == "False"
