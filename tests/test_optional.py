"""Optional dependencies: one helper finds and imports them, and names the extra to install."""

from __future__ import annotations

import ast
import io
import sys
from pathlib import Path

import pytest

import cleaner
from cleaner.document import Document, Reject
from cleaner.errors import ConfigError
from cleaner.io.writers import open_writer
from cleaner.optional import PARQUET, RAY, WARC, installed, missing_message, require

PACKAGE_DIR = Path(cleaner.__file__).parent
#: Top-level modules that only `cleaner.optional` may import.
OPTIONAL_MODULES = {module for extra in (PARQUET, WARC, RAY) for module in extra.modules}


def test_message_names_the_extra() -> None:
    assert missing_message(PARQUET, "reading Parquet files") == (
        "reading Parquet files needs pyarrow: pip install 'cleaner[parquet]'"
    )
    assert missing_message(WARC, "reading WARC files") == (
        "reading WARC files needs FastWARC or warcio: pip install 'cleaner[warc]'"
    )
    assert missing_message(RAY, "--executor ray") == (
        "--executor ray needs Ray: pip install 'cleaner[ray]'"
    )


def test_require_imports_an_installed_module_or_its_submodule() -> None:
    assert require(PARQUET, "reading").__name__ == "pyarrow"
    assert require(PARQUET, "reading", "pyarrow.parquet").__name__ == "pyarrow.parquet"


def test_a_missing_module_is_a_config_error_with_the_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` raises ImportError
    assert installed(PARQUET) is None
    with pytest.raises(ConfigError) as caught:
        require(PARQUET, "output x.parquet: writing Parquet", "pyarrow.parquet")
    assert str(caught.value) == (
        "output x.parquet: writing Parquet needs pyarrow: pip install 'cleaner[parquet]'"
    )


def test_the_first_installed_alternative_is_chosen(monkeypatch: pytest.MonkeyPatch) -> None:
    assert installed(WARC) == "fastwarc"
    monkeypatch.setitem(sys.modules, "fastwarc", None)
    assert installed(WARC) == "warcio"
    monkeypatch.setitem(sys.modules, "warcio", None)
    assert installed(WARC) is None


def test_parquet_without_pyarrow_is_a_reject_in_and_a_usage_error_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cleaner.io.readers import iter_inputs

    pq = require(PARQUET, "test", "pyarrow.parquet")
    pa = require(PARQUET, "test")
    path = tmp_path / "in.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "a", "text": "a"}]), path)
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    (reject,) = iter_inputs([str(path)])
    assert isinstance(reject, Reject) and reject.reason == "missing_dependency"
    assert reject.detail == "reading Parquet files needs pyarrow: pip install 'cleaner[parquet]'"
    with pytest.raises(ConfigError, match=r"^output .*out\.parquet: writing Parquet needs pyarrow"):
        open_writer(str(tmp_path / "out.parquet"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet"]


def test_warc_falls_back_to_warcio(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    from cleaner.io.readers import iter_inputs

    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        body = b"<html><body><p>Hello there.</p></body></html>"
        record = writer.create_warc_record(
            "http://example.com/", "response", payload=io.BytesIO(body), http_headers=headers
        )
        writer.write_record(record)
    monkeypatch.setitem(sys.modules, "fastwarc", None)
    (doc,) = iter_inputs([str(path)])
    assert isinstance(doc, Document) and doc.meta["url"] == "http://example.com/"


def _optional_imports(path: Path) -> list[str]:
    """`import X` / `from X import` / `importlib.import_module("X")` of an optional module."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id)
            in ("import_module", "__import__")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names = [node.args[0].value]
        found.extend(
            f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}: {name}"
            for name in names
            if name.partition(".")[0] in OPTIONAL_MODULES
        )
    return found


def test_optional_modules_are_imported_only_through_the_helper() -> None:
    found = [
        line
        for path in sorted(PACKAGE_DIR.rglob("*.py"))
        if path != PACKAGE_DIR / "optional.py"
        for line in _optional_imports(path)
    ]
    assert found == [], "import these through cleaner.optional.require:\n" + "\n".join(found)


def test_parquet_output_without_pyarrow_stops_before_any_work(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cleaner.cli.main import EXIT_USAGE, main

    source = tmp_path / "in.txt"
    source.write_text("The harbour board met on Monday to approve the budget.", encoding="utf-8")
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    before = sorted(p.name for p in tmp_path.iterdir())
    assert main(["clean", str(source), "-o", str(tmp_path / "out.parquet")]) == EXIT_USAGE
    assert "pip install 'cleaner[parquet]'" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no work directory left
