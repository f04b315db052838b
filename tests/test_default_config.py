"""cleaner/default.toml and the Options dataclasses state the same defaults.

The Options dataclasses (a processor's `Options`, `cleaner.options` for `[pipeline]`, `[input]`,
`[output]` and `[run]`) are where defaults are written; default.toml repeats them with their
explanations for users. A key written as a comment (`# max_document_bytes = 10_000_000`) is a
documented default left out of the merged configuration; it is compared too.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from importlib import resources
from typing import Any

import pytest

from cleaner.config import default_config
from cleaner.options import SECTIONS
from cleaner.registry import available, make_options, processor_class

_HEADER = re.compile(r"^\[(\w+)\]$")
_COMMENTED_KEY = re.compile(r"^# (\w+) = (.+)$")


def _packaged_text() -> str:
    return resources.files("cleaner").joinpath("default.toml").read_text(encoding="utf-8")


def _commented_keys(text: str) -> dict[str, dict[str, Any]]:
    """`{section: {key: value}}` of the lines `# key = value` (a TOML value) in each table."""
    found: dict[str, dict[str, Any]] = {}
    section = ""
    for line in text.splitlines():
        if header := _HEADER.match(line):
            section = header.group(1)
        elif (key := _COMMENTED_KEY.match(line)) and section:
            try:
                value = tomllib.loads(f"v = {key.group(2)}")["v"]
            except tomllib.TOMLDecodeError:
                continue  # prose that happens to contain " = "
            found.setdefault(section, {})[key.group(1)] = value
    return found


def _options_class(section: str) -> type[Any]:
    if section in SECTIONS:
        return SECTIONS[section]
    options: type[Any] = processor_class(section).Options
    return options


def _documented() -> dict[str, dict[str, Any]]:
    """Every table of default.toml with its keys, the commented ones included."""
    tables = default_config()
    for section, keys in _commented_keys(_packaged_text()).items():
        for key in keys:
            assert key not in tables.get(section, {}), f"[{section}] {key} is set and commented"
        tables.setdefault(section, {}).update(keys)
    return tables


def _packaged_processors() -> list[str]:
    """The processors cleaner ships (a test or a user may register more, which the packaged
    defaults cannot list)."""
    return [name for name in available() if processor_class(name).__module__.startswith("cleaner.")]


def test_default_toml_has_a_table_per_processor_and_general_section() -> None:
    assert sorted(_documented()) == sorted([*SECTIONS, *_packaged_processors()])


@pytest.mark.parametrize("section", [*SECTIONS, *_packaged_processors()])
def test_default_toml_lists_every_option_with_its_dataclass_default(section: str) -> None:
    options_cls = _options_class(section)
    table = _documented()[section]
    fields = [f.name for f in dataclasses.fields(options_cls) if f.init]
    assert sorted(table) == sorted(fields), f"[{section}] keys differ from {options_cls}"
    assert make_options(options_cls, table, where=f"[{section}]") == options_cls()


def test_commented_keys_are_read_as_defaults() -> None:
    commented = _commented_keys(_packaged_text())
    assert commented["input"] == {"max_document_bytes": 10_000_000}
    assert commented["dedup"] == {"max_sketch_chars": 1_000_000}


def test_filters_min_words_default_is_the_cli_behaviour() -> None:
    # The CLI always dropped texts without a word (default.toml: 1); the library agrees.
    assert processor_class("filters").Options().min_words == 1
    assert default_config()["filters"]["min_words"] == 1
