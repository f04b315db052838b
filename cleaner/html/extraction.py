"""What an engine returns: the article's text blocks and what it removed, with rule ids.

Rule ids name the structure a removal came from, so that `cleaner explain` can answer "why did
this vanish?": `html.nav`, `html.figure`, `html.class:related` (an element whose class or id
marks related links), `html.link-list` (a list made of links), `html.headline`,
`html.not-main` (outside the part of the page the engine chose as the article), ...
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Removal:
    """One piece of the page left out of the text, and the rule that left it out."""

    rule: str
    text: str


@dataclass(frozen=True, slots=True)
class Extraction:
    """Text blocks in reading order (a list is one block, one item per line) and removals."""

    blocks: tuple[str, ...]
    removals: tuple[Removal, ...] = ()


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """The knobs the engines share; `cleaner.processors.html.Html.Options` documents them."""

    include_tables: bool = True
    favor_precision: bool = False
    favor_recall: bool = False
    fast: bool = True
    link_density: float = 0.8
    trace_removed: bool = True
