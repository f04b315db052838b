from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from typing import Annotated, Literal

import pytest

from cleaner.errors import ConfigError
from cleaner.registry import (
    BUILTIN_PROCESSORS,
    Range,
    available,
    build_processor,
    make_options,
    processor_class,
)


@dataclass(frozen=True)
class _Options:
    count: int = 1
    ratio: float = 0.5
    flag: bool = False
    names: tuple[str, ...] = ()
    mode: Literal["a", "b"] = "a"
    label: str | None = None


def test_builtin_processors_are_registered() -> None:
    assert set(available()) >= {
        "html",
        "encoding",
        "normalize",
        "boilerplate",
        "language",
        "filters",
        "exact_dedup",
        "dedup",
    }


def test_make_options_coerces_and_validates() -> None:
    opts = make_options(_Options, {"count": 3, "ratio": 1, "names": ["x", "y"]}, "[t]")
    assert opts == _Options(count=3, ratio=1.0, names=("x", "y"))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"cuont": 1}, "unknown parameter 'cuont'; valid parameters: count, flag, label"),
        ({"count": "3"}, "count: expected int"),
        ({"count": True}, "count: expected int"),
        ({"flag": 1}, "flag: expected bool"),
        ({"names": "x"}, "names: expected list of str"),
        ({"mode": "c"}, "mode: expected 'a' | 'b'"),
        ({"label": 5}, "label: expected str or NoneType"),
    ],
)
def test_make_options_errors_name_the_problem(params: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message.replace("|", r"\|")):
        make_options(_Options, params, "[t]")


def test_build_processor_rejects_unknown_names_and_params() -> None:
    with pytest.raises(ConfigError, match="unknown processor 'nope'; valid processors: "):
        build_processor("nope")
    with pytest.raises(ConfigError, match=r"\[filters\]: unknown parameter 'min_wrds'"):
        build_processor("filters", {"min_wrds": 3})


@dataclass(frozen=True)
class _Bounded:
    seed: Annotated[int, Range(0, 2**32 - 1)] = 1
    share: Annotated[float, Range(0, 1, low_open=True)] = 0.5
    seconds: Annotated[float, Range(0, 60, note="0 = no limit")] = 1.0
    maybe: Annotated[int, Range(1, 10)] | None = None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"seed": -1}, r"\[t\] seed: expected a number in \[0, 4294967295\], got -1"),
        ({"seed": 2**32}, r"seed: expected a number in \[0, 4294967295\], got 4294967296"),
        ({"seed": 10**22}, r"seed: expected a number in \[0, 4294967295\]"),
        ({"share": 0}, r"share: expected a number in \(0, 1\], got 0.0"),
        ({"share": float("nan")}, "share: expected a finite number, got nan"),
        ({"seconds": 1e300}, r"seconds: expected a number in \[0, 60\] \(0 = no limit\)"),
        ({"seconds": 10**400}, "seconds: expected a finite number"),
    ],
)
def test_declared_ranges_are_checked(params: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_options(_Bounded, params, "[t]")


def test_values_within_declared_ranges_pass() -> None:
    opts = make_options(_Bounded, {"seed": 2**32 - 1, "share": 1, "seconds": 0, "maybe": 3}, "[t]")
    assert opts == _Bounded(seed=2**32 - 1, share=1.0, seconds=0.0, maybe=3)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"ratio": float("inf")}, "ratio: expected a finite number, got inf"),
        ({"ratio": float("-inf")}, "ratio: expected a finite number, got -inf"),
        ({"ratio": float("nan")}, "ratio: expected a finite number, got nan"),
        ({"count": 2**63}, "count: 9223372036854775808 does not fit in 64 bits"),
        ({"count": -(2**63) - 1}, "count: -9223372036854775809 does not fit in 64 bits"),
    ],
)
def test_every_number_is_finite_and_fits_64_bits(params: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        make_options(_Options, params, "[t]")


@pytest.mark.parametrize(
    ("name", "params", "message"),
    [
        ("dedup", {"seed": -1}, r"\[dedup\] seed: expected a number in \[0, 4294967295\]"),
        ("dedup", {"num_perm": 0}, r"\[dedup\] num_perm: expected a number in \[1, 4096\]"),
        ("dedup", {"threshold": 2}, r"\[dedup\] threshold: expected a number in \(0, 1\]"),
        ("dedup", {"target_recall": 1.0}, r"\[dedup\] target_recall: .* \(0, 1\)"),
        ("dedup", {"batch_size": 0}, r"\[dedup\] batch_size: expected a number in \[1, "),
        ("html", {"timeout_seconds": 1e300}, "timeout_seconds must be >= 0 and <= 86400"),
        ("html", {"link_density": float("nan")}, "link_density: expected a finite number"),
        ("filters", {"min_lang_score": float("inf")}, "min_lang_score: expected a finite"),
    ],
)
def test_builtin_options_refuse_absurd_numbers(
    name: str, params: dict[str, object], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        build_processor(name, params)


@pytest.mark.parametrize("name", sorted(BUILTIN_PROCESSORS))
def test_each_builtin_module_registers_its_name(name: str) -> None:
    cls = processor_class(name)
    assert cls.name == name
    assert cls.__module__ == BUILTIN_PROCESSORS[name]


_CHECK_IMPORTS = """
import sys
from cleaner.config import load_config
load_config(overrides=['pipeline.processors=["normalize"]'])
print(" ".join(sorted(m for m in sys.modules if m.startswith("cleaner.processors."))))
"""


def test_validating_a_config_imports_no_processor_module() -> None:
    # A fresh interpreter: this test process has imported every processor already.
    found = subprocess.run(
        [sys.executable, "-c", _CHECK_IMPORTS], capture_output=True, text=True, check=True
    )
    assert found.stdout.split() == []


_BUILD_ONE = """
import sys
from cleaner.pipeline import Pipeline
Pipeline.from_dict({"pipeline": {"processors": ["normalize"]}})
print(" ".join(sorted(m for m in sys.modules if m.startswith("cleaner.processors."))))
"""


def test_building_a_chain_imports_only_its_processors() -> None:
    found = subprocess.run(
        [sys.executable, "-c", _BUILD_ONE], capture_output=True, text=True, check=True
    )
    modules = set(found.stdout.split())
    assert "cleaner.processors.normalize" in modules
    assert not modules & {BUILTIN_PROCESSORS[n] for n in BUILTIN_PROCESSORS if n != "normalize"}
