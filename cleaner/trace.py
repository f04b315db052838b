"""A trace that replays: every change a chain makes to a text, recorded where it can be re-applied.

A processor explains its work in `Edit`s (rule, action, the text it removed or replaced, the
line), written for people. Those alone cannot rebuild the output: whitespace edits are
summaries ("12 runs of spaces"), a rule pack's removals also close up the blank lines around
them, HTML extraction turns a page into text. So `apply_chain` records, for every processor
step that changed the text, the step's exact change as `Edit.changes` on the first edit the
step made (`record_step`), computed from the text before and after the step (`text_changes`).
A step that changed the text without any edit of its own (normalize taking a file's final
line break; HTML extraction that removed nothing by name) gets one edit whose action is
`UNITEMISED`, which carries the change and nothing else: the run report does not count it.

`replay(input text, trace)` applies the changes in order and gives the output text, which
`tests/test_trace_replay.py` checks for every fixture, as ftfy checks its explanations.

A change is ``(start, end, new)``: characters ``start:end`` of the text as the earlier edits
left it become ``new``. The changes of one edit are in ascending order and do not overlap;
they are computed per line (lines that differ, trimmed to the characters that differ), so an
edit holds what changed, not the whole text, except where a step rewrites everything (HTML
extraction).
"""

from __future__ import annotations

import dataclasses
import re
from bisect import bisect_left
from collections.abc import Iterable, Sequence

from cleaner.document import Change, Document, Edit

#: The action of an edit that only carries a step's change (see the module doc).
UNITEMISED = "unitemised"

#: What `str.splitlines` breaks lines at: a change free of them stays within a line.
_LINE_BREAK = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
#: Differences spanning at most this many characters (old and new) are recorded as one change.
_CLOSE_CHARS = 256


def text_changes(before: str, after: str) -> tuple[Change, ...]:
    """Changes that turn `before` into `after`: one per run of differing lines, each trimmed
    to the characters that differ."""
    if before == after:
        return ()
    # All the differences close together (a final line break, one line) make one change; a
    # line diff splits differences spread over the text into one change per place.
    prefix = _common_prefix(before, after)
    suffix = _common_prefix(before[prefix:][::-1], after[prefix:][::-1])
    old_part, new_part = before[prefix : len(before) - suffix], after[prefix : len(after) - suffix]
    close = len(old_part) + len(new_part) <= _CLOSE_CHARS
    if close or not (_LINE_BREAK.search(old_part) or _LINE_BREAK.search(new_part)):
        return ((prefix, len(before) - suffix, new_part),)
    old = before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    # Equal lines at both ends are common (a processor touches a few lines): skip them.
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid, new_mid = old[head : len(old) - tail], new[head : len(new) - tail]
    start = sum(len(line) for line in old[:head])
    offsets = [start]
    for line in old_mid:
        offsets.append(offsets[-1] + len(line))
    if len(old_mid) == len(new_mid):
        blocks = [(i, i + 1, i, i + 1) for i in range(len(old_mid)) if old_mid[i] != new_mid[i]]
    else:
        blocks = _line_blocks(old_mid, new_mid)
    changes = []
    for i1, i2, j1, j2 in blocks:
        changes.append(_trimmed(before, offsets[i1], offsets[i2], "".join(new_mid[j1:j2])))
    return tuple(changes)


def _line_blocks(old: list[str], new: list[str]) -> list[tuple[int, int, int, int]]:
    """``(i1, i2, j1, j2)``: lines ``old[i1:i2]`` become ``new[j1:j2]``, the lines between
    blocks being equal. Greedy, in one pass: where the lines differ, old lines up to the next
    occurrence of the new line were removed (what processors mostly do), and a new line that
    does not occur further on replaces the old one. Not a minimal diff, always a correct one."""
    where: dict[str, list[int]] = {}
    for i, line in enumerate(old):
        where.setdefault(line, []).append(i)
    blocks: list[tuple[int, int, int, int]] = []

    def add(i1: int, i2: int, j1: int, j2: int) -> None:
        if blocks and blocks[-1][1] == i1 and blocks[-1][3] == j1:
            i1, j1 = blocks[-1][0], blocks[-1][2]
            blocks.pop()
        blocks.append((i1, i2, j1, j2))

    i = j = 0
    while i < len(old) and j < len(new):
        if old[i] == new[j]:
            i += 1
            j += 1
            continue
        later = where.get(new[j], [])
        k = bisect_left(later, i)
        if k < len(later):
            add(i, later[k], j, j)
            i = later[k]
        else:
            add(i, i + 1, j, j + 1)
            i += 1
            j += 1
    if i < len(old) or j < len(new):
        add(i, len(old), j, len(new))
    return blocks


def _trimmed(text: str, start: int, end: int, new: str) -> Change:
    """``(start, end, new)`` less the characters the old and the new text share at both ends."""
    old = text[start:end]
    prefix = _common_prefix(old, new)
    suffix = _common_prefix(old[prefix:][::-1], new[prefix:][::-1])
    return (start + prefix, end - suffix, new[prefix : len(new) - suffix])


def _common_prefix(a: str, b: str) -> int:
    """Length of the longest common prefix, by bisection on slice comparisons (C speed)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # a[:lo] == b[:lo]; the common prefix is at most hi long
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def record_step(processor: str, before: Document, after: Document) -> Document:
    """`after` (what `processor` made of `before`) with the step's text change recorded on the
    first edit it added, or on a new `UNITEMISED` edit when it added none."""
    changes = text_changes(before.text, after.text)
    if not changes:
        return after
    added = len(after.trace) - len(before.trace)
    if added > 0 and after.trace[: len(before.trace)] == before.trace:
        first = len(before.trace)
        edit = dataclasses.replace(after.trace[first], changes=changes)
        trace = (*after.trace[:first], edit, *after.trace[first + 1 :])
        return dataclasses.replace(after, trace=trace)
    note = f"{len(changes)} change(s) not itemised by a rule"
    edit = Edit(processor, f"{processor}.text", UNITEMISED, note, changes=changes)
    return dataclasses.replace(after, trace=(*after.trace, edit))


def apply_changes(text: str, changes: Sequence[Change]) -> str:
    """`text` with `changes` (ascending, not overlapping) applied."""
    parts = []
    cursor = 0
    for start, end, new in changes:
        if not cursor <= start <= end <= len(text):
            raise ValueError(f"change {start}:{end} does not fit a text of {len(text)} characters")
        parts.append(text[cursor:start])
        parts.append(new)
        cursor = end
    parts.append(text[cursor:])
    return "".join(parts)


def replay(text: str, trace: Iterable[Edit]) -> str:
    """The text the chain made of `text`, rebuilt from the changes recorded in `trace`."""
    for edit in trace:
        if edit.changes:
            text = apply_changes(text, edit.changes)
    return text
