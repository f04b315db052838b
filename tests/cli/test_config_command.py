"""`cleaner config` prints TOML that `--config` reads back: the same configuration, the same run."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from cleaner.cli.main import main
from cleaner.config import default_config

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _config_output(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["config", *args]) == 0
    return capsys.readouterr().out


def test_config_prints_toml_of_the_merged_configuration(
    capsys: pytest.CaptureFixture[str],
) -> None:
    printed = _config_output(capsys)
    assert tomllib.loads(printed) == default_config()


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--set", "filters.min_words=3", "--text-field", "body", "--no-default-rules"),
        ("--set", "pipeline.processors=['encoding', 'normalize']", "--set", "run.jobs=2"),
    ],
)
def test_config_output_read_back_with_config_prints_the_same(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, args: tuple[str, ...]
) -> None:
    printed = _config_output(capsys, *args)
    saved = tmp_path / "saved.toml"
    saved.write_text(printed, encoding="utf-8")
    assert _config_output(capsys, "--config", str(saved)) == printed


def test_clean_with_the_printed_config_gives_the_same_output(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    saved = tmp_path / "saved.toml"
    saved.write_text(_config_output(capsys), encoding="utf-8")
    outputs = []
    for name, extra in (("plain", []), ("configured", ["--config", str(saved)])):
        out = tmp_path / name / "out.jsonl"
        out.parent.mkdir()
        args = ["clean", str(SEEDS), "-o", str(out), "-q", "--no-progress", "--jobs", "1"]
        assert main([*args, *extra]) == 0
        outputs.append((out.read_bytes(), out.with_suffix(".rejects.jsonl").read_bytes()))
    assert outputs[0][0]  # the seeds are cleaned into something
    assert outputs[0] == outputs[1]
