"""A cheap test that rules out most lines before any rule's own regex runs.

One compiled alternation of the line regexes of a rule set: a plain line that fullmatches
none of them (almost every line) costs a single C-level call instead of a Python loop over
every rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from cleaner.rules.matcher import ENGINE_RE, Matcher

# Leading global flags, "(?i)" or "(?ix)": inside an alternation they must become scoped.
_GLOBAL_FLAGS = re.compile(r"\(\?([aiLmsux]+)\)")
# Back-references depend on group numbering, which changes once patterns are joined.
_BACKREF = re.compile(r"\\[1-9]|\(\?P=")
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


def combine(patterns: Iterable[Matcher]) -> tuple[re.Pattern[str] | None, tuple[int, ...]]:
    """One pattern that fullmatches whenever any of `patterns` would.

    Returns the combined pattern (None if nothing could be combined) and the indexes of the
    patterns left out (not proved safe for Python's `re`, back-references, or a join that does
    not compile); those must always be tried on their own.
    """
    parts: list[tuple[int, str]] = []
    left_out: list[int] = []
    for index, pattern in enumerate(patterns):
        source = pattern.pattern
        if pattern.engine != ENGINE_RE or _BACKREF.search(source):
            left_out.append(index)
            continue
        flags = ""
        lead = _GLOBAL_FLAGS.match(source)
        if lead:
            flags, source = lead.group(1), source[lead.end() :]
        source = _NAMED_GROUP.sub("(?:", source)
        parts.append((index, f"(?{flags}:{source})" if flags else f"(?:{source})"))
    if not parts:
        return None, tuple(left_out)
    try:
        # Compiling the alternation once is the common case; each part is compiled on its own
        # only when the whole does not compile, to leave out the parts that break it.
        combined = re.compile("|".join(part for _, part in parts))
    except re.error:
        kept: list[str] = []
        for index, part in parts:
            if _compiles(part):
                kept.append(part)
            else:
                left_out.append(index)
        left_out.sort()
        if not kept:
            return None, tuple(left_out)
        combined = re.compile("|".join(kept))
    return combined, tuple(left_out)


def _compiles(source: str) -> bool:
    try:
        re.compile(source)
    except re.error:
        return False
    return True
