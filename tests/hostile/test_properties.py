"""Property-based tests: arbitrary bytes, records and settings never break a run.

For whatever a scraper or a careless user hands over (any bytes in a file of any input kind,
any JSON record, any value for any setting), `cleaner clean`:

- never lets an exception escape: it exits with a documented code, and a usage or
  configuration error is one line on stderr;
- loses nothing: every input document is in the output or in the rejects file, and the report
  says `docs_in == docs_out + rejected`;
- is deterministic: the same input gives the same output and rejects bytes.

The library's `Pipeline.run` obeys the same rules for arbitrary Python items. The CLI runs in
this process (`cleaner.cli.main.main`) so that hypothesis can try many examples quickly.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cleaner
from cleaner.cli.commands import EXIT_REJECTED
from cleaner.cli.main import EXIT_OK, EXIT_USAGE, main
from cleaner.config import default_config

# Exit codes a run over hostile input may end with: success, or "no document reached the
# output" / "too many rejects" (documented in the README's exit codes).
RUN_EXIT_CODES = {EXIT_OK, EXIT_REJECTED}

PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SUFFIXES = [".txt", ".jsonl", ".ndjson", ".html", ".htm", ".jsonl.gz", ".html.gz", ".dat"]


@contextlib.contextmanager
def _workspace() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="cleaner-prop-") as tmp:
        yield Path(tmp)


def _run_cli(argv: list[str]) -> tuple[int, str]:
    """`cleaner ARGV` in this process: (exit code, stderr). An escaping exception fails."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    return code, err.getvalue()


def _clean(inputs: list[Path], out: Path, *extra: str) -> tuple[int, str]:
    return _run_cli(
        ["clean", *map(str, inputs), "-o", str(out), "--no-progress", "--jobs", "1", *extra]
    )


def _check_run(out: Path, code: int, stderr: str) -> dict[str, Any]:
    """The run's invariants; returns its report."""
    assert code in RUN_EXIT_CODES, (code, stderr)
    assert "Traceback" not in stderr
    report = json.loads(out.with_name(out.name.removesuffix(".jsonl") + ".report.json").read_text())
    rejects = out.with_name(out.name.removesuffix(".jsonl") + ".rejects.jsonl")
    out_lines = out.read_bytes().splitlines() if out.exists() else []
    reject_lines = rejects.read_bytes().splitlines() if rejects.exists() else []
    assert report["balanced"] is True
    assert report["docs_in"] == report["docs_out"] + report["rejected"]
    assert report["docs_out"] == len(out_lines)
    assert report["rejected"] == len(reject_lines)
    for line in reject_lines:
        record = orjson.loads(line)
        assert record.get("reason"), record
    return dict(report)


def _outputs(out: Path) -> tuple[bytes, bytes]:
    rejects = out.with_name(out.name.removesuffix(".jsonl") + ".rejects.jsonl")
    return (
        out.read_bytes() if out.exists() else b"",
        rejects.read_bytes() if rejects.exists() else b"",
    )


def _encode(data: bytes, suffix: str) -> bytes:
    return gzip.compress(data, mtime=0) if suffix.endswith(".gz") else data


@PROPERTY_SETTINGS
@given(
    contents=st.lists(st.binary(max_size=3_000), min_size=1, max_size=4),
    suffixes=st.lists(st.sampled_from(SUFFIXES), min_size=4, max_size=4),
)
def test_any_bytes_in_any_input_kind(contents: list[bytes], suffixes: list[str]) -> None:
    with _workspace() as tmp:
        inputs = []
        for n, data in enumerate(contents):
            path = tmp / "in" / f"f{n}{suffixes[n]}"
            path.parent.mkdir(exist_ok=True)
            path.write_bytes(_encode(data, suffixes[n]))
            inputs.append(path)
        first = tmp / "a" / "out.jsonl"
        second = tmp / "b" / "out.jsonl"
        first.parent.mkdir()
        second.parent.mkdir()
        report = _check_run(first, *_clean([tmp / "in"], first))
        # every file that is not JSON Lines is at least one document (kept or rejected)
        whole_files = [p for p in inputs if ".jsonl" not in p.name and ".ndjson" not in p.name]
        assert report["docs_in"] >= len(whole_files)
        _check_run(second, *_clean([tmp / "in"], second))
        assert _outputs(first) == _outputs(second)


