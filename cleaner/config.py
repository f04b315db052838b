"""Configuration layering: packaged defaults < user TOML file < command-line overrides.

The merged configuration is a plain nested dict. `validate_config` checks its top-level tables,
the general tables (`[pipeline]`, `[input]`, `[output]`, `[run]`, against their options in
`cleaner.options`) and the pipeline's processor list, so that every mistake is reported as one
line naming the valid choices; processor parameters are checked when the processors are built
(`cleaner.registry`).
"""

from __future__ import annotations

import copy
import math
import tomllib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from cleaner.errors import ConfigError
from cleaner.options import SECTIONS, PipelineOptions
from cleaner.registry import INT64_MAX, INT64_MIN, available

#: The tables that are not processors, each checked by its options class (`cleaner.options`).
GENERAL_SECTIONS = tuple(SECTIONS)


def default_config() -> dict[str, Any]:
    """The packaged defaults (cleaner/default.toml), freshly parsed."""
    text = resources.files("cleaner").joinpath("default.toml").read_text(encoding="utf-8")
    return tomllib.loads(text)


def read_toml(path: str | Path) -> dict[str, Any]:
    """Parse a user's TOML file, turning I/O and syntax errors into ConfigError."""
    p = Path(path)
    try:
        with p.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {p} is not valid TOML: {_one_line(exc)}") from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8 by definition
        raise ConfigError(
            f"config file {p} is not valid TOML: not UTF-8 (byte {exc.start})"
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read config file {p}: {exc.strerror}") from None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge `over` into a copy of `base`: tables merge, other values replace."""
    out = copy.deepcopy(dict(base))
    for key, value in over.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def parse_override(assignment: str) -> dict[str, Any]:
    """Turn `section.key=value` into {"section": {"key": value}}.

    The value is read as a TOML value (numbers, booleans, ["lists"], "strings"); anything that
    is not valid TOML is taken as a bare string, so `--set language.unknown=und` works unquoted.
    """
    if "=" not in assignment:
        raise ConfigError(f"--set expects section.key=value, got {assignment!r}")
    dotted, raw = assignment.split("=", 1)
    parts = [p.strip() for p in dotted.strip().split(".")]
    if len(parts) < 2 or not all(parts):
        raise ConfigError(f"--set expects section.key=value, got {assignment!r}")
    try:
        value: Any = tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        value = raw
    nested: dict[str, Any] = {parts[-1]: value}
    for part in reversed(parts[:-1]):
        nested = {part: nested}
    return nested


def load_config(
    path: str | Path | None = None,
    overrides: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Packaged defaults, then the file at `path`, then `--set` overrides, then `extra`."""
    config = default_config()
    if path is not None:
        config = merge(config, read_toml(path))
    for assignment in overrides:
        config = merge(config, parse_override(assignment))
    if extra:
        config = merge(config, extra)
    validate_config(config)
    return config


def add_rules_dirs(config: Mapping[str, Any], dirs: Iterable[str | Path]) -> dict[str, Any]:
    """`config` with `dirs` appended to `[boilerplate] rules_dirs` (the CLI's --rules)."""
    existing = config.get("boilerplate", {}).get("rules_dirs", [])
    if not isinstance(existing, list) or not all(isinstance(d, str) for d in existing):
        raise ConfigError(
            f"[boilerplate] rules_dirs: expected a list of paths, got {existing!r}"[:300]
        )
    return merge(config, {"boilerplate": {"rules_dirs": existing + [str(d) for d in dirs]}})


def validate_config(config: Mapping[str, Any]) -> None:
    """Check top-level tables, the general tables and the processor list; one clear
    ConfigError per mistake."""
    names = available()
    valid_sections = sorted(set(GENERAL_SECTIONS) | set(names))
    for key, value in config.items():
        if key not in valid_sections:
            raise ConfigError(
                f"unknown config section [{key}]; valid sections: {', '.join(valid_sections)}"
            )
        if not isinstance(value, Mapping):
            raise ConfigError(f"config section [{key}] must be a table")
    for where, value in _leaves(config, ()):
        _check_number(where, value)
    for section in SECTIONS.values():
        section.from_config(config.get(section.SECTION, {}))
    for name in PipelineOptions.from_config(config.get("pipeline", {})).processors:
        if name not in names:
            raise ConfigError(
                f"unknown processor {name!r} in [pipeline] processors; "
                f"valid processors: {', '.join(names)}"
            )


def _leaves(value: Any, path: tuple[str, ...]) -> Iterable[tuple[str, Any]]:
    """`(where, value)` for every non-table value in `value`, lists included item by item;
    `where` reads like `[dedup] seed`."""
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, (*path, str(key)))
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, path)
    else:
        where = f"[{'.'.join(path[:-1])}] {path[-1]}" if len(path) > 1 else ".".join(path)
        yield where, value


def _check_number(where: str, value: Any) -> None:
    """Every number of a config is finite and fits in 64 bits, whichever section holds it:
    the run's fingerprint and numpy hold no more, and no option means anything by nan or inf.
    Processor options are checked against their own ranges when the processors are built."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ConfigError(f"{where}: expected a finite number, got {value!r}")
    if isinstance(value, int) and not INT64_MIN <= value <= INT64_MAX:
        raise ConfigError(f"{where}: {value} does not fit in 64 bits")
