"""The `[pipeline]`, `[input]`, `[output]` and `[run]` tables are checked by their options
classes like a processor's table: unknown keys named with the valid ones, types and ranges,
each message written in one place (`cleaner.registry`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.cli.main import main
from cleaner.config import load_config
from cleaner.errors import ConfigError
from cleaner.options import (
    SECTIONS,
    InputOptions,
    OutputOptions,
    PipelineOptions,
    RunOptions,
)
from cleaner.pipeline import Pipeline
from cleaner.run.job import JobPaths, run_clean

SHARD_SIZE_ZERO = "[run] shard_size: expected a number in [1, 1000000], got 0"


@pytest.mark.parametrize(
    ("section", "valid"),
    [
        ("pipeline", "drop_empty, processors"),
        ("input", "format, html_field, id_field, max_document_bytes, text_field"),
        ("output", "format, trace"),
        ("run", "address, batch_size, executor, jobs, shard_size"),
    ],
)
def test_an_unknown_key_is_one_line_listing_the_valid_names(section: str, valid: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, [f"{section}.shard_sise=1"])
    message = str(caught.value)
    assert message == (f"[{section}]: unknown parameter 'shard_sise'; valid parameters: {valid}")
    assert valid == ", ".join(sorted(SECTIONS[section].field_names()))


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("run.shard_size=0", SHARD_SIZE_ZERO),
        ("run.batch_size=0", "[run] batch_size: expected a number in [1, 1000000], got 0"),
        ("run.jobs=-1", "[run] jobs: expected a number >= 0 (0 = one per core), got -1"),
        ("run.jobs=true", "[run] jobs: expected int, got True"),
        ("run.executor='spark'", "[run] executor: expected 'local' | 'ray', got 'spark'"),
        ("input.format='xml'", "[input] format: expected 'auto' | 'jsonl' | 'text' | 'html'"),
        ("input.html_field=''", "[input] html_field: expected a field name, got ''"),
        ("input.max_document_bytes=0", "[input] max_document_bytes: expected a number in [1, "),
        ("output.format='xml'", "[output] format: expected 'auto' | 'jsonl' | 'txt'"),
        ("output.trace='yes'", "[output] trace: expected bool, got 'yes'"),
        ("pipeline.drop_empty=1", "[pipeline] drop_empty: expected bool, got 1"),
        ("pipeline.processors='html'", "[pipeline] processors: expected list of str"),
    ],
)
def test_general_tables_check_types_and_ranges(override: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(None, [override])
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)


def test_defaults_of_the_general_tables_are_the_dataclass_defaults() -> None:
    config = load_config()
    assert PipelineOptions.from_config(config["pipeline"]) == PipelineOptions()
    assert InputOptions.from_config(config["input"]) == InputOptions()
    assert OutputOptions.from_config(config["output"]) == OutputOptions()
    assert RunOptions.from_config(config["run"]) == RunOptions()
    assert RunOptions().shard_size == 10_000
    assert (RunOptions().batch_size, RunOptions().jobs) == (64, 0)


def test_an_empty_table_takes_the_defaults() -> None:
    # A configuration without [pipeline] runs the default chain, as the packaged file says.
    assert Pipeline.from_dict({}).names == list(PipelineOptions().processors)
    assert Pipeline.from_dict({"pipeline": {"processors": []}}).names == []


@pytest.mark.parametrize(
    "argv",
    [
        ["--set", "run.shard_size=0"],
        ["--shard-size", "0"],
        ["--config", "zero.toml"],
    ],
)
def test_a_zero_shard_size_is_one_message_from_the_cli(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("in.jsonl").write_text('{"id": "a", "text": "Some words here."}\n', encoding="utf-8")
    Path("zero.toml").write_text("[run]\nshard_size = 0\n", encoding="utf-8")
    code = main(["clean", "in.jsonl", "-o", "out.jsonl", "--no-progress", *argv])
    assert code == 2
    assert capsys.readouterr().err == f"cleaner: error: {SHARD_SIZE_ZERO}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "zero.toml"]


def test_a_zero_shard_size_is_the_same_message_from_the_library(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "a", "text": "Some words here."}\n', encoding="utf-8")
    paths = JobPaths(output=str(tmp_path / "out.jsonl"), rejects=None, report=None)
    with pytest.raises(ConfigError) as from_run:
        run_clean(Pipeline(["normalize"]), [str(source)], paths, shard_size=0)
    with pytest.raises(ConfigError) as from_options:
        RunOptions(shard_size=0)
    assert str(from_run.value) == str(from_options.value) == SHARD_SIZE_ZERO
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl"]
