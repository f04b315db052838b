"""`check_rules`: validation plus each rule's own examples, reported per rule."""

from __future__ import annotations

from pathlib import Path

from cleaner.rules.check import check_rules
from cleaner.rules.locate import default_rules_dir

HEADER = 'pack = "test"\ndescription = "rules for a test"\n'


def pack(path: Path, body: str) -> Path:
    path.write_text(HEADER + body, encoding="utf-8")
    return path


GOOD = """
[[rule]]
id = "test.good"
kind = "phrase"
why = "a widget label"
phrases = ["Get a summary"]
must_match = ["Get a summary", "Title\\n\\nGet a summary\\nBody"]
must_not_match = ["Get a summary of the talks, he said."]

[[rule.example]]
input = "Title\\n\\nGet a summary\\n\\nBody"
expect = "Title\\n\\nBody"
"""


def test_default_packs_pass() -> None:
    report = check_rules([default_rules_dir()])
    assert report.ok, report.format()
    assert report.files >= 6
    assert report.rules >= 25
    # every rule has at least one must_match and one must_not_match
    assert report.examples >= 2 * report.rules
    assert report.format().endswith("examples: all passed")


def test_empty_paths_mean_the_default_packs() -> None:
    default = check_rules([default_rules_dir()])
    empty = check_rules([])
    assert (empty.files, empty.rules, empty.examples) == (
        default.files,
        default.rules,
        default.examples,
    )


def test_counts_for_a_good_pack(tmp_path: Path) -> None:
    report = check_rules([pack(tmp_path / "good.toml", GOOD)])
    assert report.ok
    assert (report.files, report.rules, report.examples) == (1, 1, 4)
    assert report.format() == "checked 1 files, 1 rules, 4 examples: all passed"


def test_failing_examples_are_reported_per_rule(tmp_path: Path) -> None:
    body = """
[[rule]]
id = "test.weak"
kind = "phrase"
why = "a label"
phrases = ["Advertisement"]
must_match = ["Sponsored"]
must_not_match = ["Advertisement"]

[[rule.example]]
input = "A\\nAdvertisement\\nB"
expect = "A\\nB\\n"

[[rule]]
id = "test.meta"
kind = "regex"
why = "byline"
pattern = 'by (?P<value>.+)'
to_meta = "byline"
must_match = ["by Jane Doe"]
must_not_match = ["Jane Doe"]

[[rule.example]]
input = "by Jane Doe"
expect = ""
meta = { byline = "John Doe" }
"""
    path = pack(tmp_path / "weak.toml", body)
    report = check_rules([path])
    assert not report.ok
    assert report.rules == 2
    messages = [(f.rule, f.message) for f in report.failures]
    assert ("'test.weak'", "must_match example did not fire: 'Sponsored'") in messages
    assert (
        "'test.weak'",
        "must_not_match example fired (took 'Advertisement'): 'Advertisement'",
    ) in messages
    assert ("'test.weak'", "example 1: expected 'A\\nB\\n', got 'A\\nB'") in messages
    assert ("'test.meta'", "example 1: expected meta byline='John Doe', got 'Jane Doe'") in messages
    text = report.format()
    assert f"FAIL {path}: rule 'test.weak': must_match example did not fire: 'Sponsored'" in text
    assert text.splitlines()[-1] == (
        "checked 1 files, 2 rules, 6 examples: 4 failures in 2 rules/files"
    )


def test_scoped_rule_must_not_fire_without_its_domain(tmp_path: Path) -> None:
    body = """
[[rule]]
id = "site.label"
kind = "phrase"
why = "site label"
phrases = ["Description"]
domains = ["example.com"]
must_match = ["Description"]
must_not_match = ["Description of the attack."]
"""
    report = check_rules([pack(tmp_path / "scoped.toml", body)])
    assert report.ok, report.format()


