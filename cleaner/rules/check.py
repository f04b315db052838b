"""`cleaner rules check`: validate rule packs and run every rule's own examples.

A rule proves itself: each `must_match` text must make it fire, each `must_not_match` text must
not, and each `[[rule.example]]` input, cleaned by that rule alone, must give exactly `expect`
(and store the `meta` values listed). Domain-scoped rules are run as if the text came from their
first domain, and their `must_match` texts must NOT fire without a host: that checks the scope.

A pattern must also be safe to run: one that `cleaner.rules.safety` cannot prove free of
catastrophic backtracking fails, unless it runs on the linear-time RE2 engine (then a note
says so). Checking a directory loads the packaged packs first, as `clean` does, so an id that
clashes with a packaged rule fails here with the message `clean` would give.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cleaner.errors import RuleError
from cleaner.rules.engine import Engine, Outcome
from cleaner.rules.loader import read_packs, rule_files
from cleaner.rules.locate import default_rules_dir
from cleaner.rules.matcher import ENGINE_RE2, ENGINE_REGEX
from cleaner.rules.model import AnyRule, BlockRule, InlineRule, PhraseRule, RegexRule, SectionRule
from cleaner.rules.parse import RuleProblem, UnreadablePack

_SHOW = 70  # characters of an example shown in a message


@dataclass(frozen=True, slots=True)
class Failure:
    """One problem: a file that does not parse, a bad rule, or an example that fails."""

    source: str
    rule: str
    message: str

    def format(self) -> str:
        where = f"{self.source}: rule {self.rule}" if self.rule else self.source
        return f"FAIL {where}: {self.message}"


@dataclass(slots=True)
class CheckReport:
    """Counts of what was checked and every failure found; `ok` when there are none."""

    files: int = 0
    rules: int = 0
    examples: int = 0
    failures: list[Failure] = field(default_factory=list)
    # Files that could not be read at all (not UTF-8, not TOML): a usage error, one line each.
    unreadable: list[str] = field(default_factory=list)
    # Lines that are not failures: which rules run on the linear-time engine.
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def format(self) -> str:
        """Failures one per line (grouped by file and rule), then a one-line summary."""
        ordered = sorted(self.failures, key=lambda f: (f.source, f.rule))
        lines = [*self.notes, *(failure.format() for failure in ordered)]
        summary = f"checked {self.files} files, {self.rules} rules, {self.examples} examples"
        if self.ok:
            lines.append(f"{summary}: all passed")
        else:
            bad_rules = len({(f.source, f.rule) for f in self.failures})
            lines.append(f"{summary}: {len(self.failures)} failures in {bad_rules} rules/files")
        return "\n".join(lines)


def check_rules(paths: Sequence[str | Path], default_rules: bool = False) -> CheckReport:
    """Validate the packs under `paths` (directories or files) and run their examples.

    With `default_rules` the packaged packs are loaded first, as `clean` loads them, so ids
    clashing with them fail; an empty `paths` checks the packaged packs alone. Never raises
    for a bad rule: every problem becomes a `Failure` in the report.
    """
    report = CheckReport()
    targets = [default_rules_dir()] if default_rules or not paths else []
    targets += [Path(p) for p in paths]
    try:
        files = _unique(rule_files(targets))
    except RuleError as exc:
        report.failures.append(Failure("", "", str(exc)))
        return report
    report.files = len(files)
    problems: list[RuleProblem] = []
    packs = read_packs(files, problems)
    report.unreadable.extend(str(p) for p in problems if isinstance(p, UnreadablePack))
    report.failures.extend(Failure(p.source, p.rule, p.detail) for p in problems)
    bad_labels = {(p.source, p.rule) for p in problems if p.rule}
    for pack in packs:
        for rule in pack.rules:
            report.rules += 1
            if _check_pattern(rule, report):
                _run_examples(rule, report)
    _check_shadowed_phrases([rule for pack in packs for rule in pack.rules], report)
    # Rules that failed validation were counted nowhere above; they are rules too.
    report.rules += len(bad_labels)
    return report


def _unique(files: list[Path]) -> list[Path]:
    """Each file once (a directory given twice, or the packaged one named explicitly)."""
    seen: set[Path] = set()
    kept = []
    for path in files:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            kept.append(path)
    return kept


def _check_pattern(rule: AnyRule, report: CheckReport) -> bool:
    """Fail a pattern that could backtrack without end; note one that runs on RE2.

    Returns False when the rule's examples must not be run (they could hang the check)."""
    if not isinstance(rule, RegexRule | InlineRule):
        return True
    where = f"{rule.source}: rule {rule.id!r}"
    if rule.pattern.engine == ENGINE_RE2:
        report.notes.append(f"NOTE {where}: {rule.pattern.describe()}")
    elif rule.pattern.engine == ENGINE_REGEX:
        report.failures.append(
            Failure(
                rule.source,
                repr(rule.id),
                f"unsafe pattern: {rule.pattern.risk}, and RE2 cannot run it; rewrite it so "
                "that no text can be matched in two ways (clean would reject documents that "
                "use up its time budget)",
            )
        )
        return False
    return True


def _check_shadowed_phrases(rules: list[AnyRule], report: CheckReport) -> None:
    """A phrase that an earlier rule with the same or a wider scope already has never reaches
    the later rule: the engine takes the first rule in load order. Examples cannot catch this
    when the later rule has other phrases, so it is checked here."""
    owners: dict[str, list[AnyRule]] = {}
    for rule in rules:
        if not isinstance(rule, PhraseRule | BlockRule | SectionRule):
            continue
        for key in sorted(rule.keys):
            for earlier in owners.get(key, []):
                if not earlier.domains or earlier.domains == rule.domains:
                    report.failures.append(
                        Failure(
                            rule.source,
                            repr(rule.id),
                            f"phrase {key!r} is already taken by rule {earlier.id!r} "
                            f"({earlier.source}), which is loaded first",
                        )
                    )
                    break
            owners.setdefault(key, []).append(rule)


def _fired(outcome: Outcome, rule: AnyRule) -> bool:
    return any(edit.rule == rule.id for edit in outcome.edits)


def _show(text: str) -> str:
    return repr(text if len(text) <= _SHOW else text[: _SHOW - 1] + "…")


def _run_examples(rule: AnyRule, report: CheckReport) -> None:
    engine = Engine([rule])
    host = rule.domains[0] if rule.domains else None
    label = repr(rule.id)

    def fail(message: str) -> None:
        report.failures.append(Failure(rule.source, label, message))

    for text in rule.must_match:
        report.examples += 1
        if not _fired(engine.apply(text, host), rule):
            fail(f"must_match example did not fire: {_show(text)}")
        elif rule.domains and _fired(engine.apply(text, None), rule):
            fail(f"scoped rule fired on a document with no domain: {_show(text)}")
    for text in rule.must_not_match:
        report.examples += 1
        outcome = engine.apply(text, host)
        if _fired(outcome, rule):
            removed = next(e.text for e in outcome.edits if e.rule == rule.id)
            fail(f"must_not_match example fired (took {_show(removed)}): {_show(text)}")
    for n, example in enumerate(rule.examples, start=1):
        report.examples += 1
        outcome = engine.apply(example.input, host)
        if outcome.text != example.expect:
            fail(f"example {n}: expected {_show(example.expect)}, got {_show(outcome.text)}")
        for key, want in example.meta.items():
            got = outcome.meta.get(key)
            if got != want:
                fail(f"example {n}: expected meta {key}={want!r}, got {got!r}")
