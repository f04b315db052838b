"""The run's progress bar: tqdm when it is shown, a no-op stand-in when it is not.

tqdm costs tens of milliseconds to import, and the total it shows costs a walk over the input
directories (`count_hint`); a run whose bar is off (`--no-progress`, `-q`, or standard error
not a terminal, tqdm's own rule for `disable=None`) pays for neither.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import TracebackType
from typing import Protocol, TextIO


class ProgressBar(Protocol):
    """What a run does with its bar: count documents, and close it when done."""

    def update(self, n: float | None = 1) -> bool | None: ...
    def __enter__(self) -> ProgressBar: ...
    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> object: ...


class NoProgress:
    """The bar of a run that shows none."""

    def update(self, n: float | None = 1) -> None:
        """Nothing to count."""

    def __enter__(self) -> NoProgress:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


def shown(progress: bool | None, stream: TextIO) -> bool:
    """Whether the bar shows: as asked, else (None) when `stream` is a terminal."""
    if progress is not None:
        return progress
    isatty = getattr(stream, "isatty", None)
    return isatty is None or bool(isatty())


def progress_bar(progress: bool | None, total: Callable[[], int | None]) -> ProgressBar:
    """A tqdm bar on standard error counting documents (`total()` of them, if known), or a
    `NoProgress` when the bar does not show."""
    stream = sys.stderr
    if not shown(progress, stream):
        return NoProgress()
    from tqdm import tqdm

    bar: ProgressBar = tqdm(
        total=total(),
        unit="doc",
        desc="cleaning",
        file=stream,
        disable=False,
        dynamic_ncols=True,
    )
    return bar
