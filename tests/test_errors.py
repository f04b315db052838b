"""A broken process pool as one line; everything else passes through."""

from __future__ import annotations

from concurrent.futures.process import BrokenProcessPool

import pytest

from cleaner.errors import CleanerError, dead_workers_as_error


def test_a_broken_pool_becomes_one_line_naming_the_stage() -> None:
    with pytest.raises(CleanerError) as caught, dead_workers_as_error("rewrite alignment", "!"):
        raise BrokenProcessPool("A process in the process pool was terminated abruptly")
    assert str(caught.value) == (
        "rewrite alignment: a worker process died (killed by a signal, or out of memory?)!"
    )
    assert isinstance(caught.value.__cause__, BrokenProcessPool)


def test_other_exceptions_pass_through() -> None:
    with pytest.raises(ValueError, match="a task's own error"), dead_workers_as_error("map"):
        raise ValueError("a task's own error")
