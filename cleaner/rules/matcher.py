"""A rule's pattern, compiled on an engine that cannot hang the run.

Every pattern is first compiled with Python's `re`, whose syntax and meaning (Unicode `\\w`,
`\\d`, `\\s`, `\\b`) the rule format promises. Then:

- `re`: patterns that `cleaner.rules.safety` proves free of catastrophic backtracking run on
  Python's `re` itself (all the packaged rules do: same results, fastest); the proof's verdict
  is remembered on disk (`cleaner.rules.verdicts`), so later runs do not redo it;
- `re2`: the others run on RE2 (google-re2), which matches in linear time, when RE2 compiles
  them with the same meaning: no back-references or lookarounds (RE2 refuses them), and no
  `\\w \\W \\d \\D \\s \\S \\b \\B` or `{,n}`, which mean something else in RE2 (ASCII classes,
  a literal brace);
- `regex`: the rest run on the `regex` module, which `re` cannot do: it can be interrupted.
  Each call gets what is left of the document's time budget; running out raises
  `RuleTimeout`, and the boilerplate processor rejects the document (`rule_timeout`).

A `Matcher` pickles as its source and recompiles, so rule sets still travel to worker
processes (RE2 objects do not pickle).
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from typing import Any, Protocol

import re2
import regex

from cleaner.rules.verdicts import process_cache

ENGINE_RE = "re"
ENGINE_RE2 = "re2"
ENGINE_REGEX = "regex"

# Escapes whose meaning differs between Python's `re` (Unicode) and RE2 (ASCII), and `{,n}`
# (a bounded repeat in `re`, literal text in RE2), preceded by an even run of backslashes.
_RE2_DIFFERS = re.compile(r"(?<!\\)(?:\\\\)*(?:\\[wWdDsSbB]|\{,)")
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a refused pattern is expected here, not worth a log line


class MatchLike(Protocol):
    """What the engine reads from a match, whichever library made it."""

    def group(self, name: int | str = 0, /) -> Any: ...
    def start(self, group: int = 0, /) -> int: ...
    def end(self, group: int = 0, /) -> int: ...


class RuleTimeout(Exception):
    """A guarded pattern used up the document's time budget."""

    def __init__(self, rule_id: str, budget: float) -> None:
        super().__init__(f"rule {rule_id} ran out of the {budget:g}s regex time budget")
        self.rule_id = rule_id
        self.budget = budget

    def __reduce__(self) -> tuple[type[RuleTimeout], tuple[str, float]]:
        return (type(self), (self.rule_id, self.budget))


class Matcher:
    """A rule pattern compiled on the engine chosen for it (see the module docstring).

    `pattern` is the source; `risk` says why `re` was not proved safe (empty when it was).
    Raises `re.error` for a pattern Python's `re` does not accept.
    """

    __slots__ = ("_compiled", "engine", "pattern", "reference", "risk")

    def __init__(self, source: str) -> None:
        self.pattern = source
        self.reference = re.compile(source)
        self.risk = process_cache().risk(source) or ""
        self._compiled: Any
        if not self.risk:
            self.engine, self._compiled = ENGINE_RE, self.reference
        elif (guarded := _re2(source)) is not None:
            self.engine, self._compiled = ENGINE_RE2, guarded
        else:
            try:
                self.engine, self._compiled = ENGINE_REGEX, regex.compile(source)
            except regex.error as exc:
                raise re.error(f"{exc} (in the regex module)") from None

    @property
    def groupindex(self) -> Mapping[str, int]:
        return self.reference.groupindex

    @property
    def interruptible(self) -> bool:
        """True for the engine that needs a time budget."""
        return self.engine == ENGINE_REGEX

    def fullmatch(self, text: str, deadline: Deadline | None = None) -> MatchLike | None:
        """Like `re.Pattern.fullmatch`; on the `regex` engine, within `deadline` (raises
        `TimeoutError` when it runs out)."""
        if deadline is not None and self.engine == ENGINE_REGEX:
            found: MatchLike | None = self._compiled.fullmatch(text, timeout=deadline.left())
        else:
            found = self._compiled.fullmatch(text)
        return found

    def finditer(self, text: str, deadline: Deadline | None = None) -> list[MatchLike]:
        """Every match, as `re.Pattern.finditer` finds them, within `deadline` as above."""
        if deadline is not None and self.engine == ENGINE_REGEX:
            return list(self._compiled.finditer(text, timeout=deadline.left()))
        return list(self._compiled.finditer(text))

    def describe(self) -> str:
        """Which engine runs this pattern, and why, for `rules check`."""
        if self.engine == ENGINE_RE:
            return "runs on Python's re (proved free of catastrophic backtracking)"
        if self.engine == ENGINE_RE2:
            return f"{self.risk}; runs on the linear-time RE2 engine"
        return f"{self.risk}; runs on the regex module under the per-document time budget"

    def __reduce__(self) -> tuple[type[Matcher], tuple[str]]:
        return (type(self), (self.pattern,))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Matcher) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"Matcher({self.pattern!r}, engine={self.engine!r})"


class Deadline:
    """The time left for the guarded patterns of one document."""

    __slots__ = ("budget", "end")

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.end = time.monotonic() + budget

    def left(self) -> float:
        """Seconds left; `TimeoutError` once none are."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("regex time budget used up")
        return left


def _re2(source: str) -> Any:
    """The RE2 compilation of `source`, or None when RE2 refuses it or would read it
    differently from Python's `re`."""
    if _RE2_DIFFERS.search(source):
        return None
    try:
        return re2.compile(source, _RE2_OPTIONS)
    except re2.error:
        return None
