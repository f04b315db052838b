from __future__ import annotations

from pathlib import Path

import pytest

from cleaner.config import default_config, load_config, merge, parse_override
from cleaner.errors import ConfigError


def test_default_config_lists_a_valid_chain() -> None:
    config = load_config()
    assert config["pipeline"]["processors"][:4] == [
        "html",
        "encoding",
        "normalize",
        "boilerplate",
    ]
    assert "exact_dedup" in config["pipeline"]["processors"]


def test_user_file_is_layered_over_defaults(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text('[filters]\nmin_words = 7\n[input]\ntext_field = "body"\n')
    config = load_config(user)
    assert config["filters"]["min_words"] == 7
    assert config["input"]["text_field"] == "body"
    # untouched keys keep their packaged values
    assert config["input"]["id_field"] == default_config()["input"]["id_field"]


def test_overrides_beat_the_user_file(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text("[filters]\nmin_words = 7\n")
    config = load_config(user, ["filters.min_words=9", "language.unknown=und"])
    assert config["filters"]["min_words"] == 9
    assert config["language"]["unknown"] == "und"


def test_parse_override_reads_toml_values() -> None:
    assert parse_override("filters.languages=['en', 'de']") == {
        "filters": {"languages": ["en", "de"]}
    }
    assert parse_override("pipeline.drop_empty=false") == {"pipeline": {"drop_empty": False}}
    with pytest.raises(ConfigError, match=r"section\.key=value"):
        parse_override("nonsense")
    with pytest.raises(ConfigError, match=r"section\.key=value"):
        parse_override("justkey=1")


def test_merge_is_deep_and_does_not_mutate() -> None:
    base = {"a": {"x": 1, "y": 2}, "b": [1]}
    out = merge(base, {"a": {"y": 3}, "b": [2]})
    assert out == {"a": {"x": 1, "y": 3}, "b": [2]}
    assert base == {"a": {"x": 1, "y": 2}, "b": [1]}


def test_unknown_section_lists_valid_sections(tmp_path: Path) -> None:
    user = tmp_path / "user.toml"
    user.write_text("[filterz]\nmin_words = 7\n")
    with pytest.raises(ConfigError, match=r"unknown config section \[filterz\].*filters"):
        load_config(user)


def test_unknown_processor_lists_valid_names() -> None:
    with pytest.raises(ConfigError, match=r"unknown processor 'normalise'.*normalize"):
        load_config(None, ["pipeline.processors=['encoding', 'normalise']"])


def test_bad_toml_and_missing_file_are_config_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[filters\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "missing.toml")


def test_a_config_file_that_is_not_utf8_is_one_line_naming_it(tmp_path: Path) -> None:
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b"# caf\xe9\n[filters]\nmin_words = 3\n")
    with pytest.raises(ConfigError, match=r"config file .*latin\.toml is not valid TOML: not UTF"):
        load_config(latin)


def test_a_toml_error_is_one_line_naming_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[filters]\nmin_words = "unterminated\n')
    with pytest.raises(ConfigError) as caught:
        load_config(bad)
    assert "bad.toml" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("run.batch_size=nan", r"\[run\] batch_size: expected a finite number, got nan"),
        ("run.jobs=12345678901234567890123", r"\[run\] jobs: .* does not fit in 64 bits"),
        ("dedup.seed=12345678901234567890123", r"\[dedup\] seed: .* does not fit in 64 bits"),
        ("input.text_field=''", r"\[input\] text_field: expected a field name, got ''"),
        ("input.id_field='  '", r"\[input\] id_field: expected a field name"),
    ],
)
def test_numbers_and_field_names_are_checked_in_every_section(override: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config(None, [override])
