"""Rule records: what a parsed, validated, compiled rule looks like.

One frozen dataclass per kind, sharing the fields every rule has. They are plain data (patterns
are `Matcher`s, which pickle as their source) so a rule set pickles into worker processes.

Kinds (the file format is described in `cleaner.rules`):
  - `phrase`:  the whole line is one of `phrases`;
  - `regex`:   the whole line fullmatches `pattern`;
  - `inline`:  spans matching `pattern` are cut out of a line;
  - `block`:   a marker line plus up to `max_following` title lines after it;
  - `section`: a marker line plus the short item lines under it, normally only at the tail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from cleaner.rules.matcher import Matcher


@dataclass(frozen=True, slots=True)
class Example:
    """A full-text example: `input` cleaned by the rule alone must equal `expect`.

    `meta` lists the entries the rule must have stored (its `to_meta` value), if any.
    """

    input: str
    expect: str
    meta: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """Fields every rule has, whatever its kind."""

    kind: ClassVar[str] = ""

    id: str
    why: str
    source: str = ""
    domains: tuple[str, ...] = ()
    must_match: tuple[str, ...] = ()
    must_not_match: tuple[str, ...] = ()
    examples: tuple[Example, ...] = ()

    def in_scope(self, host: str | None) -> bool:
        """Unscoped rules apply everywhere; scoped ones to their domains and subdomains."""
        if not self.domains:
            return True
        if host is None:
            return False
        return any(host == d or host.endswith("." + d) for d in self.domains)


@dataclass(frozen=True, slots=True, kw_only=True)
class PhraseRule(Rule):
    """The whole (plain) line equals one of `phrases`, ignoring case and edge punctuation."""

    kind: ClassVar[str] = "phrase"

    phrases: tuple[str, ...]
    keys: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class RegexRule(Rule):
    """The whole plain line (at most `max_words` words) fullmatches `pattern`.

    `contains` (optional, stored lowercased) is a pre-check: the lowercased plain line must
    contain one of these literals before the regex runs. A rule allowing longer lines than the
    others should have one, or every line of that length gets a plain form built.
    """

    kind: ClassVar[str] = "regex"

    pattern: Matcher
    max_words: int = 15
    contains: tuple[str, ...] = ()
    to_meta: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class InlineRule(Rule):
    """Spans of the original line matching `pattern` are removed; an emptied line goes.

    Inline rules search every line, however long, so their `contains` pre-check compares the
    literals with the raw text exactly as written (lower-casing long paragraphs costs more
    than the search): list each spelling that occurs ("Source attribution", "SOURCE ...").
    """

    kind: ClassVar[str] = "inline"

    pattern: Matcher
    contains: tuple[str, ...] = ()
    to_meta: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class BlockRule(Rule):
    """A marker line (`phrases`) and up to `max_following` short title lines after it."""

    kind: ClassVar[str] = "block"

    phrases: tuple[str, ...]
    keys: frozenset[str] = frozenset()
    max_following: int = 1
    max_words: int = 16


@dataclass(frozen=True, slots=True, kw_only=True)
class SectionRule(Rule):
    """A marker line (`phrases`) and the short item lines under it (tags, categories, dates).

    With `tail_only` the section is removed only when nothing but other removable lines follows
    it, so the same heading in the middle of an article survives.
    """

    kind: ClassVar[str] = "section"

    phrases: tuple[str, ...]
    keys: frozenset[str] = frozenset()
    max_words: int = 12
    max_items: int = 30
    tail_only: bool = True
    to_meta: str = ""


MarkerRule = PhraseRule | BlockRule | SectionRule
AnyRule = PhraseRule | RegexRule | InlineRule | BlockRule | SectionRule
