"""Output paths a hostile but fair user gives: nothing cleaner did not write is replaced.

Every refusal is one line on stderr with exit code 2, given before any input is read or any
work directory is created (the directory listings are unchanged). Special files are written
directly and stay special files. Tests run as root, where permissions stop nothing: they
assert on what exists after the run.
"""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from cleaner.cli.main import main

TEXT = "A perfectly ordinary article about the harbour works and the new budget.\n" * 3


def _inputs(root: Path) -> Path:
    inp = root / "in"
    inp.mkdir()
    (inp / "d1.txt").write_text(TEXT + "one\n", "utf-8")
    (inp / "d2.txt").write_text(TEXT + "two\n", "utf-8")
    return inp


def _tree(root: Path) -> dict[str, str | bytes | None]:
    """Every path below `root` (hidden ones too, symlinks not followed): a file's bytes, a
    symlink's target, None for a directory."""
    found: dict[str, str | bytes | None] = {}
    for top, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(top) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                found[rel] = os.readlink(path)
            elif path.is_dir():
                found[rel] = None
            else:
                found[rel] = path.read_bytes()
    return found


def _run(args: list[str]) -> int:
    return main(["clean", *args, "--no-progress", "--jobs", "1"])


def _error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("cleaner: error: ")
    return lines[0]


# -- directories cleaner did not write -------------------------------------------------------


def test_an_unmarked_directory_is_never_replaced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inp = _inputs(tmp_path)
    mydocs = tmp_path / "mydocs"
    (mydocs / "sub").mkdir(parents=True)
    (mydocs / "precious.txt").write_text("keep me\n")
    (mydocs / "sub" / "notes.txt").write_text("and me\n")
    before = _tree(tmp_path)

    assert _run([str(inp), "-o", str(mydocs)]) == 2
    assert "--overwrite" in _error_line(capsys)
    assert _run([str(inp), "-o", f"{mydocs}/"]) == 2
    assert _tree(tmp_path) == before  # no work directory, no side file, nothing replaced


def test_a_project_given_as_input_and_output_keeps_its_git(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = tmp_path / "proj"
    (proj / ".git").mkdir(parents=True)
    (proj / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (proj / "a.txt").write_text(TEXT)
    before = _tree(tmp_path)
    for extra in ([], ["--overwrite"]):  # --overwrite never allows replacing an input
        assert _run([str(proj), "-o", f"{proj}/", *extra]) == 2
        assert "input" in _error_line(capsys)
    assert _tree(tmp_path) == before


def test_overwrite_replaces_an_unmarked_directory(tmp_path: Path) -> None:
    inp = _inputs(tmp_path)
    mydocs = tmp_path / "mydocs"
    mydocs.mkdir()
    (mydocs / "precious.txt").write_text("keep me\n")
    assert _run([str(inp), "-o", f"{mydocs}/", "--overwrite", "-q"]) == 0
    assert not (mydocs / "precious.txt").exists()
    assert (mydocs / "d1.txt").is_file() and (mydocs / ".cleaner-output").is_file()


def test_dedup_refuses_an_unmarked_directory_too_unless_overwrite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inp = _inputs(tmp_path)
    mydocs = tmp_path / "mydocs"
    mydocs.mkdir()
    (mydocs / "precious.txt").write_text("keep me\n")
    args = ["dedup", str(inp), "-o", f"{mydocs}/", "--no-progress", "-q"]
    assert main(args) == 2
    assert "--overwrite" in _error_line(capsys)
    assert (mydocs / "precious.txt").read_text() == "keep me\n"
    assert main([*args, "--overwrite"]) == 0
    assert sorted(p.name for p in mydocs.iterdir()) == [
        ".cleaner-meta.jsonl",
        ".cleaner-output",
        "d1.txt",
        "d2.txt",
    ]


def test_a_directory_cleaner_wrote_is_replaced_and_an_empty_one_is_used(tmp_path: Path) -> None:
    inp = _inputs(tmp_path)
    out = tmp_path / "out"
    out.mkdir()  # empty: nothing in it to lose
    assert _run([str(inp), "-o", str(out), "-q"]) == 0
    assert (out / ".cleaner-output").is_file()
    (out / "stale.txt").write_text("from an older run\n")
    assert _run([str(inp), "-o", str(out), "-q"]) == 0  # marked: cleaner's own, replaced
    assert not (out / "stale.txt").exists()
    assert (out / "d2.txt").read_text("utf-8").endswith("two\n")


# -- outputs that are, hold or sit inside inputs ----------------------------------------------


@pytest.mark.parametrize(
    "target",
    [
        ["-o", "{in}/d1.txt"],
        ["-o", "{in}/clean.jsonl"],
        ["-o", "{in}/sub/"],
        ["-o", "{root}/"],
        ["-o", "{root}/out.jsonl", "--report", "{in}/d1.txt"],
        ["-o", "{root}/out.jsonl", "--rejects", "{in}/d2.txt"],
        ["-o", "{root}/out.jsonl", "--report", "{in}/report.json"],
        ["-o", "{root}/out.jsonl", "--rejects", "{root}"],
        ["-o", "{root}/link/out.jsonl"],
        ["-o", "{root}/out.jsonl", "--workdir", "{in}/work"],
        ["-o", "{root}/out.jsonl", "--report", "{root}/d1-link.json"],
    ],
)
def test_an_output_or_side_file_on_an_input_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], target: list[str]
) -> None:
    inp = _inputs(tmp_path)
    (tmp_path / "link").symlink_to(inp, target_is_directory=True)
    (tmp_path / "d1-link.json").symlink_to(inp / "d1.txt")
    before = _tree(tmp_path)
    args = [arg.format(root=tmp_path, **{"in": inp}) for arg in target]
    assert _run([str(inp), *args]) == 2
    assert "input" in _error_line(capsys)
    assert _tree(tmp_path) == before


