"""Optional dependencies: found without importing them, imported on first use, and a missing one
named with the command that installs it.

pyarrow (Parquet), FastWARC or warcio (WARC) and Ray (`--executor ray`) are extras of the
package (`pip install 'cleaner[parquet]'`), so that a plain install never pays for them. Every
module of cleaner that needs one goes through this module, so the check and the hint are the
same everywhere:

    pa = require(PARQUET, f"output {path}: writing Parquet")  # the module, or a ConfigError
    if installed(WARC) is None: ...                            # a Reject instead of an error

The message is always `WHAT needs LIBRARY: pip install 'cleaner[EXTRA]'`.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from types import ModuleType

from cleaner.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Extra:
    """An optional group of the package: its name in `cleaner[NAME]`, the library as a user
    knows it, and the top-level modules that provide it, preferred first."""

    name: str
    library: str
    modules: tuple[str, ...]

    @property
    def install_hint(self) -> str:
        """The command that installs this extra."""
        return f"pip install 'cleaner[{self.name}]'"


#: Reading and writing Parquet files.
PARQUET = Extra("parquet", "pyarrow", ("pyarrow",))
#: Reading WARC archives: FastWARC (compiled, fast), else warcio (pure Python).
WARC = Extra("warc", "FastWARC or warcio", ("fastwarc", "warcio"))
#: Running the shards of a resumable run as Ray tasks.
RAY = Extra("ray", "Ray", ("ray",))
#: A dedup index shared through a Redis server (`--index redis://host:port/db`).
REDIS = Extra("redis", "redis-py", ("redis",))


def missing_message(extra: Extra, what: str) -> str:
    """The one line that says `what` cannot be done without `extra`, and how to install it."""
    return f"{what} needs {extra.library}: {extra.install_hint}"


def installed(extra: Extra) -> str | None:
    """The first of `extra.modules` that can be imported (looked up, not imported), or None."""
    for module in extra.modules:
        if _findable(module):
            return module
    return None


def require(extra: Extra, what: str, module: str | None = None) -> ModuleType:
    """Import `module` (default: the first installed of `extra.modules`) and return it.

    Raises ConfigError(`missing_message(extra, what)`) when it cannot be imported, so a missing
    extra is a usage error (exit code 2) with the install command, never a traceback. `module`
    may name a submodule (`pyarrow.parquet`) of one of `extra.modules`.
    """
    name = module or installed(extra)
    if name is None or not _findable(name.partition(".")[0]):
        raise ConfigError(missing_message(extra, what))
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ConfigError(missing_message(extra, what)) from None


def _findable(module: str) -> bool:
    """True when the top-level `module` can be imported; a None in `sys.modules` (an import
    blocked on purpose) counts as missing."""
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False
