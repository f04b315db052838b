"""The `boilerplate` processor: strip widget text, related-article links, credits, tweet
embeds, template labels and footers, using the rule packs in `rules/*.toml`.

All knowledge of what is boilerplate lives in the rule files (each rule says why, and carries
examples that must and must not match); this module only loads them once and applies them.
Values a rule moves instead of deleting (byline, categories, date created, source attribution)
go to `meta`, without overwriting values the input record already had.

Rule patterns that cannot be proved free of catastrophic backtracking run on guarded engines
(`cleaner.rules.matcher`); when those on the interruptible one use up `rule_timeout_seconds`
for a document, the document is rejected (`boilerplate.rule_timeout`, naming the rule).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cleaner.document import Document, Drop
from cleaner.processors.base import ProcessorBase
from cleaner.registry import register
from cleaner.rules.engine import Engine
from cleaner.rules.loader import load_rules, select_rules
from cleaner.rules.locate import default_rules_dir
from cleaner.rules.matcher import RuleTimeout
from cleaner.rules.scope import document_host

# Reject reason of a document whose guarded rule patterns ran out of their time budget.
RULE_TIMEOUT = "rule_timeout"
# Longest accepted budget: a day is "no practical limit", and keeps the value a sane float.
MAX_RULE_TIMEOUT_SECONDS = 86400.0


@register
class Boilerplate(ProcessorBase):
    """Remove boilerplate lines and spans matched by rule packs; record each removal."""

    name: ClassVar[str] = "boilerplate"

    @dataclass(frozen=True)
    class Options:
        """`rules_dirs`: extra rule directories or .toml files, loaded after the defaults.
        `default_rules`: load the packaged packs. `disable`: rule ids or id prefixes
        ("widget", "credit.getty") to switch off. `rule_timeout_seconds`: time one document
        may spend in rule patterns on the interruptible `regex` engine (those not proved safe
        and not runnable on RE2) before it is rejected as `rule_timeout`."""

        rules_dirs: tuple[str, ...] = ()
        default_rules: bool = True
        disable: tuple[str, ...] = ()
        rule_timeout_seconds: float = 1.0

        def __post_init__(self) -> None:
            limit = self.rule_timeout_seconds
            if not (math.isfinite(limit) and 0 < limit <= MAX_RULE_TIMEOUT_SECONDS):
                raise ValueError(
                    f"rule_timeout_seconds must be > 0 and <= {MAX_RULE_TIMEOUT_SECONDS:g}, "
                    f"got {limit}"
                )

    def __init__(self, options: Options) -> None:
        self.options = options
        paths: list[Path] = [default_rules_dir()] if options.default_rules else []
        paths += [Path(p) for p in options.rules_dirs]
        rules = select_rules(load_rules(paths), options.disable)
        self.engine = Engine(rules, processor=self.name, budget=options.rule_timeout_seconds)

    def process(self, doc: Document) -> Document | Drop:
        try:
            outcome = self.engine.apply(doc.text, document_host(doc.meta))
        except RuleTimeout as exc:
            return Drop(doc, self.name, RULE_TIMEOUT, str(exc))
        if not outcome.edits:
            return doc
        meta = doc.meta
        new_values = {k: v for k, v in outcome.meta.items() if k not in doc.meta}
        if new_values:
            meta = {**doc.meta, **new_values}
        return doc.evolve(text=outcome.text, meta=meta, edits=outcome.edits)