def test_a_hard_link_to_an_input_file_is_that_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inp = _inputs(tmp_path) / "d1.txt"
    os.link(inp, tmp_path / "d1-hard.json")
    before = _tree(tmp_path)
    report = str(tmp_path / "d1-hard.json")
    assert _run([str(inp), "-o", str(tmp_path / "out.jsonl"), "--report", report]) == 2
    assert "is the input" in _error_line(capsys)
    assert _tree(tmp_path) == before


def test_an_input_file_as_the_txt_meta_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inp = tmp_path / "dump.meta.jsonl"
    inp.write_text(json.dumps({"id": "a", "text": TEXT}) + "\n")
    before = _tree(tmp_path)
    assert _run([str(inp), "-o", str(tmp_path / "dump.txt")]) == 2
    assert "meta file" in _error_line(capsys)
    assert _tree(tmp_path) == before


@pytest.mark.parametrize(
    "args",
    [
        ["-o", "{root}/out.jsonl", "--rejects", "{root}/side.json", "--report", "{root}/side.json"],
        ["-o", "{root}/out.jsonl", "--report", "{root}/out.jsonl"],
        ["-o", "{root}/out.txt", "--rejects", "{root}/out.meta.jsonl"],
    ],
)
def test_two_outputs_on_one_path_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    inp = _inputs(tmp_path)
    before = _tree(tmp_path)
    assert _run([str(inp), *[arg.format(root=tmp_path) for arg in args]]) == 2
    assert "same file" in _error_line(capsys)
    assert _tree(tmp_path) == before


def test_a_bad_output_name_is_refused_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inp = _inputs(tmp_path)
    before = _tree(tmp_path)
    assert _run([str(inp), "-o", str(tmp_path / "out.json")]) == 2
    assert "format" in _error_line(capsys)
    assert _tree(tmp_path) == before  # no work directory left behind


# -- pipes and special files -------------------------------------------------------------------


def test_pipe_mode_writes_nothing_into_the_current_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inp = _inputs(tmp_path)
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    cwd.chmod(0o555)
    monkeypatch.chdir(cwd)
    (inp / "d3.txt").write_bytes(b"")  # one reject, which goes nowhere unless asked
    assert _run([str(inp), "-o", "-"]) == 0
    captured = capsys.readouterr()
    assert [json.loads(line)["id"] for line in captured.out.splitlines()] == ["d1.txt", "d2.txt"]
    assert "3 in, 2 out, 1 rejected" in captured.err
    assert os.listdir(cwd) == []


def test_pipe_mode_writes_the_side_files_it_is_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inp = _inputs(tmp_path)
    (inp / "d3.txt").write_bytes(b"")
    rejects, report = tmp_path / "r.jsonl", tmp_path / "report.json"
    assert _run([str(inp), "-o", "-", "--rejects", str(rejects), "--report", str(report)]) == 0
    capsys.readouterr()
    assert [json.loads(line)["id"] for line in rejects.read_text().splitlines()] == ["d3.txt"]
    assert json.loads(report.read_text())["docs_in"] == 3


