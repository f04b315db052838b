"""Read rule packs from files and directories into one ordered, validated rule list.

Order matters only for ties (two rules matching the same line): packs load in the order their
paths are given, files within a directory by name, rules within a file top to bottom.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cleaner.errors import ConfigError, RuleError
from cleaner.rules.locate import default_rules_dir
from cleaner.rules.model import AnyRule
from cleaner.rules.parse import RuleProblem, UnreadablePack, parse_rule
from cleaner.rules.verdicts import process_cache

PACK_FIELDS = ("pack", "description", "rule")


@dataclass(frozen=True, slots=True)
class Pack:
    """One rule file: its name, what it is for, and its rules."""

    path: str
    name: str
    description: str
    rules: tuple[AnyRule, ...]


def rule_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories to their `*.toml` files (sorted by name); keep files as given."""
    files: list[Path] = []
    for entry in paths:
        path = Path(entry)
        if path.is_dir():
            files.extend(sorted(p for p in path.glob("*.toml") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise RuleError(f"no such rule file or directory: {path}")
    return files


def rules_dirs(config: Mapping[str, Any]) -> list[str]:
    """Every rule file or directory a run of `config` may load: the packaged packs first, then
    each `[boilerplate] rules_dirs` entry."""
    return [str(default_rules_dir()), *config.get("boilerplate", {}).get("rules_dirs", [])]


def rule_digests(paths: Iterable[str | Path]) -> tuple[tuple[str, str], ...]:
    """`(path, sha256 of the contents)` of every rule file under `paths`, expanded as the loader
    expands them: what decides whether rules loaded earlier are still the rules on disk.

    A path that is gone or unreadable keeps its name with an empty digest (loading the rules
    would fail too; the name still counts), so this never raises for a missing file.
    """
    digests: list[tuple[str, str]] = []
    for entry in paths:
        try:
            files = rule_files([entry])
        except ConfigError:
            digests.append((str(entry), ""))
            continue
        for path in files:
            try:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
            except OSError:
                digest = ""
            digests.append((str(path), digest))
    return tuple(digests)


def read_pack(path: Path, problems: list[RuleProblem] | None = None) -> Pack:
    """Parse one pack file.

    Without `problems` the first mistake raises; with a list, every bad rule is recorded there
    and skipped, so `rules check` can report all of them in one go.
    """
    source = str(path)

    def report(problem: RuleProblem) -> None:
        if problems is None:
            raise problem
        problems.append(problem)

    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except UnicodeDecodeError as exc:
        detail = f"not UTF-8 text (bad byte at offset {exc.start}); rule files are UTF-8 TOML"
        report(UnreadablePack(source, "", detail))
        return Pack(source, path.stem, "", ())
    except tomllib.TOMLDecodeError as exc:
        report(UnreadablePack(source, "", f"not valid TOML: {exc}"))
        return Pack(source, path.stem, "", ())
    except OSError as exc:
        report(UnreadablePack(source, "", f"cannot read: {exc.strerror or exc}"))
        return Pack(source, path.stem, "", ())

    unknown = sorted(set(data) - set(PACK_FIELDS))
    if unknown:
        report(
            RuleProblem(
                source,
                "",
                f"unknown top-level key {unknown[0]!r}; valid keys: {', '.join(PACK_FIELDS)}",
            )
        )
    name, description = data.get("pack"), data.get("description")
    for key, value in (("pack", name), ("description", description)):
        if not isinstance(value, str) or not value.strip():
            report(RuleProblem(source, "", f"top-level {key!r} must be a non-empty string"))
    tables = data.get("rule")
    if not isinstance(tables, list) or not tables:
        report(RuleProblem(source, "", "no [[rule]] tables"))
        tables = []
    rules: list[AnyRule] = []
    for index, table in enumerate(tables):
        try:
            rules.append(parse_rule(table, source, index))
        except RuleProblem as problem:
            report(problem)
    return Pack(
        source,
        name if isinstance(name, str) else path.stem,
        description if isinstance(description, str) else "",
        tuple(rules),
    )


def read_packs(
    paths: Iterable[str | Path], problems: list[RuleProblem] | None = None
) -> list[Pack]:
    """Read every pack under `paths`, rejecting ids defined twice (even across packs)."""
    packs: list[Pack] = []
    first_seen: dict[str, str] = {}
    for path in rule_files(paths):
        pack = read_pack(path, problems)
        kept = []
        for rule in pack.rules:
            if rule.id in first_seen:
                detail = f"duplicate id (first defined in {first_seen[rule.id]})"
                problem = RuleProblem(pack.path, repr(rule.id), detail)
                if problems is None:
                    raise problem
                problems.append(problem)
                continue
            first_seen[rule.id] = pack.path
            kept.append(rule)
        packs.append(Pack(pack.path, pack.name, pack.description, tuple(kept)))
    process_cache().save()  # the safety verdicts of patterns seen for the first time
    return packs


def load_rules(paths: Sequence[str | Path]) -> list[AnyRule]:
    """All rules under `paths`, in order; the first mistake raises a one-line RuleError."""
    return [rule for pack in read_packs(paths) for rule in pack.rules]


def select_rules(rules: Sequence[AnyRule], disable: Iterable[str]) -> list[AnyRule]:
    """Drop the rules switched off by `disable` (ids, or id prefixes like "widget").

    A prefix matches whole dotted parts: "widget" disables "widget.share" but not
    "widgets.x". An entry matching no rule is an error, because it is almost always a typo.
    """
    entries = tuple(disable)

    def hit(rule_id: str, entry: str) -> bool:
        prefix = entry if entry.endswith(".") else entry + "."
        return rule_id == entry or rule_id.startswith(prefix)

    for entry in entries:
        if not any(hit(rule.id, entry) for rule in rules):
            families = sorted({rule.id.split(".", 1)[0] for rule in rules})
            raise ConfigError(
                f"[boilerplate] disable: {entry!r} matches no rule id; "
                f"rule families: {', '.join(families) or '(none)'}"
            )
    return [r for r in rules if not any(hit(r.id, e) for e in entries)]


__all__ = [
    "Pack",
    "load_rules",
    "read_pack",
    "read_packs",
    "rule_files",
    "select_rules",
]
