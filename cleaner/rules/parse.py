"""Turn one `[[rule]]` table of a pack into a validated rule record.

Every mistake becomes a `RuleError` whose message is one line naming the file and the rule id,
and, for unknown names, the valid ones: a rule author fixes it without reading code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from cleaner.errors import RuleError
from cleaner.rules.matcher import Matcher
from cleaner.rules.model import (
    AnyRule,
    BlockRule,
    Example,
    InlineRule,
    PhraseRule,
    RegexRule,
    SectionRule,
)
from cleaner.rules.plain import phrase_key, plain_line

COMMON_FIELDS = ("id", "kind", "why", "domains", "must_match", "must_not_match", "example")
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "phrase": ("phrases",),
    "regex": ("pattern", "max_words", "contains", "to_meta"),
    "inline": ("pattern", "contains", "to_meta"),
    "block": ("phrases", "max_following", "max_words"),
    "section": ("phrases", "max_words", "max_items", "tail_only", "to_meta"),
}
EXAMPLE_FIELDS = ("input", "expect", "meta")

# Dotted lowercase ids ("widget.summary-prompt"): the part before the first dot is the family
# that `disable = ["widget"]` switches off as a whole.
_ID = re.compile(r"[a-z0-9][a-z0-9_-]*(?:\.[a-z0-9][a-z0-9_-]*)+")
_DOMAIN = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+)+")
_META_KEY = re.compile(r"[a-z_][a-z0-9_]*")


class RuleProblem(RuleError):
    """A RuleError that also carries its parts, so `rules check` can group problems by rule."""

    def __init__(self, source: str, rule: str, detail: str) -> None:
        where = f"{source}: rule {rule}" if rule else source
        super().__init__(f"{where}: {detail}")
        self.source = source
        self.rule = rule
        self.detail = detail

    def __reduce__(self) -> tuple[type[RuleProblem], tuple[str, str, str]]:
        # Exceptions pickle through their args; ours has three, not the one message.
        return (type(self), (self.source, self.rule, self.detail))


class UnreadablePack(RuleProblem):
    """A rule file that cannot be read at all: not readable, not UTF-8, not TOML."""


class _Table:
    """Typed access to one rule table, raising RuleProblem that names file and rule."""

    def __init__(self, table: Mapping[str, Any], source: str, label: str) -> None:
        self.table = table
        self.source = source
        self.label = label

    def fail(self, message: str) -> RuleProblem:
        return RuleProblem(self.source, self.label, message)

    def string(self, key: str, *, required: bool = False, default: str = "") -> str:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(f"missing required field {key!r}")
            return default
        if not isinstance(value, str):
            raise self.fail(f"{key!r} must be a string, got {value!r}")
        if required and not value.strip():
            raise self.fail(f"{key!r} must not be empty")
        return value

    def strings(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        value = self.table.get(key)
        if value is None:
            if required:
                raise self.fail(f"missing required field {key!r} (a list of strings)")
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(f"{key!r} must be a list of strings, got {value!r}")
        if required and not value:
            raise self.fail(f"{key!r} needs at least one entry")
        return tuple(value)

    def integer(self, key: str, default: int, minimum: int = 1) -> int:
        value = self.table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.fail(f"{key!r} must be an integer, got {value!r}")
        if value < minimum:
            raise self.fail(f"{key!r} must be at least {minimum}, got {value}")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{key!r} must be true or false, got {value!r}")
        return value


def rule_label(table: Mapping[str, Any], index: int) -> str:
    """How messages name a rule: its id if it has a usable one, else its position."""
    rule_id = table.get("id")
    return repr(rule_id) if isinstance(rule_id, str) and rule_id else f"#{index + 1} (no id)"


def parse_rule(table: Any, source: str, index: int) -> AnyRule:
    """Validate and compile the `index`-th `[[rule]]` table of pack file `source`."""
    if not isinstance(table, Mapping):
        raise RuleProblem(source, f"#{index + 1}", "[[rule]] must be a table")
    t = _Table(table, source, rule_label(table, index))
    rule_id = t.string("id", required=True)
    if not _ID.fullmatch(rule_id):
        raise t.fail("id must be dotted lowercase words, like 'widget.summary-prompt'")
    kind = t.string("kind", required=True)
    if kind not in KIND_FIELDS:
        raise t.fail(f"unknown kind {kind!r}; valid kinds: {', '.join(sorted(KIND_FIELDS))}")
    valid = set(COMMON_FIELDS) | set(KIND_FIELDS[kind])
    unknown = sorted(set(table) - valid)
    if unknown:
        raise t.fail(
            f"unknown field {unknown[0]!r} for kind {kind!r}; valid fields: "
            f"{', '.join(sorted(valid))}"
        )
    common: dict[str, Any] = {
        "id": rule_id,
        "why": t.string("why", required=True),
        "source": source,
        "domains": _domains(t),
        "must_match": t.strings("must_match", required=True),
        "must_not_match": t.strings("must_not_match", required=True),
        "examples": _examples(t),
    }
    if kind == "phrase":
        phrases, keys = _phrases(t)
        return PhraseRule(phrases=phrases, keys=keys, **common)
    if kind == "block":
        phrases, keys = _phrases(t)
        return BlockRule(
            phrases=phrases,
            keys=keys,
            max_following=t.integer("max_following", 1),
            max_words=t.integer("max_words", 16),
            **common,
        )
    if kind == "section":
        phrases, keys = _phrases(t)
        return SectionRule(
            phrases=phrases,
            keys=keys,
            max_words=t.integer("max_words", 12),
            max_items=t.integer("max_items", 30),
            tail_only=t.boolean("tail_only", True),
            to_meta=_meta_key(t),
            **common,
        )
    pattern = _pattern(t)
    contains = t.strings("contains")
    if any(not c for c in contains):
        raise t.fail("'contains' entries must not be empty")
    if kind == "regex":
        # Compared with the lowercased plain line, so stored lowercased.
        return RegexRule(
            pattern=pattern,
            max_words=t.integer("max_words", 15),
            contains=tuple(c.lower() for c in contains),
            to_meta=_meta_key(t),
            **common,
        )
    # Compared with the raw text exactly as written (see InlineRule).
    return InlineRule(pattern=pattern, contains=contains, to_meta=_meta_key(t), **common)


def _phrases(t: _Table) -> tuple[tuple[str, ...], frozenset[str]]:
    phrases = t.strings("phrases", required=True)
    keys = set()
    for phrase in phrases:
        key = phrase_key(plain_line(phrase))
        if not key:
            raise t.fail(f"phrase {phrase!r} has no letters or digits")
        keys.add(key)
    return phrases, frozenset(keys)


def _pattern(t: _Table) -> Matcher:
    source = t.string("pattern", required=True)
    try:
        pattern = Matcher(source)
    except re.error as exc:
        raise t.fail(f"bad regex in 'pattern': {exc}") from None
    # A pattern that matches nothing at all would "fire" on every line (or loop on spans).
    if pattern.reference.fullmatch("") is not None:
        raise t.fail("'pattern' matches the empty string; it must require some text")
    unknown_groups = sorted(set(pattern.groupindex) - {"value"})
    if unknown_groups:
        raise t.fail(
            f"unknown named group {unknown_groups[0]!r} in 'pattern'; only (?P<value>...) is used"
        )
    return pattern


def _meta_key(t: _Table) -> str:
    key = t.string("to_meta")
    if key and not _META_KEY.fullmatch(key):
        raise t.fail(f"'to_meta' must be a lowercase identifier like 'byline', got {key!r}")
    return key


def _domains(t: _Table) -> tuple[str, ...]:
    domains = tuple(d.strip().lower().rstrip(".") for d in t.strings("domains"))
    for domain in domains:
        if not _DOMAIN.fullmatch(domain):
            raise t.fail(f"domain {domain!r} must be a bare host name like 'example.com'")
    return domains


def _examples(t: _Table) -> tuple[Example, ...]:
    raw = t.table.get("example", [])
    if not isinstance(raw, list):
        raise t.fail("'example' must be written as [[rule.example]] tables")
    examples = []
    for n, entry in enumerate(raw, start=1):
        if not isinstance(entry, Mapping):
            raise t.fail(f"example {n} must be a table with 'input' and 'expect'")
        unknown = sorted(set(entry) - set(EXAMPLE_FIELDS))
        if unknown:
            raise t.fail(
                f"example {n}: unknown field {unknown[0]!r}; valid fields: "
                f"{', '.join(EXAMPLE_FIELDS)}"
            )
        text_in, expect, meta = entry.get("input"), entry.get("expect"), entry.get("meta", {})
        if not isinstance(text_in, str) or not isinstance(expect, str):
            raise t.fail(f"example {n} needs string fields 'input' and 'expect'")
        if not isinstance(meta, Mapping):
            raise t.fail(f"example {n}: 'meta' must be a table")
        examples.append(Example(input=text_in, expect=expect, meta=dict(meta)))
    return tuple(examples)
