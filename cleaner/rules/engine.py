"""Apply a compiled rule set to one text: decide which lines (or spans) go, and say why.

The engine works on lines. For each line it builds the plain form (see `cleaner.rules.plain`)
only when some rule could match a line that long, looks the plain form up in one dict of
phrase keys, then runs one combined regex of the line rules allowing that many words; only when
it matches are the rules tried one by one. Block and section rules extend a marker match to the
lines after it. Inline rules cut spans out of the original line. Nothing is rewritten: kept
lines are copied byte-for-byte, and the only other change is collapsing the blank lines a
removal left behind.

Every removal is returned as an `Edit` naming the rule id, so `cleaner explain` can answer
"why did this line vanish?".

Patterns not proved safe for Python's `re` run on a guarded engine (see `cleaner.rules.matcher`);
those on the interruptible `regex` engine share one time budget per `apply` call, and running
out of it raises `RuleTimeout` naming the rule, instead of hanging.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from cleaner.document import Edit
from cleaner.rules.matcher import Deadline, MatchLike, RuleTimeout
from cleaner.rules.model import (
    AnyRule,
    BlockRule,
    InlineRule,
    MarkerRule,
    PhraseRule,
    RegexRule,
    SectionRule,
)
from cleaner.rules.plain import (
    ends_sentence,
    is_heading,
    phrase_key,
    plain_line,
    strip_list_marker,
    word_count,
)
from cleaner.rules.prefilter import combine

# Line rules never look at longer lines: boilerplate lines are short, and this bounds the cost
# of a document made of huge paragraphs. Inline rules still search them.
MAX_LINE_CHARS = 1000
# Raw whitespace-separated tokens the plain form may drop ("###", ">", "**"): a line with more
# tokens than a rule's word limit plus this slack cannot match, so its plain form is not built.
MARKUP_SLACK = 2
# Hosts whose rule selection is remembered; the selections themselves are shared between hosts
# with the same scoped rules, so a dump with many hosts compiles few of them.
_HOST_CACHE_SIZE = 4096


@dataclass(slots=True)
class Outcome:
    """The cleaned text, the edits made (in line order) and the meta values found."""

    text: str
    edits: list[Edit] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class _Section:
    start: int
    end: int
    rule: SectionRule
    items: list[int]


@dataclass(frozen=True, slots=True)
class _Tier:
    """The regex rules that accept lines of up to `max_words` words, with their joint test."""

    max_words: int
    rules: tuple[RegexRule, ...]
    # fullmatches whenever some rule of `rules` could; None when no rule could be combined
    any_match: re.Pattern[str] | None
    # ids of rules that `any_match` does not cover and that must always be tried
    uncombined: frozenset[str]
    # every `contains` literal of `rules`: a long line with none of them needs no plain form
    literals: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _Selection:
    """The rules in scope for one host, compiled for fast matching."""

    tiers: tuple[_Tier, ...]  # by ascending max_words
    inline: tuple[InlineRule, ...]
    line_words: int  # no line rule looks at a line with more words than this
    # Lines longer than `free_words` words get a plain form only when one of the `contains`
    # literals of the regex rules allowing lines that long is in the lowered line.
    free_words: int

    def tier(self, words: int) -> _Tier | None:
        for tier in self.tiers:
            if words <= tier.max_words:
                return tier
        return None


class Engine:
    """A rule set compiled for matching. Build once and reuse: `apply` only reads it, apart
    from caches of per-host rule selections."""

    def __init__(
        self,
        rules: Iterable[AnyRule],
        processor: str = "boilerplate",
        budget: float | None = None,
    ) -> None:
        """`budget`: seconds one `apply` call may spend in patterns on the interruptible
        `regex` engine (None: no limit); running out raises `RuleTimeout`."""
        self.rules: tuple[AnyRule, ...] = tuple(rules)
        self.processor = processor
        self.budget = budget
        self._interruptible = any(
            isinstance(r, RegexRule | InlineRule) and r.pattern.interruptible for r in self.rules
        )
        markers: dict[str, list[MarkerRule]] = {}
        for rule in self.rules:
            if isinstance(rule, PhraseRule | BlockRule | SectionRule):
                for key in sorted(rule.keys):
                    markers.setdefault(key, []).append(rule)
        self._markers = {key: tuple(rules) for key, rules in markers.items()}
        self._marker_words = max((word_count(key) for key in self._markers), default=0)
        limits = [self._marker_words]
        limits += [r.max_words for r in self.rules if isinstance(r, BlockRule | SectionRule)]
        self._base_words = max(limits)
        self._scoped = tuple(r for r in self.rules if r.domains)
        self._host_key: dict[str | None, frozenset[str]] = {}
        self._selections: dict[frozenset[str], _Selection] = {}

    def __getstate__(self) -> dict[str, Any]:
        # The caches are rebuilt cheaply; do not ship compiled selections to worker processes.
        state = dict(self.__dict__)
        state["_host_key"] = {}
        state["_selections"] = {}
        return state

    def __setstate__(self, state: Mapping[str, Any]) -> None:
        self.__dict__.update(state)

    def select(self, host: str | None) -> _Selection:
        """The rules in scope for `host`, compiled for fast matching (cached)."""
        key = self._host_key.get(host)
        if key is None:
            key = frozenset(r.id for r in self._scoped if r.in_scope(host))
            if len(self._host_key) >= _HOST_CACHE_SIZE:
                self._host_key.clear()
            self._host_key[host] = key
        selection = self._selections.get(key)
        if selection is None:
            selection = self._selections[key] = self._build_selection(key)
        return selection

    def _build_selection(self, scoped_ids: frozenset[str]) -> _Selection:
        def active(rule: AnyRule) -> bool:
            return not rule.domains or rule.id in scoped_ids

        regex = tuple(r for r in self.rules if isinstance(r, RegexRule) and active(r))
        inline = tuple(r for r in self.rules if isinstance(r, InlineRule) and active(r))
        tiers = []
        for limit in sorted({r.max_words for r in regex}):
            members = tuple(r for r in regex if r.max_words >= limit)
            any_match, left_out = combine(r.pattern for r in members)
            uncombined = frozenset(members[i].id for i in left_out)
            literals = tuple(sorted({c for r in members for c in r.contains}))
            tiers.append(_Tier(limit, members, any_match, uncombined, literals))
        # Rules without `contains` cannot be gated: they set the length every line is tried at.
        free_words = max([self._base_words, *(r.max_words for r in regex if not r.contains)])
        return _Selection(
            tiers=tuple(tiers),
            inline=inline,
            line_words=max([free_words, *(r.max_words for r in regex)]),
            free_words=free_words,
        )

    def apply(self, text: str, host: str | None = None) -> Outcome:
        """Clean `text` (from `host`, for scoped rules); return text, edits and meta.

        Raises `RuleTimeout` when guarded patterns use up the time budget."""
        if not text or not self.rules:
            return Outcome(text)
        return _Run(self, text, host).run()


class _Run:
    """The state of one `Engine.apply` call."""

    def __init__(self, engine: Engine, text: str, host: str | None) -> None:
        self.engine = engine
        self.host = host
        self.selection = engine.select(host)
        self.token_limit = self.selection.line_words + MARKUP_SLACK
        self.free_tokens = self.selection.free_words + MARKUP_SLACK
        self.ends_with_newline = text.endswith("\n")
        self.text = text
        self.lines = (text[:-1] if self.ends_with_newline else text).split("\n")
        n = len(self.lines)
        self.removed = [False] * n
        self.replaced: dict[int, str] = {}
        self.edits: list[Edit] = []
        self.meta: dict[str, Any] = {}
        self._plain: dict[int, str | None] = {}
        budget = engine.budget
        self.deadline = Deadline(budget) if budget is not None and engine._interruptible else None

    # -- helpers ------------------------------------------------------------------------------

    def plain(self, i: int) -> str | None:
        """Plain form of line i, or None if it is blank or too long for any line rule."""
        if i in self._plain:
            return self._plain[i]
        self._plain[i] = result = self._build_plain(self.lines[i])
        return result

    def _build_plain(self, line: str) -> str | None:
        if len(line) > MAX_LINE_CHARS:
            return None
        # Without double spaces a line has at least (spaces - 1) tokens: a cheap, exact way to
        # skip prose paragraphs before splitting them.
        if line.count(" ") - 1 > self.token_limit and "  " not in line:
            return None
        tokens = len(line.split())
        if tokens == 0 or tokens > self.token_limit:
            return None
        if tokens > self.free_tokens:
            # Only regex rules with `contains` allow lines this long: check their literals.
            tier = self.selection.tier(tokens - MARKUP_SLACK)
            if tier is None:
                return None
            lowered = line.lower()
            if not any(c in lowered for c in tier.literals):
                return None
        return plain_line(line) or None

    def blank(self, i: int) -> bool:
        line = self.lines[i]
        return not line or line.isspace()

    def marker(self, plain: str) -> MarkerRule | None:
        if word_count(plain) > self.engine._marker_words:
            return None
        for rule in self.engine._markers.get(phrase_key(plain), ()):
            if rule.in_scope(self.host):
                return rule
        return None

    def claim(self, i: int, rule: AnyRule, meta_key: str = "", value: Any = None) -> None:
        """Remove line i on behalf of `rule`; with `meta_key`, store `value` there."""
        self.removed[i] = True
        moved = bool(meta_key) and value is not None
        if moved:
            self.meta.setdefault(meta_key, value)
        self.edits.append(
            Edit(
                processor=self.engine.processor,
                rule=rule.id,
                action="moved" if moved else "removed",
                text=self.lines[i].rstrip("\r"),
                meta_key=meta_key if moved else "",
                line=i + 1,
            )
        )

    # -- passes -------------------------------------------------------------------------------

    def run(self) -> Outcome:
        selection = self.selection
        # Inline rules whose literals appear nowhere in the document are out for every line.
        inline_rules = tuple(r for r in selection.inline if _occurs(r.contains, self.text))
        sections: list[tuple[int, SectionRule]] = []
        for i in range(len(self.lines)):
            if self.removed[i] or self.blank(i):
                continue
            plain = self.plain(i)
            if plain is not None:
                rule = self.marker(plain)
                if isinstance(rule, SectionRule):
                    sections.append((i, rule))
                    continue
                if isinstance(rule, PhraseRule):
                    self.claim(i, rule)
                    continue
                if isinstance(rule, BlockRule):
                    self.block(i, rule)
                    continue
                if selection.tiers and self.line_regex(i, plain):
                    continue
            if inline_rules:
                self.inline(i, inline_rules)
        if sections:
            self.sections(sections)
        if not self.edits:
            return Outcome(self.text)
        self.edits.sort(key=lambda e: e.line or 0)
        return Outcome(self.render(), self.edits, self.meta)

    def line_regex(self, i: int, plain: str) -> bool:
        words = word_count(plain)
        tier = self.selection.tier(words)
        if tier is None:
            return False
        covered = tier.any_match is not None and tier.any_match.fullmatch(plain) is not None
        if not covered and not tier.uncombined:
            return False
        lowered: str | None = None
        for rule in tier.rules:
            if words > rule.max_words or not (covered or rule.id in tier.uncombined):
                continue
            if rule.contains:
                if lowered is None:
                    lowered = plain.lower()
                if not any(c in lowered for c in rule.contains):
                    continue
            try:
                match = rule.pattern.fullmatch(plain, self.deadline)
            except TimeoutError:
                raise RuleTimeout(rule.id, self.engine.budget or 0.0) from None
            if match is None:
                continue
            value = None
            if rule.to_meta:
                group = match.group("value") if "value" in rule.pattern.groupindex else None
                value = (group if group is not None else plain).strip() or None
            self.claim(i, rule, rule.to_meta, value)
            return True
        return False

    def block(self, i: int, rule: BlockRule) -> None:
        """Claim the marker line and up to `max_following` title lines after it."""
        self.claim(i, rule)
        taken = 0
        j = i + 1
        while j < len(self.lines) and taken < rule.max_following:
            if self.blank(j):
                j += 1
                continue
            if self.removed[j]:
                break
            plain = self.plain(j)
            if (
                plain is None
                or word_count(plain) > rule.max_words
                or ends_sentence(plain)
                or self.marker(plain) is not None
            ):
                break
            self.claim(j, rule)
            taken += 1
            j += 1

    def inline(self, i: int, rules: tuple[InlineRule, ...]) -> None:
        """Cut matching spans out of line i; if nothing but whitespace is left, drop the line."""
        original = self.lines[i]
        body = original[:-1] if original.endswith("\r") else original
        changed = False
        for rule in rules:
            if not _occurs(rule.contains, body):
                continue
            try:
                found = rule.pattern.finditer(body, self.deadline)
            except TimeoutError:
                raise RuleTimeout(rule.id, self.engine.budget or 0.0) from None
            matches = [m for m in found if m.end() > m.start()]
            if not matches:
                continue
            # Cut from the right so earlier offsets stay valid; record edits left to right.
            for match in reversed(matches):
                body = _cut(body, match.start(), match.end())
            for match in matches:
                self.inline_edit(i, rule, match)
            changed = True
        if not changed:
            return
        if body.strip():
            self.replaced[i] = body + "\r" if original.endswith("\r") else body
        else:
            self.removed[i] = True

    def inline_edit(self, i: int, rule: InlineRule, match: MatchLike) -> None:
        value = None
        if rule.to_meta:
            group = match.group("value") if "value" in rule.pattern.groupindex else None
            value = (group if group is not None else match.group(0)).strip() or None
            if value is not None:
                self.meta.setdefault(rule.to_meta, value)
        self.edits.append(
            Edit(
                processor=self.engine.processor,
                rule=rule.id,
                action="moved" if value is not None else "removed",
                text=match.group(0),
                meta_key=rule.to_meta if value is not None else "",
                line=i + 1,
            )
        )

    def sections(self, starts: list[tuple[int, SectionRule]]) -> None:
        """Measure each section, then remove those whose tail is clean (or not tail-only)."""
        start_set = {i for i, _ in starts}
        found: list[_Section] = []
        for start, rule in starts:
            items: list[int] = []
            end = start + 1
            j = start + 1
            after_blank = False
            while j < len(self.lines):
                if self.blank(j):
                    after_blank = True
                    j += 1
                    continue
                if j in start_set:
                    break
                if self.removed[j]:
                    j += 1
                    end = j
                    continue
                if is_heading(self.lines[j]) or len(items) >= rule.max_items:
                    break
                plain = self.plain(j)
                if plain is None or word_count(plain) > rule.max_words:
                    break
                # After a blank line, a sentence that is not a list item is prose again.
                if after_blank and ends_sentence(plain) and strip_list_marker(plain) == plain:
                    break
                items.append(j)
                after_blank = False
                j += 1
                end = j
            found.append(_Section(start, end, rule, items))

        # Walk back from the end: a tail-only section goes only if everything after it goes.
        accepted: list[_Section] = []
        clean_after = True
        stop = len(self.lines)
        for section in reversed(found):
            gap_clean = all(self.removed[j] or self.blank(j) for j in range(section.end, stop))
            tail_clean = gap_clean and clean_after
            if tail_clean or not section.rule.tail_only:
                accepted.append(section)
            clean_after = tail_clean
            stop = section.start
        for section in reversed(accepted):
            self.take_section(section)

    def take_section(self, section: _Section) -> None:
        rule = section.rule
        self.claim(section.start, rule)
        values = [strip_list_marker(self.plain(j) or "") for j in section.items]
        if rule.to_meta and values:
            stored: Any = values[0] if rule.max_items == 1 else values
            self.meta.setdefault(rule.to_meta, stored)
        for j in section.items:
            self.removed[j] = True
            self.edits.append(
                Edit(
                    processor=self.engine.processor,
                    rule=rule.id,
                    action="moved" if rule.to_meta else "removed",
                    text=self.lines[j].rstrip("\r"),
                    meta_key=rule.to_meta,
                    line=j + 1,
                )
            )

    # -- output -------------------------------------------------------------------------------

    def render(self) -> str:
        """Join the kept lines; where a removal happened, leave at most one blank line, and
        none at the start or end of the text."""
        out: list[str] = []
        pending: list[str] = []  # kept blank lines since the last kept non-blank line
        gap_removed = False  # did a removal happen since the last kept non-blank line?
        seen_text = False
        for i, line in enumerate(self.lines):
            if self.removed[i]:
                gap_removed = True
                continue
            line = self.replaced.get(i, line)
            if not line.strip():
                pending.append(line)
                continue
            if pending:
                if not gap_removed:
                    out.extend(pending)
                elif seen_text:
                    out.append(pending[0])
            pending = []
            gap_removed = False
            out.append(line)
            seen_text = True
        if pending and not gap_removed:
            out.extend(pending)
        result = "\n".join(out)
        if self.ends_with_newline and out:
            result += "\n"
        return result


_SPACE = " \t"


def _occurs(literals: tuple[str, ...], text: str) -> bool:
    """True for a rule without literals, or when one of them is in `text` (case as written:
    inline rules search whole paragraphs, where lower-casing would cost more than the rule)."""
    return not literals or any(literal in text for literal in literals)


def _cut(body: str, start: int, end: int) -> str:
    """Remove body[start:end] and the spacing that would otherwise be left doubled."""
    if end >= len(body.rstrip()):
        # The span ends the line: drop the space before it (and any trailing space).
        while start > 0 and body[start - 1] in _SPACE:
            start -= 1
        return body[:start]
    if start == 0 or body[start - 1] in _SPACE:
        while end < len(body) and body[end] in _SPACE:
            end += 1
    return body[:start] + body[end:]
