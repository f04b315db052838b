"""The prefilter: one alternation that fullmatches whenever a rule's own pattern would, and the
patterns it cannot stand for left to be tried on their own."""

from __future__ import annotations

from cleaner.rules.matcher import Matcher
from cleaner.rules.prefilter import combine

# Compiles alone, but its conditional names a group the join turns into a plain one.
CONDITIONAL = r"(?P<quote>\")?\w+ said(?(quote)\")"


def test_the_alternation_fullmatches_what_any_pattern_fullmatches() -> None:
    patterns = [
        Matcher(r"(?i)read more"),
        Matcher(r"Photo: (?P<credit>.+)"),
        Matcher(r"\d+ min read"),
    ]
    combined, left_out = combine(patterns)
    assert combined is not None and left_out == ()
    for line in ("READ MORE", "Photo: Reuters", "5 min read"):
        assert combined.fullmatch(line)
    assert not combined.fullmatch("The minister read more than 5 reports.")
    assert not combined.fullmatch("read MORE please")


def test_a_pattern_the_join_would_break_is_left_out_and_the_rest_combined() -> None:
    patterns = [
        Matcher(r"Share this"),
        Matcher(CONDITIONAL),
        Matcher(r"(a)\1"),
        Matcher(r"Tags: .+"),
    ]
    combined, left_out = combine(patterns)
    assert left_out == (1, 2)  # the broken join, the back-reference
    assert combined is not None
    assert combined.fullmatch("Share this") and combined.fullmatch("Tags: politics")
    assert not combined.fullmatch('"Smith said"')


def test_nothing_to_combine_gives_no_alternation() -> None:
    assert combine([Matcher(CONDITIONAL), Matcher(r"(b)\1")]) == (None, (0, 1))
    assert combine([]) == (None, ())
