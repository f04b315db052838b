"""Boilerplate rules as data: load packs, compile them, apply them, check their examples.

    from cleaner.rules import Engine, load_rules, default_rules_dir, check_rules
    engine = Engine(load_rules([default_rules_dir()]))
    outcome = engine.apply(text, host="zerohedge.com")   # .text, .edits, .meta
    report = check_rules([default_rules_dir()])          # .ok, .format()

Importing this package reads no files; rules are loaded when asked for.

Patterns cannot hang a run: each runs on Python's `re` when `cleaner.rules.safety` proves it
free of catastrophic backtracking, else on RE2 or on the `regex` module under a per-document
time budget (`cleaner.rules.matcher`); `rules check` fails those on the budget.

Rule file format (`rules/*.toml`, one pack per file)
----------------------------------------------------
Top level: `pack` (name) and `description`, then `[[rule]]` tables. Every rule has:

    id             unique dotted id, "family.name"; `disable = ["family"]` switches a family off
    kind           phrase | regex | inline | block | section
    why            why this is boilerplate (shown by `cleaner rules list`)
    must_match     texts that must make the rule fire (at least one)
    must_not_match texts that share its words but must survive (at least one)
    domains        optional: hosts it is limited to (subdomains included), from meta url/domain
    [[rule.example]]  optional: input, expect (full texts), meta (entries it must store)

Rules match a line's *plain form*: markdown links reduced to their text, emphasis markers,
heading `#`s and quote `>`s dropped, backslash escapes undone, zero-width characters removed,
whitespace collapsed. Kept text is never rewritten; only whole lines (or inline spans) go.

    phrase   phrases = [...]          the whole line is one of them (case and punctuation at
                                      either end ignored: "**No time to read?**" matches)
    regex    pattern = '...'          the whole plain line fullmatches (flags inline: "(?i)");
             max_words = 15           ...and has at most this many words;
             contains = [...]         optional pre-check: a literal of the lowercased line;
             to_meta = "byline"       optional: group (?P<value>...) (or the line) goes to meta
    inline   pattern = '...'          spans are searched in the ORIGINAL line and cut out (with
                                      the space next to them); an emptied line goes
             contains = [...]         optional pre-check, exact spelling in the raw text
             to_meta = "..."          optional, as for regex
    block    phrases = [...]          a marker line, plus up to `max_following` (1) title lines
             max_following, max_words after it (blank lines skipped); a title has at most
                                      `max_words` (16) words and does not end in . ! ? : ;
    section  phrases = [...]          a marker line and the short item lines under it (at most
             max_words, max_items     `max_words` (12) words each, `max_items` (30) items), up to
             tail_only = true         a long line or a heading; with tail_only (default) only
             to_meta = "categories"   when nothing but removable lines follows. Items (list
                                      markers stripped) go to meta: a list, or a string when
                                      max_items = 1.

Example:

    [[rule]]
    id = "credit.caption-label"
    kind = "regex"
    why = "'Image: <credit>' lines under a removed picture."
    pattern = '''(?i)(?:image|photo)(?:\\s+credits?)?\\s*:\\s*(?P<value>\\S.{0,150})'''
    max_words = 15
    must_match = ["*Image: AP/Sputnik*", "Photo: Reuters"]
    must_not_match = ["Photo evidence: the report cites images taken in March."]
"""

from __future__ import annotations

from cleaner.rules.check import CheckReport, Failure, check_rules
from cleaner.rules.engine import Engine, Outcome
from cleaner.rules.loader import load_rules, read_packs, rule_files, select_rules
from cleaner.rules.locate import default_rules_dir
from cleaner.rules.scope import document_host

__all__ = [
    "CheckReport",
    "Engine",
    "Failure",
    "Outcome",
    "check_rules",
    "default_rules_dir",
    "document_host",
    "load_rules",
    "read_packs",
    "rule_files",
    "select_rules",
]