def _char_device(tmp_path: Path) -> Path:
    """A private node of the null device (major 1, minor 3), so that a broken run replaces it
    rather than the machine's /dev/null; /dev/null itself where device nodes cannot be made."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        return Path(os.devnull)
    return node


def test_a_character_device_is_written_directly_and_stays_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # a device output has no directory: its work goes to the cwd
    inp = _inputs(tmp_path)
    (inp / "d3.txt").write_bytes(b"")
    null = str(_char_device(tmp_path))
    assert _run([str(inp), "-o", null, "--rejects", null, "--report", null]) == 0
    assert "3 in, 2 out, 1 rejected" in capsys.readouterr().err
    assert stat.S_ISCHR(os.stat(null).st_mode)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(path, "rb") as fh:
            into.append(fh.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


def test_a_fifo_gets_the_report_and_stays_a_fifo(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inp = _inputs(tmp_path)
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    assert _run([str(inp), "-o", str(tmp_path / "out.jsonl"), "--report", str(fifo), "-q"]) == 0
    reader.join(timeout=60)
    assert not reader.is_alive()
    assert json.loads(got[0])["docs_out"] == 2
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_fifo_as_the_output_gets_jsonl_and_no_side_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    inp = _inputs(tmp_path)
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    assert _run([str(inp), "-o", str(fifo), "-q"]) == 0
    reader.join(timeout=60)
    assert [json.loads(line)["id"] for line in got[0].splitlines()] == ["d1.txt", "d2.txt"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "out.fifo"]


# -- meta beside text-only outputs -------------------------------------------------------------


def _records(root: Path) -> Path:
    path = root / "dump.jsonl"
    rows = [
        {
            "id": "news/b",
            "text": TEXT + "b\n",
            "url": "https://example.com/b",
            "meta": {"byline": "By Ann Lee", "categories": ["Harbour"]},
        },
        {"id": "news/a", "text": TEXT + "a\n", "meta": {"byline": "By Bo Chan"}},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    return path


def test_txt_output_keeps_meta_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    assert _run([str(_records(tmp_path)), "-o", str(out), "-q"]) == 0
    lines = [json.loads(line) for line in (tmp_path / "out.meta.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == ["news/b", "news/a"]  # output order
    assert lines[0]["meta"]["byline"] == "By Ann Lee"
    assert lines[0]["meta"]["categories"] == ["Harbour"]
    assert lines[0]["fields"] == {"url": "https://example.com/b"}
    assert lines[1]["meta"]["byline"] == "By Bo Chan" and "fields" not in lines[1]
    assert len(out.read_text().split("\n\f\n")) == len(lines)


def test_directory_output_keeps_meta_inside_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run([str(_records(tmp_path)), "-o", f"{out}/", "-q"]) == 0
    lines = [json.loads(line) for line in (out / ".cleaner-meta.jsonl").read_text().splitlines()]
    assert [(line["id"], line["path"]) for line in lines] == [
        ("news/b", "news/b.txt"),
        ("news/a", "news/a.txt"),
    ]
    assert lines[0]["meta"]["byline"] == "By Ann Lee"
    for line in lines:
        assert (out / line["path"]).read_text("utf-8").startswith(TEXT)


# -- ids that make impossible paths ------------------------------------------------------------


def test_deep_and_long_ids_get_writable_paths(tmp_path: Path) -> None:
    dump = tmp_path / "ids.jsonl"
    ids = ["/".join(["d"] * 1500), "/".join(["x" * 100] * 50), "y" * 5000]
    dump.write_text("".join(json.dumps({"id": i, "text": TEXT}) + "\n" for i in ids))
    out = tmp_path / "out"
    assert _run([str(dump), "-o", f"{out}/", "-q"]) == 0
    report = json.loads((tmp_path / "out.report.json").read_text())
    assert report["docs_out"] == 3
    lines = [json.loads(line) for line in (out / ".cleaner-meta.jsonl").read_text().splitlines()]
    assert [line["id"] for line in lines] == ids
    for line in lines:
        assert (out / line["path"]).read_text("utf-8") == TEXT
