"""The "plain form" of a line: what a reader sees, with markdown and invisible noise removed.

Rules match against this form so that one rule covers `*Image: AP*`, `**Image:** AP` and
`[Image: AP](https://...)` alike. The engine never writes the plain form back: it only decides
which ORIGINAL lines (or spans) go, so kept text stays byte-for-byte as it was.
"""

from __future__ import annotations

import re

# Zero-width characters and the soft hyphen: invisible, but they break equality and regexes.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
# [text](url) and ![alt](url) keep only their visible text.
_LINK = re.compile(r"!?\[([^\]\n]*)\]\([^)\n]*\)")
# Leading blockquote markers and an ATX heading marker ("### Category"); "#NATO" is a hashtag,
# not a heading, because a heading marker is followed by whitespace.
_LEAD = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}(?=\s|$))?")
# Emphasis: any unescaped run of "*"; "_" only at a word edge, so snake_case survives.
_STARS = re.compile(r"(?<!\\)\*+")
_UNDERSCORES = re.compile(r"(?<![\w\\])_+|(?<!\\)_+(?!\w)")
# Markdown backslash escapes of ASCII punctuation ("\$40" -> "$40").
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Everything that is not a letter or digit at either end of a phrase ("No time to read?").
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
# A list marker at the start of an item line: "1. Main", "2) x", "- x", "• x".
_LIST_MARKER = re.compile(r"^(?:[-+•–—]|\d{1,3}[.)])\s+")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
# What ends a sentence, looked at after closing quotes and brackets are stripped.
_SENTENCE_END = ".!?:;"
_CLOSERS = "\"'”’»)]"


def plain_line(line: str) -> str:
    """Reduce one line to its visible words, single-spaced, without markdown decoration."""
    # Each step is guarded by a cheap test: most lines need none of them.
    s = line if line.isascii() else _INVISIBLE.sub("", line)
    if "](" in s:
        s = _LINK.sub(r"\1", s)
    if s[:1] in ("#", ">", " ", "\t"):
        s = _LEAD.sub("", s, count=1)
    if "*" in s:
        s = _STARS.sub("", s) if "\\*" in s else s.replace("*", "")
    if "_" in s:
        s = _UNDERSCORES.sub("", s)
    if "\\" in s:
        s = _ESCAPE.sub(r"\1", s)
    return " ".join(s.split())


def phrase_key(plain: str) -> str:
    """The key a phrase rule compares: case-folded, without punctuation at either end."""
    return _EDGES.sub("", plain).casefold()


def word_count(plain: str) -> int:
    """Words in an already whitespace-collapsed plain line."""
    return plain.count(" ") + 1 if plain else 0


def strip_list_marker(plain: str) -> str:
    """`1. Main` -> `Main`: the item itself, as stored in meta lists."""
    return _LIST_MARKER.sub("", plain, count=1)


def is_heading(line: str) -> bool:
    """True for a markdown ATX heading line (`### Tags`)."""
    return _HEADING.match(line) is not None


def ends_sentence(plain: str) -> bool:
    """True if the line ends like a sentence (`.`, `!`, `?`, `:`, `;`), quotes aside."""
    core = plain.rstrip(_CLOSERS)
    return bool(core) and core[-1] in _SENTENCE_END
