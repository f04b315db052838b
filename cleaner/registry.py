"""Processor registry: names to classes, and checked construction from config tables.

Every processor class declares a frozen `Options` dataclass. `build_processor(name, params)`
checks `params` against it (unknown keys, wrong types, values out of range) and raises one
`ConfigError` that names the valid choices, so a typo in a TOML file is a one-line message,
never a traceback.

Numbers are checked in one place, here: a float must be finite (TOML reads `nan` and `inf`),
and an option whose annotation carries a `Range` (`seed: Annotated[int, Range(0, 2**32 - 1)]`)
must lie within it. An integer without a declared range must still fit in 64 bits, the width
every consumer (numpy, the run's fingerprint) can hold.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import types
import typing
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, TypeVar, get_args, get_origin, get_type_hints

from cleaner.errors import ConfigError
from cleaner.stage import Processor

#: The built-in processors: each name and the module that defines (and registers) it. A module
#: is imported only when its processor is built or asked for, never to validate a config: a
#: chain without `dedup` does not pay for numpy's MinHash code, nor one without `html` for lxml
#: and trafilatura.
BUILTIN_PROCESSORS: Mapping[str, str] = {
    "html": "cleaner.processors.html",
    "encoding": "cleaner.processors.encoding",
    "normalize": "cleaner.processors.normalize",
    "boilerplate": "cleaner.processors.boilerplate",
    "language": "cleaner.processors.language",
    "filters": "cleaner.processors.filters",
    "exact_dedup": "cleaner.processors.exact_dedup",
    "dedup": "cleaner.processors.dedup",
}

_REGISTRY: dict[str, type[Any]] = {}

P = TypeVar("P")

#: The integers every option fits in unless its `Range` says otherwise (signed 64 bits).
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


@dataclasses.dataclass(frozen=True)
class Range:
    """Bounds of a numeric option, declared in its annotation:
    `timeout_seconds: Annotated[float, Range(0, 86_400, note="0 = no limit")] = 10.0`.

    `low` and `high` are inclusive; `low_open` / `high_open` exclude them (`Range(0, 1,
    low_open=True)` is (0, 1]). `note` is appended to the error message.
    """

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False
    note: str = ""

    def contains(self, value: float) -> bool:
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return self.high is None or (value < self.high if self.high_open else value <= self.high)

    def describe(self) -> str:
        """The bounds as an interval: `[0, 4294967295]`, `(0, 1]`, `>= 1`."""
        if self.high is None:
            return f"{'>' if self.low_open else '>='} {_number(self.low)}"
        if self.low is None:
            return f"{'<' if self.high_open else '<='} {_number(self.high)}"
        left = "(" if self.low_open else "["
        right = ")" if self.high_open else "]"
        return f"{left}{_number(self.low)}, {_number(self.high)}{right}"


def _number(value: float | None) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def register(cls: type[P]) -> type[P]:
    """Class decorator: make a processor available by its `name` in configs."""
    name = getattr(cls, "name", "")
    if not name:
        raise TypeError(f"{cls.__name__} has no name")
    if not dataclasses.is_dataclass(getattr(cls, "Options", None)):
        raise TypeError(f"{cls.__name__} must declare a dataclass named Options")
    _REGISTRY[name] = cls
    return cls


def available() -> list[str]:
    """Sorted names of every processor: the built-in ones (not imported for this) and any
    registered since."""
    return sorted(set(BUILTIN_PROCESSORS) | set(_REGISTRY))


def processor_class(name: str) -> type[Any]:
    """The class registered as `name`, importing its built-in module on first use."""
    if name not in _REGISTRY and name in BUILTIN_PROCESSORS:
        importlib.import_module(BUILTIN_PROCESSORS[name])
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ConfigError(
            f"unknown processor {name!r}; valid processors: {', '.join(available())}"
        ) from None


def build_processor(name: str, params: Mapping[str, Any] | None = None) -> Processor:
    """Construct processor `name` with `params` checked against its Options dataclass."""
    cls = processor_class(name)
    options = make_options(cls.Options, params or {}, where=f"[{name}]")
    processor: Processor = cls(options)
    return processor


def make_options(options_cls: type[Any], params: Mapping[str, Any], where: str) -> Any:
    """Build an Options dataclass from a mapping, with one clear error per mistake."""
    fields = {f.name: f for f in dataclasses.fields(options_cls) if f.init}
    hints = get_type_hints(options_cls, include_extras=True)
    unknown = sorted(set(params) - set(fields))
    if unknown:
        raise ConfigError(
            f"{where}: unknown parameter {unknown[0]!r}; valid parameters: "
            f"{', '.join(sorted(fields)) or '(none)'}"
        )
    values: dict[str, Any] = {}
    for key, value in params.items():
        values[key] = _coerce(value, hints[key], f"{where} {key}")
    try:
        return options_cls(**values)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: {exc}") from None


def check_options(options: Any, where: str) -> None:
    """Check an Options instance built directly (not through `make_options`) the same way:
    types and declared ranges, one ConfigError naming the first bad field."""
    hints = get_type_hints(type(options), include_extras=True)
    for f in dataclasses.fields(options):
        if f.init:
            _coerce(getattr(options, f.name), hints[f.name], f"{where} {f.name}")


def _check_range(value: Any, bounds: Range | None, where: str) -> None:
    """`value` (already of the option's type) within `bounds`, finite, and in 64 bits."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, got {value!r}")
    if bounds is None:
        if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
            raise ConfigError(f"{where}: {value} does not fit in 64 bits")
        return
    if not bounds.contains(value):
        note = f" ({bounds.note})" if bounds.note else ""
        span = bounds.describe()
        wanted = f"in {span}" if bounds.low is not None and bounds.high is not None else span
        raise ConfigError(f"{where}: expected a number {wanted}{note}, got {value!r}")


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is Annotated:
        return _type_name(get_args(tp)[0])
    if origin is Literal:
        return " | ".join(repr(a) for a in get_args(tp))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_type_name(a) for a in get_args(tp))
    if origin in (tuple, list):
        return f"list of {_type_name(get_args(tp)[0])}"
    return getattr(tp, "__name__", str(tp))


