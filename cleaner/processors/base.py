"""Processors' shared base. The protocols (`Processor`, `GlobalStage`) live in `cleaner.stage`,
beside the runner's view of a chain, so the runner needs nothing of this package."""

from __future__ import annotations

from typing import Any, ClassVar

from cleaner.stage import Processor

__all__ = ["Processor", "ProcessorBase"]


class ProcessorBase:
    """Convenience base: default `sequential = False` and a readable repr."""

    name: ClassVar[str] = ""
    sequential: ClassVar[bool] = False
    options: Any

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.options!r})"
