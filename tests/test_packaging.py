"""The wheel carries the default rule packs and config, so an installed cleaner works anywhere."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_ships_rules_and_works_outside_the_checkout(tmp_path: Path) -> None:
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert build.returncode == 0, build.stderr
    [wheel] = tmp_path.glob("cleaner-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    packs = {p.name for p in (REPO / "rules").glob("*.toml")}
    assert {f"cleaner/_rules/{name}" for name in packs} <= names
    assert "cleaner/default.toml" in names
    assert "cleaner/py.typed" in names  # callers' type checkers read cleaner's annotations

    # Run the unpacked wheel from a directory that is not the checkout.
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    code = (
        "import cleaner, sys; from cleaner.rules.locate import default_rules_dir;"
        "print(cleaner.__file__); print(default_rules_dir());"
        "from cleaner.cli.main import main; sys.exit(main(['rules', 'check']))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=elsewhere,
        env={"PYTHONPATH": str(tmp_path / "site"), "PATH": "/usr/bin:/bin"},
        timeout=300,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    module_file, rules_dir = run.stdout.splitlines()[:2]
    assert module_file.startswith(str(tmp_path / "site"))
    assert rules_dir == str(tmp_path / "site" / "cleaner" / "_rules")
    assert "all passed" in run.stdout


# A caller's code with one wrong argument: mypy must know clean_text's signature to see it.
_CALLER = """\
import cleaner

cleaned: str = cleaner.clean_text(123)
reveal_type(cleaner.Pipeline.run)
"""


def test_a_callers_mypy_sees_cleaners_types(tmp_path: Path) -> None:
    (tmp_path / "caller.py").write_text(_CALLER, encoding="utf-8")
    # Run from elsewhere: mypy finds cleaner as an installed package, not as a source file.
    check = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "caller.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert "import-untyped" not in check.stdout, check.stdout
    assert 'Argument 1 to "clean_text" has incompatible type "int"' in check.stdout, check.stdout
    assert "Iterator[cleaner.document.Document | cleaner.document.Drop]" in check.stdout
    assert check.returncode == 1
