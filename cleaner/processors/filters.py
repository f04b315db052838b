"""Drop decisions from length and from the annotations earlier processors wrote.

Processors before this one annotate (`language` writes `meta["lang"]` and
`meta["lang_score"]`); this one decides, so a user who wants "flag, don't delete" simply
leaves it out of the chain or keeps its defaults, which drop nothing a reader would call text.

Blank documents pass untouched: rejecting them is the pipeline's `drop_empty` policy, whose
reject label ("pipeline.empty") says what happened better than "too_short" would.

Every drop carries a machine reason and a human detail:
  - "too_short": "12 words < min_words 50", "80 chars < min_chars 200";
  - "too_long": "120000 chars > max_chars 100000";
  - "language": "lang=de not in ['en']", or "lang=unknown (not identified)";
  - "language_score": "lang_score=0.52 < min_lang_score 0.9".

Words are runs of letters or digits, joined by apostrophes or hyphens ("it's", "x-ray"); each
Chinese or Japanese ideograph or kana counts as one word, since those scripts do not separate
words with spaces (Korean does).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cleaner.document import Document, Drop
from cleaner.processors.base import ProcessorBase
from cleaner.registry import register

# A word: letters/digits, joined by apostrophes or hyphens ("it's", "state-of-the-art").
_WORD = re.compile(r"[^\W_]\w*(?:['’-]\w+)*")
# Han ideographs, kana, and CJK compatibility ideographs: one character is one word.
_CJK_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_CHAR = re.compile(f"[{_CJK_CHARS}]")
_CJK_RUN = re.compile(f"[{_CJK_CHARS}]+")
# Labels that mean "no language identified", whoever wrote them.
_UNKNOWN_LABELS = frozenset({"", "unknown", "und", "unk"})


def count_words(text: str, limit: int = 0) -> int:
    """Words as above; a run of CJK characters counts one word per character.

    With `limit`, counting may stop once `limit` words are found (the result is then >= limit,
    and exact below it): a minimum-length check needs no more, and is then O(limit).
    """
    if not text.isascii() and _CJK_CHAR.search(text):
        runs = _CJK_RUN.findall(text)
        return len(_WORD.findall(text)) + sum(len(run) for run in runs) - len(runs)
    if not limit:
        return len(_WORD.findall(text))
    words = 0
    for _ in _WORD.finditer(text):
        words += 1
        if words >= limit:
            break
    return words


def is_unknown_language(meta: Mapping[str, Any]) -> bool:
    """No usable language annotation: missing, an "unknown" label, or a score of exactly 0.

    The `language` processor marks text it could not identify with score 0.0 whatever its
    `unknown` label is; a real detection always scores above langdetect's 0.1 threshold.
    """
    lang = meta.get("lang")
    if not isinstance(lang, str) or lang.strip().casefold() in _UNKNOWN_LABELS:
        return True
    score = meta.get("lang_score")
    return isinstance(score, (int, float)) and score == 0


@register
class Filters(ProcessorBase):
    """Keep or drop a document by length, language and language score (0 / empty = off)."""

    name = "filters"

    @dataclass(frozen=True)
    class Options:
        """Each option is described in `[filters]` of default.toml. `min_words` is 1: a text
        with no word at all (symbols, emoji) is no document, in the library as in the CLI."""

        min_chars: int = 0
        min_words: int = 1
        max_chars: int = 0
        languages: tuple[str, ...] = ()
        min_lang_score: float = 0.0
        keep_unknown_language: bool = True

        def __post_init__(self) -> None:
            for key in ("min_chars", "min_words", "max_chars"):
                if getattr(self, key) < 0:
                    raise ValueError(f"{key} must be >= 0 (0 = off), got {getattr(self, key)}")
            if not 0.0 <= self.min_lang_score <= 1.0:
                raise ValueError(f"min_lang_score must be in [0, 1], got {self.min_lang_score}")

    options: Options

    def __init__(self, options: Options) -> None:
        self.options = options
        self._languages = frozenset(lang.strip().casefold() for lang in options.languages)

    def process(self, doc: Document) -> Document | Drop:
        if not doc.text.strip():
            return doc  # blank: the pipeline's `drop_empty` policy decides ("pipeline.empty")
        return self._length(doc) or self._language(doc) or doc

    def _length(self, doc: Document) -> Drop | None:
        opts = self.options
        chars = len(doc.text)
        if opts.min_chars and chars < opts.min_chars:
            return self._drop(doc, "too_short", f"{chars} chars < min_chars {opts.min_chars}")
        if opts.max_chars and chars > opts.max_chars:
            return self._drop(doc, "too_long", f"{chars} chars > max_chars {opts.max_chars}")
        if opts.min_words:
            words = count_words(doc.text, limit=opts.min_words)
            if words < opts.min_words:
                detail = f"{words} words < min_words {opts.min_words}"
                return self._drop(doc, "too_short", detail)
        return None

    def _language(self, doc: Document) -> Drop | None:
        opts = self.options
        if is_unknown_language(doc.meta):
            if opts.keep_unknown_language:
                return None
            lang = doc.meta.get("lang") or "none"
            return self._drop(doc, "language", f"lang={lang} (not identified)")
        lang = str(doc.meta["lang"])
        if self._languages and not self._allowed(lang):
            detail = f"lang={lang} not in {list(opts.languages)}"
            return self._drop(doc, "language", detail)
        score = doc.meta.get("lang_score")
        if opts.min_lang_score and isinstance(score, (int, float)) and score < opts.min_lang_score:
            detail = f"lang_score={score} < min_lang_score {opts.min_lang_score}"
            return self._drop(doc, "language_score", detail)
        return None

    def _allowed(self, lang: str) -> bool:
        """ "zh" in `languages` admits "zh-cn" and "zh-tw"; "zh-tw" admits only itself."""
        code = lang.strip().casefold()
        return code in self._languages or code.split("-", 1)[0] in self._languages

    def _drop(self, doc: Document, reason: str, detail: str) -> Drop:
        return Drop(doc, self.name, reason, detail)
