from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pytest

from cleaner.errors import ConfigError
from cleaner.registry import available, build_processor, make_options


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
