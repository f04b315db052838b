"""`backtracking_risk`: which rule patterns are proved free of catastrophic backtracking."""

from __future__ import annotations

import pytest

from cleaner.rules.loader import load_rules
from cleaner.rules.locate import default_rules_dir
from cleaner.rules.model import InlineRule, RegexRule
from cleaner.rules.safety import backtracking_risk


@pytest.mark.parametrize(
    "pattern",
    [
        r"(a+)+$",  # nested quantifiers over the same letter
        r"(a|a)*",  # two alternatives reading the same text, repeated
        r"(\w+\s?)*$",  # the optional separator lets \w+ runs split anywhere
        r"(?:a{1,4}a{1,4})*",  # bounded repeats are no protection inside a loop
        r"(.*,)*x",
        r"(?=(a+)+)b",  # lookaround bodies are checked too
        r"(?i)(?:ab|AB)+c",  # equal once case is ignored
        r"(a+)\1+",  # a back-reference counts as any text
    ],
)
def test_exponential_patterns_are_not_proved_safe(pattern: str) -> None:
    risk = backtracking_risk(pattern)
    assert risk is not None
    assert "more than one way" in risk


def test_a_nullable_repeated_group_is_not_proved_safe() -> None:
    assert backtracking_risk(r"(a*)*b") == (
        "a repeated group can match the empty string (nested quantifiers)"
    )


def test_adjacent_overlapping_quantifiers_are_not_proved_safe() -> None:
    risk = backtracking_risk(r"x\w+\w+y")
    assert risk is not None and "polynomial" in risk
    # disjoint neighbours are fine
    assert backtracking_risk(r"\d+[a-z]+") is None


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?:\s+\w+)*",  # spaces and word characters never overlap
        r"(?:ab|cd)*x",
        r"[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,4}",
        r"(\w+) \1",
        r"(?i)follow us on (?:twitter|x)(?:\s*(?:,|and)\s*(?:twitter|x))*",
    ],
)
def test_unambiguous_patterns_are_proved_safe(pattern: str) -> None:
    assert backtracking_risk(pattern) is None


def test_every_packaged_pattern_is_proved_safe() -> None:
    rules = [r for r in load_rules([default_rules_dir()]) if isinstance(r, RegexRule | InlineRule)]
    assert len(rules) >= 15
    unsafe = {r.id: backtracking_risk(r.pattern.pattern) for r in rules}
    assert {k: v for k, v in unsafe.items() if v is not None} == {}


def test_a_long_alternation_is_proved_safe_outside_a_loop() -> None:
    words = [f"w{n:04d}x" for n in range(3000)]
    assert backtracking_risk("(?i)(?:" + "|".join(words) + r")(?:\s+\w+){0,3}") is None


def test_a_pattern_too_big_to_analyse_is_not_proved_safe() -> None:
    words = [f"{chr(97 + n % 26)}{n:04d}" for n in range(1500)]
    risk = backtracking_risk("(?:" + "|".join(words) + ")+")
    assert risk == (
        "cannot prove it safe: it has so many alternatives that the proof was not attempted"
    )
