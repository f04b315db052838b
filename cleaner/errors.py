"""Exceptions cleaner raises on purpose, each mapped to an exit code by the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager


class CleanerError(Exception):
    """Base class: a failure cleaner can describe in one line (CLI exit code 1)."""


class ConfigError(CleanerError):
    """A usage or configuration mistake: unknown processor, bad parameter, bad rule file.

    The CLI prints the message as one line and exits with code 2.
    """


class RuleError(ConfigError):
    """A rule file that does not validate (missing field, bad regex, unknown kind)."""


@contextmanager
def dead_workers_as_error(stage: str, hint: str = "") -> Iterator[None]:
    """Around the use of a process pool: a worker that died (killed by a signal, out of
    memory) breaks the pool, and whatever then raises in the block (a submit, a result, the
    shutdown) becomes a one-line `CleanerError` naming `stage` and ending with `hint`, not a
    traceback from the pool. Exceptions raised by the tasks themselves pass through."""
    try:
        yield
    except BrokenProcessPool as exc:
        raise CleanerError(
            f"{stage}: a worker process died (killed by a signal, or out of memory?){hint}"
        ) from exc
