"""Encoding repair: mojibake, HTML entities, Unicode normalisation (ftfy does the work).

Scraped text often went through a wrong decode somewhere upstream ("CafÃ©", "â€œquotedâ€\x9d"),
still carries HTML entities ("AT&amp;T"), or mixes composed and decomposed accents. ftfy repairs
all of that and explains each repair; this processor decides *when* to call it and records
ftfy's explanation in the trace.

Three choices differ from calling `ftfy.fix_text` with its defaults:

- HTML entities are unescaped here, exactly once, before ftfy runs with its own unescaping
  off. ftfy's fixer loops until the text stops changing, so "&amp;amp;" would end as "&".
  With `unescape_html = "auto"` entities are left alone when an HTML parser produced the text
  (`meta["extracted_from_html"]`): the parser already unescaped them, and a literal "&amp;"
  it produced is content.
- Line breaks are left to `normalize`, so the line numbers in this trace and the next one
  refer to the same lines. ftfy works line by line, like `ftfy.fix_text` does, so one bad
  line never decides how another is decoded.
- Full-width characters are kept by default (`fix_character_width = false`): ftfy would turn
  Chinese "，" and "：" into ASCII punctuation, which damages CJK text.

Speed: most documents need no repair, and ftfy's own mojibake test costs ~0.3 µs per character.
Before calling ftfy on a line we check, with a few precompiled character-class regexes, for the
characters that some enabled fixer could change (see `has_mojibake_clue` for why the mojibake
part of that check never misses what ftfy would fix), and `unicodedata.is_normalized` for
normalisation. Clean 2 KB articles then cost ~0.03 ms.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import ftfy
from ftfy.badness import is_bad
from ftfy.chardata import CONTROL_CHARS, HTML_ENTITY_RE, LIGATURES, WIDTH_MAP
from ftfy.fixes import unescape_html

from cleaner.document import Document, Drop, Edit
from cleaner.processors.base import ProcessorBase
from cleaner.processors.scan import CharScan
from cleaner.registry import register

# Longest context kept on each side of a changed span in a trace excerpt.
_EXCERPT_CONTEXT = 12
# Longest changed span shown in full in a trace excerpt.
_EXCERPT_MAX = 120


# Why skipping text without these clues never skips mojibake: every alternative of ftfy's
# `BADNESS_RE` (ftfy 6.x), the test behind `ftfy.badness.is_bad`, is one of
#   - a C1 control character (U+0080..U+009F);
#   - a sequence in which two non-ASCII characters are adjacent (nearly all of them);
#   - "Œ"/"œ" followed by a character that is not an ASCII letter;
#   - "Ã"/"Â" followed by an ASCII space (the `restore_byte_a0` cases).
# If none of these occurs, `is_bad` is false and ftfy's `fix_encoding` returns the text
# unchanged. Typical clean text ("naïve", "€5", “quotes”, "it’s") has isolated non-ASCII
# characters and passes the check in a few µs. Each clue is its own simple regex: one
# alternation of all of them is ten times slower in `re`. tests/processors/test_encoding.py
# checks the claim against `is_bad` on generated text.
_C1_CONTROL = re.compile(r"[\x80-\x9f]")
_ADJACENT_NON_ASCII = re.compile(r"[^\x00-\x7f]{2}")
_LEAD_HINT = re.compile(r"[ŒœÃÂ]")
_LEAD_CLUE = re.compile(r"[Œœ][^A-Za-z]|[ÃÂ] ")


def has_mojibake_clue(text: str) -> bool:
    """True when ftfy's mojibake detector might fire on `text` (false: it certainly won't)."""
    if text.isascii():
        return False
    if _C1_CONTROL.search(text) or _ADJACENT_NON_ASCII.search(text):
        return True
    return bool(_LEAD_HINT.search(text) and _LEAD_CLUE.search(text))


def _char_class(codepoints: Sequence[int]) -> str:
    """A regex character class matching exactly `codepoints` (escaped, as ranges)."""
    points = sorted(set(codepoints))
    parts: list[str] = []
    i = 0
    while i < len(points):
        j = i
        while j + 1 < len(points) and points[j + 1] == points[j] + 1:
            j += 1
        lo, hi = re.escape(chr(points[i])), re.escape(chr(points[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]"


def _excerpt(before: str, after: str) -> tuple[str, str]:
    """The changed span of a line, before and after, with a little context on each side."""
    start = 0
    limit = min(len(before), len(after))
    while start < limit and before[start] == after[start]:
        start += 1
    end_b, end_a = len(before), len(after)
    while end_b > start and end_a > start and before[end_b - 1] == after[end_a - 1]:
        end_b -= 1
        end_a -= 1
    lo = max(0, start - _EXCERPT_CONTEXT)
    old = before[lo : min(len(before), end_b + _EXCERPT_CONTEXT)]
    new = after[lo : min(len(after), end_a + _EXCERPT_CONTEXT)]
    if len(old) > _EXCERPT_MAX:
        old = old[:_EXCERPT_MAX] + "…"
    if len(new) > _EXCERPT_MAX:
        new = new[:_EXCERPT_MAX] + "…"
    return old, new


@register
class Encoding(ProcessorBase):
    """Repair mojibake and entities, remove invisible control codes, normalise Unicode."""

    name = "encoding"

    @dataclass(frozen=True)
    class Options:
        fix_mojibake: bool = True
        unescape_html: Literal["auto", "always", "never"] = "auto"
        normalization: Literal["NFC", "NFKC", "none"] = "NFC"
        fix_latin_ligatures: bool = True
        fix_character_width: bool = False
        uncurl_quotes: bool = False
        remove_control_chars: bool = True

    options: Options

    def __init__(self, options: Options) -> None:
        self.options = options
        self._config = ftfy.TextFixerConfig(
            unescape_html=False,
            fix_encoding=options.fix_mojibake,
            fix_c1_controls=options.fix_mojibake,
            fix_latin_ligatures=options.fix_latin_ligatures,
            fix_character_width=options.fix_character_width,
            uncurl_quotes=options.uncurl_quotes,
            fix_line_breaks=False,
            fix_surrogates=True,
            remove_terminal_escapes=options.remove_control_chars,
            remove_control_chars=options.remove_control_chars,
            normalization=None if options.normalization == "none" else options.normalization,
            explain=True,
        )
        self._normal_form: Literal["NFC", "NFKC"] | None = (
            None if options.normalization == "none" else options.normalization
        )
        self._single = CharScan(re.compile(self._single_char_pattern(options)))

    @staticmethod
    def _single_char_pattern(options: Options) -> str:
        """One class of the characters that some enabled non-mojibake fixer would change."""
        single: list[int] = list(range(0xD800, 0xE000))  # lone surrogates (fix_surrogates)
        if options.fix_mojibake:
            single += list(range(0x80, 0xA0))  # C1 controls (fix_c1_controls)
        if options.remove_control_chars:
            single += [*CONTROL_CHARS, 0x1B]  # 0x1B starts terminal escapes
        if options.fix_latin_ligatures:
            single += list(LIGATURES)
        if options.fix_character_width:
            single += list(WIDTH_MAP)
        if options.uncurl_quotes:
            single += [0x2BC, *range(0x2018, 0x2020)]
        return _char_class(single)

    def _needs_fix(self, text: str, *, exact: bool = False) -> bool:
        """False only when ftfy, as configured, would certainly leave `text` unchanged.

        With `exact`, a mojibake clue is confirmed with ftfy's own test (`is_bad`) before ftfy
        runs: that is done per line, where it costs less than a needless ftfy pass.
        """
        if self._single.found_in(text):
            return True
        if self.options.fix_mojibake and has_mojibake_clue(text) and (not exact or is_bad(text)):
            return True
        form = self._normal_form
        return form is not None and not unicodedata.is_normalized(form, text)

    # -- public -------------------------------------------------------------------------------

    def process(self, doc: Document) -> Document | Drop:
        text = doc.text
        edits: list[Edit] = []
        if self._should_unescape(doc) and "&" in text and HTML_ENTITY_RE.search(text):
            text = self._unescape(text, edits)
        if self._needs_fix(text):
            text = self._fix_lines(text, edits)
        if not edits:
            return doc
        return doc.evolve(text=text, edits=edits)

    # -- steps --------------------------------------------------------------------------------

    def _should_unescape(self, doc: Document) -> bool:
        mode = self.options.unescape_html
        if mode == "auto":
            return not doc.meta.get("extracted_from_html")
        return mode == "always"

    def _unescape(self, text: str, edits: list[Edit]) -> str:
        """Decode entities once (ftfy's careful decoder: only `&name;` forms it knows)."""
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if "&" not in line:
                continue
            fixed = unescape_html(line)
            if fixed != line:
                old, new = _excerpt(line, fixed)
                edits.append(self._edit("ftfy.unescape_html", old, new, i + 1))
                lines[i] = fixed
        return "\n".join(lines)

    def _fix_lines(self, text: str, edits: list[Edit]) -> str:
        """Run ftfy on the lines that need it, one line at a time."""
        lines = text.split("\n")
        changed = False
        for i, line in enumerate(lines):
            if not self._needs_fix(line, exact=True):
                continue
            fixed, steps = ftfy.fix_and_explain(line, self._config)
            if fixed == line:
                continue
            edits.extend(self._explain(line, fixed, steps or [], i + 1))
            lines[i] = fixed
            changed = True
        return "\n".join(lines) if changed else text

    def _explain(
        self, line: str, fixed: str, steps: Sequence[tuple[str, str]], lineno: int
    ) -> list[Edit]:
        """Replay ftfy's plan step by step so each rule gets its own before/after excerpt.

        Consecutive steps of the same rule (text that was encoded wrongly twice) become one
        edit. If the replay ever disagrees with ftfy's result, one `ftfy.fix_text` edit with the
        whole change is recorded instead: the trace must never describe a text we did not emit.
        """
        groups: list[tuple[str, str, str]] = []  # (rule, before, after)
        current = line
        i = 0
        try:
            while i < len(steps):
                action, param = steps[i]
                if action == "encode":
                    j = i
                    while j < len(steps) and steps[j][0] != "decode":
                        j += 1
                    unit = list(steps[i : j + 1])
                    after = ftfy.apply_plan(current, unit)
                    rule = "ftfy.fix_encoding"
                    i = j + 1
                elif action == "normalize":
                    after = unicodedata.normalize(param, current)  # type: ignore[arg-type]
                    rule = f"ftfy.normalize_{param.lower()}"
                    i += 1
                else:
                    after = ftfy.apply_plan(current, [(action, param)])
                    rule = f"ftfy.{param}"
                    i += 1
                if groups and groups[-1][0] == rule:
                    groups[-1] = (rule, groups[-1][1], after)
                else:
                    groups.append((rule, current, after))
                current = after
        except (ValueError, LookupError, UnicodeError):
            current = ""
        if current != fixed:
            groups = [("ftfy.fix_text", line, fixed)]
        edits = []
        for rule, before, after in groups:
            if before != after:
                old, new = _excerpt(before, after)
                edits.append(self._edit(rule, old, new, lineno))
        return edits

    def _edit(self, rule: str, old: str, new: str, lineno: int) -> Edit:
        action = "replaced" if new else "removed"
        return Edit(self.name, rule, action, old, replacement=new, line=lineno)
