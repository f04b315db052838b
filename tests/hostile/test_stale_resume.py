"""Resuming never reuses shards made with an old rule: the work directory's fingerprint holds
the contents of every rule file, not only their paths."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import cleaner.run.job as job
from cleaner.cli.main import main
from cleaner.errors import CleanerError

_BODY = (
    "The council voted on the budget on Tuesday after a long debate about roads and schools"
    " in the district {n}.\nAlpha marker line\nBeta marker line\nThe mayor said the plan"
    " would be published next week with more figures for residents of ward {n}."
)


def _dump(path: Path, count: int = 30) -> Path:
    lines = [json.dumps({"id": f"d{n}", "text": _BODY.format(n=n)}) for n in range(count)]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _texts(out: Path) -> list[str]:
    return [json.loads(line)["text"] for line in out.read_text("utf-8").splitlines()]


def test_an_edited_rule_file_is_applied_to_every_shard_of_a_resumed_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, write_marker_pack: Callable[[Path, str], None]
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    pack = rules / "local.toml"
    write_marker_pack(pack, "Alpha marker line")
    dump = _dump(tmp_path / "dump.jsonl")
    out = tmp_path / "out.jsonl"
    args = [
        "clean",
        str(dump),
        "-o",
        str(out),
        "--rules",
        str(rules),
        "--shard-size",
        "7",
        "--jobs",
        "1",
        "--no-progress",
        "-q",
    ]

    # A run interrupted once every shard was mapped with the first version of the rule.
    mapped = job.run_map

    def interrupted(*a: Any, **k: Any) -> Any:
        mapped(*a, **k)
        raise CleanerError("interrupted after the map")

    monkeypatch.setattr(job, "run_map", interrupted)
    assert main(args) == 1
    assert len(list((tmp_path / ".out.jsonl.cleaner-work" / "map").glob("*.done"))) == 5
    monkeypatch.setattr(job, "run_map", mapped)

    write_marker_pack(pack, "Beta marker line")  # same path, new rule
    assert main(args) == 0
    texts = _texts(out)
    assert len(texts) == 30
    assert all("Alpha marker line" in text and "Beta marker line" not in text for text in texts)
    fresh = tmp_path / "fresh.jsonl"
    assert main([*args[:3], str(fresh), *args[4:], "--no-resume"]) == 0
    assert out.read_bytes() == fresh.read_bytes()
