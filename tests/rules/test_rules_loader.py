"""Loading rule packs: valid files load in order; every mistake is one clear line."""

from __future__ import annotations

import pickle
import re
from pathlib import Path

import pytest

from cleaner.errors import ConfigError, RuleError
from cleaner.rules.loader import load_rules, read_packs, rule_files, select_rules
from cleaner.rules.model import BlockRule, PhraseRule, RegexRule, SectionRule
from cleaner.rules.parse import RuleProblem

HEADER = 'pack = "test"\ndescription = "rules for a test"\n'

GOOD_RULE = """
[[rule]]
id = "test.good"
kind = "phrase"
why = "a widget label"
phrases = ["Get a summary"]
must_match = ["Get a summary"]
must_not_match = ["Get a summary of the talks, he said."]
"""


def write(path: Path, body: str, header: str = HEADER) -> Path:
    path.write_text(header + body, encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(RuleError) as info:
        load_rules([path])
    message = str(info.value)
    assert "\n" not in message, "rule errors must be one line"
    assert str(path) in message, "rule errors must name the file"
    return message


def test_loads_every_kind_in_file_order(tmp_path: Path) -> None:
    body = (
        GOOD_RULE
        + """
[[rule]]
id = "test.credit"
kind = "regex"
why = "credit line"
pattern = '(?i)photo:\\s*(?P<value>.+)'
to_meta = "credit"
must_match = ["Photo: Reuters"]
must_not_match = ["The photo was taken in March."]

[[rule]]
id = "test.prev"
kind = "block"
why = "prev link"
phrases = ["Previous Article"]
max_following = 2
must_match = ["Previous Article"]
must_not_match = ["In a previous article, the paper argued."]

[[rule]]
id = "test.tags"
kind = "section"
why = "tags"
phrases = ["Tags"]
max_items = 1
tail_only = false
must_match = ["Tags\\nx"]
must_not_match = ["Tags were attached."]
"""
    )
    rules = load_rules([write(tmp_path / "a.toml", body)])
    assert [r.id for r in rules] == ["test.good", "test.credit", "test.prev", "test.tags"]
    phrase, regex, block, section = rules
    assert isinstance(phrase, PhraseRule) and phrase.keys == frozenset({"get a summary"})
    assert isinstance(regex, RegexRule) and regex.to_meta == "credit" and regex.max_words == 15
    assert isinstance(block, BlockRule) and block.max_following == 2 and block.max_words == 16
    assert isinstance(section, SectionRule)
    assert section.max_items == 1 and section.tail_only is False and section.max_words == 12
    assert phrase.source == str(tmp_path / "a.toml")


def test_directory_loads_toml_files_sorted_by_name(tmp_path: Path) -> None:
    write(tmp_path / "b.toml", GOOD_RULE.replace("test.good", "b.rule"))
    write(tmp_path / "a.toml", GOOD_RULE.replace("test.good", "a.rule"))
    (tmp_path / "notes.txt").write_text("not a pack")
    assert [r.id for r in load_rules([tmp_path])] == ["a.rule", "b.rule"]
    packs = read_packs([tmp_path])
    assert [(p.name, p.description) for p in packs] == [("test", "rules for a test")] * 2


def test_bad_regex_names_file_and_rule(tmp_path: Path) -> None:
    body = GOOD_RULE.replace('kind = "phrase"', 'kind = "regex"').replace(
        'phrases = ["Get a summary"]', "pattern = '(unclosed'"
    )
    message = load_error(write(tmp_path / "bad.toml", body))
    assert "rule 'test.good'" in message
    assert "bad regex in 'pattern'" in message


def test_rule_errors_pickle_intact() -> None:
    problem = RuleProblem("a.toml", "'x.y'", "missing required field 'why'")
    copy = pickle.loads(pickle.dumps(problem))
    assert str(copy) == "a.toml: rule 'x.y': missing required field 'why'"
    assert (copy.source, copy.rule, copy.detail) == (problem.source, problem.rule, problem.detail)


def test_missing_why(tmp_path: Path) -> None:
    body = GOOD_RULE.replace('why = "a widget label"\n', "")
    message = load_error(write(tmp_path / "nowhy.toml", body))
    assert "rule 'test.good'" in message and "missing required field 'why'" in message


def test_unknown_kind_lists_valid_kinds(tmp_path: Path) -> None:
    body = GOOD_RULE.replace('kind = "phrase"', 'kind = "regexp"')
    message = load_error(write(tmp_path / "kind.toml", body))
    assert "unknown kind 'regexp'" in message
    assert "valid kinds: block, inline, phrase, regex, section" in message


def test_unknown_field_lists_valid_fields_of_the_kind(tmp_path: Path) -> None:
    body = GOOD_RULE.replace('phrases = ["Get a summary"]', 'phrases = ["x"]\nmax_words = 3')
    message = load_error(write(tmp_path / "field.toml", body))
    assert "unknown field 'max_words' for kind 'phrase'" in message
    assert "valid fields: domains, example, id, kind, must_match, must_not_match, phrases, why" in (
        message
    )


def test_duplicate_id_across_packs_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path / "a.toml", GOOD_RULE)
    second = write(tmp_path / "b.toml", GOOD_RULE)
    with pytest.raises(RuleError) as info:
        load_rules([tmp_path])
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{second}: rule 'test.good': duplicate id")
    assert f"first defined in {first}" in message


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ('must_not_match = ["Get a summary of the talks, he said."]\n', ""),
            "missing required field 'must_not_match'",
        ),
        (('must_match = ["Get a summary"]', "must_match = []"), "'must_match' needs at least one"),
        (('id = "test.good"', 'id = "Good Rule"'), "id must be dotted lowercase words"),
        (('phrases = ["Get a summary"]', 'phrases = ["???"]'), "has no letters or digits"),
        (
            ('phrases = ["Get a summary"]', 'phrases = "Get a summary"'),
            "'phrases' must be a list of strings",
        ),
        (
            ('kind = "phrase"', 'kind = "phrase"\ndomains = ["https://x.com/a"]'),
            "must be a bare host name",
        ),
    ],
)
def test_field_errors(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in GOOD_RULE
    message = load_error(write(tmp_path / "r.toml", GOOD_RULE.replace(old, new)))
    assert expected in message
    assert "rule 'test.good'" in message or "rule 'Good Rule'" in message


def test_pattern_matching_empty_string_is_rejected(tmp_path: Path) -> None:
    body = GOOD_RULE.replace('kind = "phrase"', 'kind = "inline"').replace(
        'phrases = ["Get a summary"]', "pattern = 'x*'"
    )
    assert "matches the empty string" in load_error(write(tmp_path / "e.toml", body))


def test_unknown_named_group_is_rejected(tmp_path: Path) -> None:
    body = GOOD_RULE.replace('kind = "phrase"', 'kind = "regex"').replace(
        'phrases = ["Get a summary"]', "pattern = '(?P<name>x)'"
    )
    assert "unknown named group 'name'" in load_error(write(tmp_path / "g.toml", body))


def test_rule_without_id_is_named_by_position(tmp_path: Path) -> None:
    body = GOOD_RULE + GOOD_RULE.replace('id = "test.good"\n', "").replace("test.", "x.")
    message = load_error(write(tmp_path / "noid.toml", body))
    assert "rule #2 (no id): missing required field 'id'" in message


def test_invalid_toml(tmp_path: Path) -> None:
    message = load_error(write(tmp_path / "syntax.toml", "[[rule]\nid = 1\n"))
    assert "not valid TOML" in message


def test_pack_level_errors(tmp_path: Path) -> None:
    assert "no [[rule]] tables" in load_error(write(tmp_path / "empty.toml", ""))
    message = load_error(write(tmp_path / "nopack.toml", GOOD_RULE, header=""))
    assert "top-level 'pack' must be a non-empty string" in message
    message = load_error(write(tmp_path / "extra.toml", GOOD_RULE, header=HEADER + "rules = 1\n"))
    assert "unknown top-level key 'rules'; valid keys: pack, description, rule" in message


def test_bad_example_table(tmp_path: Path) -> None:
    body = GOOD_RULE + '\n[[rule.example]]\ninput = "x"\nexpected = "y"\n'
    message = load_error(write(tmp_path / "ex.toml", body))
    assert "example 1: unknown field 'expected'; valid fields: input, expect, meta" in message


def test_missing_path() -> None:
    with pytest.raises(RuleError, match="no such rule file or directory: /nonexistent/rules"):
        rule_files(["/nonexistent/rules"])


def test_select_rules_by_id_and_family(tmp_path: Path) -> None:
    body = (
        GOOD_RULE.replace("test.good", "widget.one")
        + GOOD_RULE.replace("test.good", "widget.two")
        + GOOD_RULE.replace("test.good", "widgets.other")
    )
    rules = load_rules([write(tmp_path / "w.toml", body)])
    assert [r.id for r in select_rules(rules, ["widget"])] == ["widgets.other"]
    assert [r.id for r in select_rules(rules, ["widget.one"])] == ["widget.two", "widgets.other"]
    assert [r.id for r in select_rules(rules, [])] == ["widget.one", "widget.two", "widgets.other"]
    with pytest.raises(ConfigError, match=re.escape("'widgt' matches no rule id")) as info:
        select_rules(rules, ["widgt"])
    assert "rule families: widget, widgets" in str(info.value)
