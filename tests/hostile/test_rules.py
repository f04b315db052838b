"""Hostile rule packs: catastrophic regexes, id clashes, files that are not UTF-8 or TOML.

The runs that could hang on a catastrophic pattern are child processes with a `timeout`, so a
regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from cleaner.cli.main import main

REPO = Path(__file__).resolve().parent.parent.parent
_ENV = {**os.environ, "PYTHONPATH": str(REPO)}
# Seconds a child run may take before the test calls it hung: minutes more than it needs.
_HUNG = 300

HEADER = 'pack = "hostile"\ndescription = "rules a careless user might write"\n'
HOSTILE_LINE = "a" * 50 + "!"
BODY = (
    "The council met on Tuesday evening to discuss the new budget for the coming year, "
    "and members agreed that the library and the swimming pool would stay open longer "
    "during the summer months while the roads programme waits for the next review."
)


def _rule(
    rule_id: str, pattern: str, kind: str = "regex", fires: str = "aaaa", survives: str = "aa b"
) -> str:
    return f"""
[[rule]]
id = "{rule_id}"
kind = "{kind}"
why = "written without thinking of backtracking"
pattern = '{pattern}'
must_match = ["{fires}"]
must_not_match = ["{survives}"]
"""


def _pack(path: Path, *rules: str) -> Path:
    path.write_text(HEADER + "".join(rules), encoding="utf-8")
    return path


def _docs(path: Path) -> Path:
    docs = [
        {"id": "hostile", "text": f"Budget night\n\n{HOSTILE_LINE}\n\n{BODY}\n"},
        {"id": "plain", "text": f"Budget night\n\n{BODY}\n"},
    ]
    path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    return path


def _clean(
    tmp_path: Path, pack: Path, *extra: str
) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path / "out.jsonl"
    command = [
        sys.executable, "-m", "cleaner", "clean", str(_docs(tmp_path / "in.jsonl")),
        "-o", str(out), "--rules", str(pack), "--no-progress", "--jobs", "1", *extra,
    ]  # fmt: skip
    done = subprocess.run(
        command, env=_ENV, capture_output=True, text=True, timeout=_HUNG, cwd=tmp_path
    )
    return done, out


def _report(out: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads(out.with_suffix(".report.json").read_text("utf-8"))
    return data


def test_a_catastrophic_rule_runs_in_linear_time(tmp_path: Path) -> None:
    """`(a+)+$` on 50 `a`s and a `!` used to hang `clean` for ever; RE2 runs it."""
    pack = _pack(tmp_path / "nested.toml", _rule("hostile.nested", "(a+)+$"))
    done, out = _clean(tmp_path, pack)
    assert done.returncode == 0, done.stderr
    kept = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [d["id"] for d in kept] == ["hostile", "plain"]
    assert HOSTILE_LINE in kept[0]["text"]  # it does not match, so it stays


def test_a_rule_out_of_time_rejects_the_document_naming_the_rule(tmp_path: Path) -> None:
    """A pattern RE2 cannot run alike goes to the regex engine under a time budget."""
    pack = _pack(tmp_path / "slow.toml", _rule("hostile.slow", r"(\w|\w\w)+$", kind="inline"))
    done, out = _clean(tmp_path, pack, "--set", "boilerplate.rule_timeout_seconds=0.2")
    assert done.returncode == 0, done.stderr
    kept = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [d["id"] for d in kept] == ["plain"]
    lines = out.with_suffix(".rejects.jsonl").read_text("utf-8").splitlines()
    rejects = [json.loads(line) for line in lines]
    assert [r["id"] for r in rejects] == ["hostile"]
    reject = json.dumps(rejects[0])
    assert "rule_timeout" in reject and "hostile.slow" in reject
    report = _report(out)
    assert report["docs_in"] == 2 and report["docs_out"] == 1 and report["rejected"] == 1
    assert report["rejected_by_reason"] == {"boilerplate.rule_timeout": 1}


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "1e300"])
def test_a_bad_rule_time_budget_is_a_usage_error(
    tmp_path: Path, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["config", "--set", f"boilerplate.rule_timeout_seconds={value}"])
    assert code == 2
    err = capsys.readouterr().err
    assert "rule_timeout_seconds" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("pattern", [r"x(\w+\s?)*$", "(a|a)*b", r"(?=x)?(a+)+$"])
def test_rules_check_fails_a_pattern_it_cannot_prove_safe(
    tmp_path: Path, pattern: str, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = _pack(tmp_path / "unsafe.toml", _rule("hostile.unsafe", pattern, fires="aaab"))
    code = main(["rules", "check", "--no-default-rules", str(pack)])
    out = capsys.readouterr().out
    if pattern == "(a|a)*b":
        # RE2 reads it exactly as re does: it runs there, in linear time, and passes
        assert code == 0, out
        assert "NOTE" in out and "'hostile.unsafe'" in out and "linear-time RE2" in out
        return
    assert code == 1, out
    fail = next(line for line in out.splitlines() if line.startswith("FAIL"))
    assert "'hostile.unsafe'" in fail and "unsafe pattern" in fail


def test_rules_check_loads_the_packaged_packs_so_clashes_fail_as_in_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pack = tmp_path / "clash.toml"
    pack.write_text(
        HEADER
        + """
[[rule]]
id = "widget.summary-prompt"
kind = "phrase"
why = "an id a packaged rule already has"
phrases = ["Press here now"]
must_match = ["Press here now"]
must_not_match = ["Press here now to see the prices of grain."]
""",
        encoding="utf-8",
    )
    assert main(["rules", "check", str(pack)]) == 1
    checked = capsys.readouterr().out
    docs = _docs(tmp_path / "in.jsonl")
    assert main(["clean", str(docs), "-o", str(tmp_path / "o.jsonl"), "--rules", str(pack)]) == 2
    refused = capsys.readouterr().err.strip()
    assert refused.startswith("cleaner: error: ")
    message = refused.removeprefix("cleaner: error: ")
    assert "duplicate id" in message
    assert f"FAIL {message}" in checked.splitlines()
    # told otherwise, the pack is checked alone and passes
    assert main(["rules", "check", "--no-default-rules", str(pack)]) == 0


@pytest.mark.parametrize(
    ("content", "why"),
    [
        (HEADER.encode("utf-8") + b"\n# caf\xe9 in Latin-1\n", "not UTF-8"),
        (HEADER.encode("utf-16"), "not UTF-8"),
        (HEADER.encode("utf-8") + b"\n[[rule]\nid = 1\n", "not valid TOML"),
    ],
)
@pytest.mark.parametrize("command", ["clean", "check", "list"])
def test_an_unreadable_rule_file_is_one_line_and_exit_2(
    tmp_path: Path,
    content: bytes,
    why: str,
    command: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pack = tmp_path / "broken.toml"
    pack.write_bytes(content)
    if command == "clean":
        docs = _docs(tmp_path / "in.jsonl")
        argv = ["clean", str(docs), "-o", str(tmp_path / "o.jsonl"), "--rules", str(pack)]
    else:
        argv = ["rules", command, str(pack)]
    assert main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert str(pack) in lines[0] and why in lines[0]
    assert "Traceback" not in captured.err + captured.out
