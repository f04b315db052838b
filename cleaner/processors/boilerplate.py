"""The `boilerplate` processor: strip widget text, related-article links, credits, tweet
embeds, template labels and footers, using the rule packs in `rules/*.toml`.

All knowledge of what is boilerplate lives in the rule files (each rule says why, and carries
examples that must and must not match); this module only loads them once and applies them.
Values a rule moves instead of deleting (byline, categories, date created, source attribution)
go to `meta`, without overwriting values the input record already had.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from cleaner.document import Document
from cleaner.processors.base import ProcessorBase
from cleaner.registry import register
from cleaner.rules.engine import Engine
from cleaner.rules.loader import load_rules, select_rules
from cleaner.rules.locate import default_rules_dir
from cleaner.rules.scope import document_host


@register
class Boilerplate(ProcessorBase):
    """Remove boilerplate lines and spans matched by rule packs; record each removal."""

    name: ClassVar[str] = "boilerplate"

    @dataclass(frozen=True)
    class Options:
        """`rules_dirs`: extra rule directories or .toml files, loaded after the defaults.
        `default_rules`: load the packaged packs. `disable`: rule ids or id prefixes
        ("widget", "credit.getty") to switch off."""

        rules_dirs: tuple[str, ...] = ()
        default_rules: bool = True
        disable: tuple[str, ...] = ()

    def __init__(self, options: Options) -> None:
        self.options = options
        paths: list[Path] = [default_rules_dir()] if options.default_rules else []
        paths += [Path(p) for p in options.rules_dirs]
        rules = select_rules(load_rules(paths), options.disable)
        self.engine = Engine(rules, processor=self.name)

    def process(self, doc: Document) -> Document:
        outcome = self.engine.apply(doc.text, document_host(doc.meta))
        if not outcome.edits:
            return doc
        meta = doc.meta
        new_values = {k: v for k, v in outcome.meta.items() if k not in doc.meta}
        if new_values:
            meta = {**doc.meta, **new_values}
        return doc.evolve(text=outcome.text, meta=meta, edits=outcome.edits)
