"""Golden fixtures: every `fixtures/<case>/` is cleaned by the default chain and compared.

A case directory holds:
  - `input.txt` (read through the same reader as the CLI, so bytes and charsets count), or a
    `case.toml` whose `input` names a file relative to the case (the seed cases point at seeds/);
  - `expected.txt`: the exact cleaned text, or `expected_drop.txt`: the reject label
    (`processor.reason`, or `input.reason` when the reader itself rejects the file);
  - `expected_meta.json` (optional): meta keys that must equal these values;
  - `case.toml` (optional): `description`, `url` (for domain-scoped rules), and a `[config]`
    table layered over the packaged defaults.

`pytest --update-fixtures` (or `make fixtures`) rewrites the expectations from the current code;
review the diff before committing it.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

import pytest

from cleaner.config import load_config
from cleaner.document import Document, Drop, Reject
from cleaner.io.readers import iter_inputs
from cleaner.pipeline import Pipeline

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
# Meta keys that depend on where the checkout lives, not on the cleaning.
VOLATILE_META = {"source"}
# `dedup_*` cases hold several documents each; tests/test_dedup_fixtures.py runs them.
CASES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir() and not p.name.startswith("dedup_"))


def _case_settings(case: Path) -> dict[str, Any]:
    settings_file = case / "case.toml"
    return tomllib.loads(settings_file.read_text("utf-8")) if settings_file.exists() else {}


def _input_path(case: Path, settings: dict[str, Any]) -> Path:
    return (case / settings["input"]).resolve() if "input" in settings else case / "input.txt"


def run_case(case: Path) -> Document | Drop | Reject:
    settings = _case_settings(case)
    config = load_config(extra=settings.get("config", {}))
    pipeline = Pipeline.from_dict(config)
    [item] = list(iter_inputs([str(_input_path(case, settings))]))
    if isinstance(item, Reject):
        return item
    if "url" in settings:
        item = item.with_meta(url=settings["url"])
    [result] = list(pipeline.run([item]))
    return result


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 20
    seeds = [c for c in CASES if c.startswith("seed_")]
    assert len(seeds) == 5


@pytest.mark.parametrize("name", CASES)
def test_fixture(name: str, update_fixtures: bool) -> None:
    case = FIXTURES / name
    result = run_case(case)
    expected_text = case / "expected.txt"
    expected_drop = case / "expected_drop.txt"
    expected_meta = case / "expected_meta.json"
    if update_fixtures:
        _update(result, expected_text, expected_drop, expected_meta)
        return
    if isinstance(result, (Drop, Reject)):
        assert expected_drop.exists(), f"dropped unexpectedly: {result.label} {result.detail}"
        assert result.label == expected_drop.read_text("utf-8").strip()
        return
    assert expected_text.exists(), "kept, but the case expects a drop"
    assert result.text == expected_text.read_text("utf-8")
    if expected_meta.exists():
        wanted = json.loads(expected_meta.read_text("utf-8"))
        got = {k: v for k, v in result.meta.items() if k in wanted}
        assert got == wanted


def _update(result: Document | Drop | Reject, text: Path, drop: Path, meta: Path) -> None:
    for stale in (text, drop):
        stale.unlink(missing_ok=True)
    if isinstance(result, (Drop, Reject)):
        drop.write_text(result.label + "\n", "utf-8")
        meta.unlink(missing_ok=True)
        return
    text.write_text(result.text, "utf-8")
    kept = {k: v for k, v in sorted(result.meta.items()) if k not in VOLATILE_META}
    meta.write_text(json.dumps(kept, ensure_ascii=False, indent=2) + "\n", "utf-8")
