"""FIFOs, devices and file names that are not UTF-8 inside an input directory, end to end."""

from __future__ import annotations

import json
import os
from pathlib import Path

from cleaner.cli.main import main

TEXT = "The council approved the new budget for the harbour on Monday after a long debate."


def test_fifo_and_odd_names_in_an_input_directory(tmp_path: Path, no_hang: None) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    os.mkfifo(inputs / "pipe.txt")
    with open(os.path.join(os.fsencode(inputs), b"caf\xe9.txt"), "wb") as fh:
        fh.write(TEXT.encode())
    out = tmp_path / "out.jsonl"
    code = main(["clean", str(inputs), "-o", str(out), "--no-progress"])
    assert code == 0
    [kept] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert kept["id"] == "caf\\xe9.txt" and kept["text"] == TEXT
    [reject] = [
        json.loads(line) for line in (tmp_path / "out.rejects.jsonl").read_text().splitlines()
    ]
    assert (reject["id"], reject["reason"]) == ("pipe.txt", "not_a_regular_file")
    report = json.loads((tmp_path / "out.report.json").read_text("utf-8"))
    assert (report["docs_in"], report["docs_out"], report["rejected"]) == (2, 1, 1)


def test_a_non_utf8_file_name_given_directly_is_read(tmp_path: Path) -> None:
    """The resume fingerprint hashes input paths: a name that is not UTF-8 must not break it."""
    name = os.path.join(os.fsencode(tmp_path), b"caf\xe9.txt")
    with open(name, "wb") as fh:
        fh.write(TEXT.encode())
    out = tmp_path / "out.jsonl"
    assert main(["clean", os.fsdecode(name), "-o", str(out), "--no-progress"]) == 0
    [kept] = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert kept["text"] == TEXT
    assert kept["meta"]["source"].endswith("caf\\xe9.txt")