def test_invalid_rules_are_reported_and_the_rest_still_checked(tmp_path: Path) -> None:
    bad = """
[[rule]]
id = "test.bad"
kind = "regex"
why = "broken"
pattern = '(unclosed'
must_match = ["x"]
must_not_match = ["y"]

[[rule]]
id = "test.nowhy"
kind = "phrase"
phrases = ["x"]
must_match = ["x"]
must_not_match = ["y"]
"""
    pack(tmp_path / "a.toml", GOOD)
    pack(tmp_path / "b.toml", GOOD + bad)
    report = check_rules([tmp_path])
    assert not report.ok
    assert report.files == 2
    lines = report.format().splitlines()
    b = tmp_path / "b.toml"
    assert any(line.startswith(f"FAIL {b}: rule 'test.good': duplicate id") for line in lines)
    assert any(f"FAIL {b}: rule 'test.bad': bad regex in 'pattern'" in line for line in lines)
    assert f"FAIL {b}: rule 'test.nowhy': missing required field 'why'" in lines
    # the valid rule of a.toml was checked: its 4 examples ran
    assert report.examples == 4
    assert report.rules == 4


def test_unreadable_toml_and_missing_paths(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("[[rule]\n", encoding="utf-8")
    report = check_rules([broken])
    assert not report.ok
    assert report.failures[0].format().startswith(f"FAIL {broken}: not valid TOML")
    missing = check_rules([tmp_path / "missing"])
    assert not missing.ok
    assert "no such rule file or directory" in missing.format()


def test_phrase_taken_by_an_earlier_rule_is_reported(tmp_path: Path) -> None:
    later = GOOD.replace("test.good", "test.later").replace(
        'phrases = ["Get a summary"]', 'phrases = ["Summary", "Get a summary"]'
    )
    # a scoped rule loaded first is a site-specific override, not a shadow
    scoped_first = GOOD.replace("test.good", "site.first").replace(
        'kind = "phrase"', 'kind = "phrase"\ndomains = ["example.com"]'
    )
    path = pack(tmp_path / "p.toml", scoped_first + GOOD + later)
    report = check_rules([path])
    assert [(f.rule, f.message) for f in report.failures] == [
        (
            "'test.later'",
            f"phrase 'get a summary' is already taken by rule 'test.good' ({path}),"
            " which is loaded first",
        )
    ]


def test_default_rules_load_first_so_a_clashing_id_fails(tmp_path: Path) -> None:
    clash = GOOD.replace('id = "test.good"', 'id = "widget.summary-prompt"')
    path = pack(tmp_path / "clash.toml", clash)
    assert check_rules([path]).ok  # alone, the pack is fine
    report = check_rules([path], default_rules=True)
    assert not report.ok
    [failure] = report.failures
    assert failure.rule == "'widget.summary-prompt'"
    assert failure.message.startswith("duplicate id (first defined in ")
    # naming the packaged directory as well does not load it twice
    assert check_rules([default_rules_dir()], default_rules=True).ok


def test_a_file_that_is_not_utf8_is_reported_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "latin1.toml"
    path.write_bytes((HEADER + GOOD).encode("utf-8") + b"# caf\xe9\n")
    report = check_rules([path])
    offset = len((HEADER + GOOD).encode()) + len(b"# caf")
    [message] = report.unreadable
    assert message.startswith(f"{path}: not UTF-8 text (bad byte at offset {offset})")
    assert not report.ok


def test_an_unsafe_pattern_fails_and_its_examples_are_not_run(tmp_path: Path) -> None:
    body = """
[[rule]]
id = "test.unsafe"
kind = "regex"
why = "backtracks without end on a long run of letters"
pattern = '(?=\\\\w)(\\\\w|\\\\w\\\\w)+$'
must_match = ["aaaa"]
must_not_match = ["aa b"]
"""
    report = check_rules([pack(tmp_path / "unsafe.toml", body)])
    [failure] = report.failures
    assert failure.rule == "'test.unsafe'"
    assert failure.message.startswith("unsafe pattern: nested quantifiers")
    assert report.examples == 0