_json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=200)
_json_values = st.recursive(
    _json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
_record_keys = st.sampled_from(["id", "text", "meta", "html", "content", "url", "x"])
_records = st.dictionaries(_record_keys, _json_values | st.text(max_size=400), max_size=5)
_lines = st.one_of(
    # the standard library's encoder writes what orjson refuses: huge integers, NaN, Infinity,
    # escaped lone surrogates; a hostile dump holds them too
    _records.map(lambda r: json.dumps(r).encode()),
    _json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=200).filter(lambda b: b"\n" not in b),
)


@PROPERTY_SETTINGS
@given(lines=st.lists(_lines, min_size=1, max_size=12), gz=st.booleans())
def test_any_jsonl_records(lines: list[bytes], gz: bool) -> None:
    with _workspace() as tmp:
        suffix = ".jsonl.gz" if gz else ".jsonl"
        data = b"\n".join(lines) + b"\n"
        source = tmp / f"records{suffix}"
        source.write_bytes(_encode(data, suffix))
        first = tmp / "out1.jsonl"
        second = tmp / "out2.jsonl"
        report = _check_run(first, *_clean([source], first))
        nonblank = [line for line in lines if line.strip()]
        assert report["docs_in"] >= len(nonblank) or report["rejected"] > 0
        _check_run(second, *_clean([source], second))
        assert _outputs(first) == _outputs(second)


def _default_keys() -> list[tuple[str, str]]:
    config = default_config()
    return [
        (section, key)
        for section, table in config.items()
        for key in table
        if section != "pipeline"
    ] + [("pipeline", "drop_empty"), ("nosuchsection", "x"), ("dedup", "nosuchkey")]


_toml_values = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(
        lambda f: {"inf": "inf", "-inf": "-inf", "nan": "nan"}.get(repr(f), repr(f))
    ),
    st.sampled_from(["true", "false", '""', "[]", '["x"]', "[1, 2]", "{}", "{a = 1}", "und"]),
    st.text(max_size=30).filter(lambda s: "\n" not in s),
)


@settings(PROPERTY_SETTINGS, max_examples=150)
@given(
    key=st.sampled_from(_default_keys()),
    value=_toml_values,
)
def test_any_setting_is_used_or_refused_in_one_line(key: tuple[str, str], value: str) -> None:
    seeds = Path(__file__).resolve().parents[2] / "seeds"
    with _workspace() as tmp:
        out = tmp / "out.jsonl"
        code, stderr = _clean([seeds], out, "--set", f"{key[0]}.{key[1]}={value}")
        assert "Traceback" not in stderr
        if code == EXIT_USAGE:
            lines = stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("cleaner: error:"), stderr
            assert not out.exists()
        else:
            _check_run(out, code, stderr)


_items = st.one_of(
    st.text(max_size=500),
    st.dictionaries(_record_keys, _json_values | st.text(max_size=300), max_size=4),
    st.builds(
        cleaner.Document,
        id=st.text(max_size=20),
        text=st.text(max_size=500),
    ),
)


@settings(max_examples=40, deadline=None, derandomize=True)
@given(items=st.lists(_items, max_size=10))
def test_library_run_accounts_for_every_item(items: list[Any]) -> None:
    """`Pipeline.run` yields exactly one Document or Drop per item, the same on every run."""
    pipeline = cleaner.Pipeline.from_config()
    first = list(pipeline.run(items))
    second = list(cleaner.Pipeline.from_config().run(items))
    assert len(first) == len(items)
    assert all(isinstance(r, cleaner.Document | cleaner.Drop) for r in first)
    assert [_result_key(r) for r in first] == [_result_key(r) for r in second]


def _result_key(result: cleaner.Document | cleaner.Drop) -> tuple[Any, ...]:
    if isinstance(result, cleaner.Document):
        return ("doc", result.id, result.text, orjson.dumps(result.meta, default=str))
    return ("drop", result.processor, result.reason)
