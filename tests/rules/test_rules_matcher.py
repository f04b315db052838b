"""`Matcher`: each rule pattern runs on an engine that cannot hang the run."""

from __future__ import annotations

import pickle
import re

import pytest

from cleaner.rules.engine import Engine
from cleaner.rules.loader import load_rules
from cleaner.rules.locate import default_rules_dir
from cleaner.rules.matcher import (
    ENGINE_RE,
    ENGINE_RE2,
    ENGINE_REGEX,
    Deadline,
    Matcher,
    RuleTimeout,
)
from cleaner.rules.model import InlineRule, RegexRule

HOSTILE_LINE = "a" * 50 + "!"


def test_proved_patterns_stay_on_python_re() -> None:
    matcher = Matcher(r"(?i)by\s+(?P<value>\w+)")
    assert matcher.engine == ENGINE_RE
    assert not matcher.risk


def test_every_packaged_pattern_runs_on_python_re() -> None:
    patterns = [
        r.pattern
        for r in load_rules([default_rules_dir()])
        if isinstance(r, RegexRule | InlineRule)
    ]
    assert {p.engine for p in patterns} == {ENGINE_RE}


def test_an_unsafe_pattern_re2_reads_alike_runs_on_re2() -> None:
    matcher = Matcher(r"(a+)+$")
    assert matcher.engine == ENGINE_RE2
    assert "more than one way" in matcher.risk
    assert matcher.fullmatch(HOSTILE_LINE) is None  # linear time: returns at once
    found = matcher.fullmatch("aaaa")
    assert found is not None and found.group(0) == "aaaa"
    assert "linear-time RE2" in matcher.describe()


@pytest.mark.parametrize(
    "pattern",
    [
        r"(\w|\w\w)+$",  # \w is ASCII-only in RE2, Unicode in re
        r"(?=a)(a|aa)+$",  # RE2 has no lookaround
        r"(a|aa)+\b$",  # \b is ASCII-only in RE2
        r"(?:a{,3}|aa)+$",  # {,3} is literal text in RE2
    ],
)
def test_an_unsafe_pattern_re2_cannot_read_alike_runs_on_regex(pattern: str) -> None:
    assert Matcher(pattern).engine == ENGINE_REGEX


def test_re2_keeps_unicode_offsets_and_named_groups() -> None:
    matcher = Matcher(r"(?P<value>(é|é)+)x")
    assert matcher.engine == ENGINE_RE2
    found = matcher.finditer("– ééx ééx")
    assert [(m.start(), m.end(), m.group("value")) for m in found] == [
        (2, 5, "éé"),
        (6, 9, "éé"),
    ]
    assert matcher.groupindex == {"value": 1}


def test_a_matcher_pickles_as_its_source() -> None:
    for source in (r"(a+)+$", r"(\w|\w\w)+$", r"ab+c"):
        matcher = Matcher(source)
        copy = pickle.loads(pickle.dumps(matcher))
        assert copy == matcher
        assert copy.engine == matcher.engine


def test_a_pattern_re_refuses_is_an_error() -> None:
    with pytest.raises(re.error):
        Matcher(r"(a")


def test_a_used_up_deadline_stops_the_regex_engine() -> None:
    matcher = Matcher(r"(\w|\w\w)+$")
    deadline = Deadline(0.05)
    with pytest.raises(TimeoutError):
        matcher.fullmatch(HOSTILE_LINE, deadline)


def _rule(kind: type[RegexRule] | type[InlineRule], pattern: str) -> RegexRule | InlineRule:
    return kind(
        id="hostile.nested",
        why="catastrophic on purpose",
        pattern=Matcher(pattern),
        must_match=("aaaa",),
        must_not_match=("aaab",),
    )


@pytest.mark.parametrize("kind", [RegexRule, InlineRule])
def test_the_engine_raises_rule_timeout_naming_the_rule(
    kind: type[RegexRule] | type[InlineRule],
) -> None:
    engine = Engine([_rule(kind, r"(\w|\w\w)+$")], budget=0.05)
    with pytest.raises(RuleTimeout) as caught:
        engine.apply(f"Title\n\n{HOSTILE_LINE}\n\nBody.\n")
    assert caught.value.rule_id == "hostile.nested"
    assert "hostile.nested" in str(caught.value)


def test_guarded_rules_still_remove_what_they_match() -> None:
    engine = Engine([_rule(RegexRule, r"(\w|\w\w)+$")], budget=5.0)
    outcome = engine.apply("The title.\n\naaaa\n\nBody.\n")
    assert outcome.text == "The title.\n\nBody.\n"
    assert [e.rule for e in outcome.edits] == ["hostile.nested"]
