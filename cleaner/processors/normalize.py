"""Normalise layout: line breaks, spaces, invisible characters, and markdown residue.

Scrapers that go through markdown leave its syntax in the text: `[link text](url)`,
`**bold**`, `\\$40`, `## Heading`, `---`. Other tools leave CRLF line ends, tabs, no-break
spaces, zero-width spaces and runs of blank lines. This processor reduces all of it to plain
text while keeping the line structure: one line in gives one line out (a heading marker or a
horizontal rule leaves a blank line behind), so the line-based boilerplate rules that run next
still see the article's lines, and the line numbers in the trace mean the same thing for every
processor. Only blank-line collapsing at the end changes the number of lines.

Families, each with its own switch in `Options`:

- `whitespace`: CRLF/CR/U+2028/U+2029/VT/FF become LF; tabs, no-break and other odd spaces
  become one space; runs of spaces collapse; leading and trailing spaces (markdown's two-space
  hard break included) go; more than `max_blank_lines` blank lines in a row collapse; blank
  lines at the start and the end go.
- `invisible_chars`: zero-width space/no-break space (U+200B, U+2060, U+FEFF), soft hyphen
  (U+00AD), C0/C1 control characters other than tab and LF. Zero-width (non-)joiners
  (U+200C, U+200D) go only where they join nothing: between two non-ASCII letters or symbols
  they are kept, because Persian and Indic spelling and emoji sequences (👩‍👩‍👧) need them.
- `markdown`: images `![alt](url)` go entirely; links `[text](url)`, `[text][ref]` (when `ref`
  is defined in the text) become their text; autolinks `<https://…>` become the URL; link
  definitions `[ref]: url` and horizontal rules (`---`, `***`, `___`) become blank lines;
  emphasis `**b**`, `__b__`, `*e*`, `_e_` becomes its text; backslash escapes (`\\$`, `\\*`)
  become the character.
- `headings`: `## Title` becomes `Title` ("#NATO" has no space and stays); a setext underline
  (`=====` or `-----` under a line of text) becomes a blank line.

Emphasis is stricter than CommonMark on purpose, because scraped text is mostly not markdown:
a delimiter must not touch a letter or digit on its outer side, so "snake_case_name",
"file_name.txt", "2*3*4", "f**k" and a footnote "May*" survive; `*` and `_` between spaces
("5 * 3") are never emphasis; `_` inside URLs and e-mail addresses is left alone. Inline code
spans and strikethrough are not touched.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass

from cleaner.document import Document, Drop, Edit
from cleaner.processors.base import ProcessorBase
from cleaner.processors.scan import CharScan
from cleaner.registry import register

#: The most `max_blank_lines` accepted: the count goes into a regex repeat, which has a limit.
MAX_BLANK_LINES = 1000

# --- whitespace --------------------------------------------------------------------------------

_LINE_BREAK = re.compile(r"\r\n?|[\x0b\x0c\u2028\u2029]")
_LINE_BREAK_HINT = re.compile(r"[\r\x0b\x0c\u2028\u2029]")  # one class: 5x faster to scan
# Horizontal whitespace other than the plain space: tab, no-break and typographic spaces.
_ODD_SPACES = "\t\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
_ODD_SPACE = re.compile(f"[{_ODD_SPACES}]")
# Leading or trailing runs (removed), and inner runs that are not a single plain space.
_SPACE_RUN = re.compile(
    f"(?m)^[ {_ODD_SPACES}]+|[ {_ODD_SPACES}]+$"
    f"|(?P<inner>[ ]*[{_ODD_SPACES}][ {_ODD_SPACES}]*|[ ]{{2,}})"
)

# --- invisible characters ----------------------------------------------------------------------

# Joiners are removed unless both neighbours are non-ASCII, non-space characters.
_JOINER_IDLE = r"(?<![^\x00-\x7f\s])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f\s])"
_INVISIBLE = re.compile(
    r"(?P<zero_width>[\u200b\u2060\ufeff]|" + _JOINER_IDLE + r")"
    r"|(?P<soft_hyphen>\xad)"
    r"|(?P<control>[\x00-\x08\x0e-\x1f\x7f-\x9f])"
)
_INVISIBLE_HINT = re.compile(r"[\u200b-\u200d\u2060\ufeff\xad\x00-\x08\x0e-\x1f\x7f-\x9f]")

# --- line-level markdown -------------------------------------------------------------------------

# Lines that may hold a heading, a rule, a setext underline or a link definition.
# A literal "\n" prefix lets `re` jump from line to line; the first line is checked apart.
_BLOCK_HINT = re.compile(r"\n[ ]{0,3}[-#*_=\[]")
_BLOCK_START = re.compile(r"[ ]{0,3}[-#*_=\[]")
_ATX_HEADING = re.compile(r"[ ]{0,3}#{1,6}(?:[ \t]+|$)(?P<content>.*?)(?:[ \t]+#+)?[ \t]*")
_RULE_LINE = re.compile(r"[ ]{0,3}(?P<char>[-*_=])[ \t]*(?:(?P=char)[ \t]*){2,}")
_LINK_TITLE = r"""(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\))"""
# `[label]: destination "title"`; the destination must look like a URL or a path, so that a
# footnote list ("[1]: Reuters") is not mistaken for link definitions.
_LINK_DEFINITION = re.compile(
    r"[ ]{0,3}\[(?P<label>[^\[\]\n]+)\]:[ \t]*"
    r"(?:<[^<>\n]*>|(?:[A-Za-z][A-Za-z0-9+.-]*:|/|#|\.{1,2}/|www\.)\S*)"
    r"(?:[ \t]+" + _LINK_TITLE + r")?[ \t]*"
)

# --- inline markdown ---------------------------------------------------------------------------

# A link destination: <anything>, or a URL that may hold balanced parentheses; then a title.
_DEST = (
    r"\([ \t]*(?:<[^<>\n]*>|[^\s()<>]*(?:\([^\s()]*\)[^\s()<>]*)*)"
    r"(?:[ \t]+" + _LINK_TITLE + r")?[ \t]*\)"
)
_BRACKETED = r"(?:[^\[\]\n]|\[[^\[\]\n]*\])*"  # link text: one level of nested brackets
_IMAGE = re.compile(r"(?<!\\)!\[[^\[\]\n]*\](?:" + _DEST + r"|\[[^\[\]\n]*\])")
_LINK = re.compile(
    r"(?<![\\!])\[(?P<text>" + _BRACKETED + r")\](?:" + _DEST + r"|\[(?P<ref>[^\[\]\n]*)\])"
)
_SHORTCUT_LINK = re.compile(r"(?<![\\!\]])\[(?P<text>[^\[\]\n]+)\](?![\[(:])")
_AUTOLINK = re.compile(
    r"<(?P<url>(?:https?|ftp)://[^\s<>]+|mailto:[^\s<>]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)>"
)
# Text in which `_` is not markdown: URLs and e-mail addresses (matched first, kept as is).
_KEEP = r"(?P<keep>(?:https?://|www\.)[^\s<>]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+)"
# `**strong**`: the opener may follow another `*` (for `***both***`) but not a word character;
# it must not be followed by a space or by `* ` (`*** Breaking ***` is decoration). The text
# inside never holds the delimiter pair itself, which keeps matching linear on any input.
_STRONG_STAR = re.compile(
    r"(?<![\w\\])\*\*(?!\s|\*\s|\*\*)(?P<inner>(?:[^*\n]|\*(?!\*))+?)(?<![\s\\])(?<!\s\*)\*\*(?!\w)"
)
_STRONG_UNDERSCORE = re.compile(
    _KEEP + r"|(?<![\w\\])__(?![\s_])(?P<inner>(?:[^_\n]|_(?!_))+?)(?<![\s\\_])__(?!\w)"
)
_EM_STAR = re.compile(r"(?<![\w\\*])\*(?![\s*])(?P<inner>[^*\n]+?)(?<![\s\\])\*(?![\w*])")
_EM_UNDERSCORE = re.compile(_KEEP + r"|(?<![\w\\])_(?![\s_])(?P<inner>[^_\n]+?)(?<![\s\\])_(?!\w)")
# CommonMark: any ASCII punctuation character may be backslash-escaped.
_ESCAPE = re.compile(r"\\(?P<char>[!-/:-@\[-`{-~])")
_INLINE_HINT = re.compile(r"[\[*_\\<]")

# Every character that some family above acts on, in one class: clean text needs one scan.
_ANY_HINT = re.compile(
    "["
    + _LINE_BREAK_HINT.pattern[1:-1]
    + _INVISIBLE_HINT.pattern[1:-1]
    + _ODD_SPACES
    + _INLINE_HINT.pattern[1:-1]
    + "]"
)
_ANY_SCAN = CharScan(_ANY_HINT)

_NEWLINE = re.compile("\n")


class _LineIndex:
    """Maps offsets in one text to 1-based line numbers; built only when first needed."""

    __slots__ = ("_newlines", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._newlines: list[int] | None = None

    def line(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in _NEWLINE.finditer(self._text)]
        return bisect_left(self._newlines, offset) + 1


@register
class Normalize(ProcessorBase):
    """Whitespace, invisible characters and markdown residue, line structure kept."""

    name = "normalize"

    @dataclass(frozen=True)
    class Options:
        whitespace: bool = True
        invisible_chars: bool = True
        markdown: bool = True
        headings: bool = True
        max_blank_lines: int = 1

        def __post_init__(self) -> None:
            if not 0 <= self.max_blank_lines <= MAX_BLANK_LINES:
                raise ValueError(
                    f"max_blank_lines must be >= 0 and <= {MAX_BLANK_LINES},"
                    f" got {self.max_blank_lines}"
                )

    options: Options

    def __init__(self, options: Options) -> None:
        self.options = options
        keep = options.max_blank_lines + 1  # newlines allowed in a row
        self._blank_run = re.compile(f"\n{{{keep + 1},}}")
        self._blank_keep = "\n" * keep

    def process(self, doc: Document) -> Document | Drop:
        opts = self.options
        text = doc.text
        edits: list[Edit] = []
        unusual = _ANY_SCAN.found_in(text)
        if opts.whitespace and unusual:
            text = self._line_breaks(text, edits)
        if opts.invisible_chars and unusual and _INVISIBLE_HINT.search(text):
            text = self._invisible(text, edits)
        labels: set[str] = set()
        if (opts.markdown or opts.headings) and (
            _BLOCK_START.match(text) or _BLOCK_HINT.search(text)
        ):
            text = self._blocks(text, edits, labels)
        if opts.markdown and unusual and _INLINE_HINT.search(text):
            text = self._inline(text, edits, labels)
        if opts.whitespace:
            text = self._spaces(text, edits, unusual)
            text = self._blank_lines(text, edits)
        if text == doc.text and not edits:
            return doc
        return doc.evolve(text=text, edits=edits)

    # -- whitespace ---------------------------------------------------------------------------

    def _line_breaks(self, text: str, edits: list[Edit]) -> str:
        if not _LINE_BREAK_HINT.search(text):
            return text
        new, count = _LINE_BREAK.subn("\n", text)
        if count:
            edits.append(self._summary("whitespace.line_breaks", f"{count} CR/CRLF/VT/FF/U+2028"))
        return new

    def _spaces(self, text: str, edits: list[Edit], unusual: bool) -> str:
        if not (
            (unusual and _ODD_SPACE.search(text))
            or "  " in text
            or " \n" in text
            or "\n " in text
            or text.startswith(" ")
            or text.endswith(" ")
        ):
            return text
        count = 0

        def fix(m: re.Match[str]) -> str:
            nonlocal count
            count += 1
            return "" if m.group("inner") is None else " "

        new = _SPACE_RUN.sub(fix, text)
        if count:
            desc = f"{count} runs of spaces, tabs or odd spaces (collapsed or trimmed)"
            edits.append(self._summary("whitespace.spaces", desc))
        return new

    def _blank_lines(self, text: str, edits: list[Edit]) -> str:
        removed = 0
        if "\n" * (self.options.max_blank_lines + 2) in text:
            keep = len(self._blank_keep)
            for m in self._blank_run.finditer(text):
                removed += len(m.group()) - keep
            text = self._blank_run.sub(self._blank_keep, text)
        if text.startswith("\n") or text.endswith("\n"):
            stripped = text.strip("\n")
            removed += len(text) - len(stripped)
            if text.endswith("\n"):
                removed -= 1  # the last line's own line break is not a blank line
            text = stripped
        if removed:
            edits.append(
                self._summary("whitespace.blank_lines", f"{removed} blank lines", "removed")
            )
        return text

    # -- invisible characters -------------------------------------------------------------------

    def _invisible(self, text: str, edits: list[Edit]) -> str:
        lines = _LineIndex(text)
        found: dict[tuple[str, int], list[str]] = {}
        for m in _INVISIBLE.finditer(text):
            rule = f"invisible.{m.lastgroup}"
            found.setdefault((rule, lines.line(m.start())), []).append(m.group())
        if not found:
            return text
        for (rule, line), chars in found.items():
            edits.append(Edit(self.name, rule, "removed", "".join(chars), line=line))
        return _INVISIBLE.sub("", text)

    # -- line-level markdown --------------------------------------------------------------------

    def _blocks(self, text: str, edits: list[Edit], labels: set[str]) -> str:
        """Headings, rules, setext underlines and link definitions: the line stays, blank."""
        opts = self.options
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if not line or line.lstrip(" ")[:1] not in ("-", "#", "*", "_", "=", "["):
                continue
            rule = ""
            new = line
            if opts.headings and (m := _ATX_HEADING.fullmatch(line)):
                rule, new = "markdown.heading", m.group("content")
            elif m := _RULE_LINE.fullmatch(line):
                under_text = i > 0 and lines[i - 1].strip() != ""
                if m.group("char") in "-=" and under_text:
                    if opts.headings:  # a setext underline: the line above is the heading
                        rule, new = "markdown.setext_underline", ""
                elif opts.markdown:
                    rule, new = "markdown.rule", ""
            elif opts.markdown and (m := _LINK_DEFINITION.fullmatch(line)):
                labels.add(m.group("label").strip().casefold())
                rule, new = "markdown.link_definition", ""
            if rule and new != line:
                action = "replaced" if new else "removed"
                edits.append(Edit(self.name, rule, action, line, replacement=new, line=i + 1))
                lines[i] = new
        return "\n".join(lines)

    # -- inline markdown ------------------------------------------------------------------------

    def _inline(self, text: str, edits: list[Edit], labels: set[str]) -> str:
        if "![" in text:
            text = self._pass(text, _IMAGE, "markdown.image", edits, lambda m: "")
        if "](" in text or "][" in text:

            def link(m: re.Match[str]) -> str | None:
                ref = m.group("ref")
                if ref is not None:
                    label = (ref or m.group("text")).strip().casefold()
                    if label not in labels:
                        return None
                return m.group("text")

            text = self._pass(text, _LINK, "markdown.link", edits, link)
        if labels and "[" in text:

            def shortcut(m: re.Match[str]) -> str | None:
                defined = m.group("text").strip().casefold() in labels
                return m.group("text") if defined else None

            text = self._pass(text, _SHORTCUT_LINK, "markdown.link", edits, shortcut)
        if "<" in text:
            text = self._pass(text, _AUTOLINK, "markdown.autolink", edits, lambda m: m["url"])
        if "**" in text:
            text = self._pass(text, _STRONG_STAR, "markdown.emphasis", edits, _inner)
        if "__" in text:
            text = self._pass(text, _STRONG_UNDERSCORE, "markdown.emphasis", edits, _inner)
        if "*" in text:
            text = self._pass(text, _EM_STAR, "markdown.emphasis", edits, _inner)
        if "_" in text:
            text = self._pass(text, _EM_UNDERSCORE, "markdown.emphasis", edits, _inner)
        if "\\" in text:
            text = self._escapes(text, edits)
        return text

    def _pass(
        self,
        text: str,
        pattern: re.Pattern[str],
        rule: str,
        edits: list[Edit],
        replace: Callable[[re.Match[str]], str | None],
    ) -> str:
        """Substitute every match of `pattern` by `replace(match)` (None: leave it), with an
        edit per changed span."""
        lines = _LineIndex(text)

        def fix(m: re.Match[str]) -> str:
            new = replace(m)
            old = m.group()
            if new is None or new == old:
                return old
            action = "replaced" if new else "removed"
            edits.append(
                Edit(self.name, rule, action, old, replacement=new, line=lines.line(m.start()))
            )
            return new

        return pattern.sub(fix, text)

    def _escapes(self, text: str, edits: list[Edit]) -> str:
        """Backslash escapes: aggregated to one edit per line, they are single characters."""
        lines = _LineIndex(text)
        found: dict[int, list[str]] = {}

        def fix(m: re.Match[str]) -> str:
            found.setdefault(lines.line(m.start()), []).append(m.group())
            return m.group("char")

        new = _ESCAPE.sub(fix, text)
        for line, escapes in found.items():
            edits.append(
                Edit(
                    self.name,
                    "markdown.escape",
                    "replaced",
                    " ".join(escapes),
                    replacement=" ".join(e[1] for e in escapes),
                    line=line,
                )
            )
        return new

    def _summary(self, rule: str, description: str, action: str = "replaced") -> Edit:
        """One edit that stands for many whitespace changes: their count, no line number."""
        return Edit(self.name, rule, action, description)


def _inner(m: re.Match[str]) -> str | None:
    """Emphasis: the text between the delimiters; URLs and e-mail addresses stay as they are."""
    if m.groupdict().get("keep") is not None:
        return None
    return m.group("inner")