def _coerce(value: Any, tp: Any, where: str, bounds: Range | None = None) -> Any:
    """Check `value` against annotation `tp` (and a number against `bounds`, the `Range` of
    an `Annotated` option); lists become tuples so options stay hashable."""
    origin = get_origin(tp)
    args = get_args(tp)
    fail: Callable[[], ConfigError] = lambda: ConfigError(  # noqa: E731
        f"{where}: expected {_type_name(tp)}, got {value!r}"
    )
    if tp is Any:
        return value
    if origin is Annotated:
        base, *extras = get_args(tp)
        declared = next((extra for extra in extras if isinstance(extra, Range)), None)
        return _coerce(value, base, where, declared)
    if origin is Literal:
        if value not in args:
            raise fail()
        return value
    if origin in (typing.Union, types.UnionType):
        for arg in args:
            try:
                return _coerce(value, arg, where)
            except ConfigError:
                continue
        raise fail()
    if tp is type(None):
        if value is not None:
            raise fail()
        return None
    if origin in (tuple, list):
        if not isinstance(value, (list, tuple)):
            raise fail()
        item_tp = args[0] if args else Any
        return tuple(_coerce(v, item_tp, where) for v in value)
    if tp is bool:
        if not isinstance(value, bool):
            raise fail()
        return value
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise fail()
        _check_range(value, bounds, where)
        return value
    if tp is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise fail()
        try:
            number = float(value)
        except OverflowError:  # an integer beyond any float
            raise ConfigError(f"{where}: expected a finite number, got {value!r}") from None
        _check_range(number, bounds, where)
        return number
    if tp is str:
        if not isinstance(value, str):
            raise fail()
        return value
    raise fail()
