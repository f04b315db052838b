"""The `bs4` engine: BeautifulSoup (lxml parser) and structure rules, no statistical model.

A transparent alternative to trafilatura: every removal has a rule id that names the page
structure it came from. Steps, in order:

1. Drop what is never text (scripts, styles, embedded media: `vocabulary.NON_TEXT_TAGS`).
2. Drop page chrome: landmarks (`nav`, `header`, `footer`, `aside`, `form`, `figure`,
   `figcaption`, controls), hidden elements, and elements whose class or id marks sharing,
   related links, newsletters, comments, ads, cookie banners, tags, captions, bylines...
   (`vocabulary.class_rule`). Guards: an element that holds more than `GUARD_SHARE` of the
   page's paragraph text is the article's container, whatever its class says, and stays; so
   does an element whose own markup names it the article (`<main>`, the microformats'
   `hentry` and `entry-content`, WordPress's `type-post`, `itemprop="articleBody"`,
   `role="main"`), whose class words describe the post.
3. Drop lists and short paragraphs that are mostly links, containers of five or more links
   and no text block (tag clouds), and the element around `rel="tag"` links when it is
   mostly links (same rules and threshold as the trafilatura engine's
   `structure.prune_link_blocks`); teaser cards (a link wrapping blocks) and headings that
   are all link to another page; then short headings left with nothing under them.
4. Choose the article: the smallest element that still holds `MAIN_SHARE` of the text of the
   long paragraphs (`LONG_PARAGRAPH_CHARS`). Paragraphs are `<p>` elements, or on a page
   that writes most of its text elsewhere (`<div>`s or cells of text and `<br>`s), the
   inline text of each block. What precedes it up to two levels above (a lead, a recipe's
   ingredients) joins it when it is little text, few links and at least two prose lines or
   list items (`_intro_nodes`). Other text outside it is `html.not-main`.
5. Render headings, paragraphs, lists (one item per line, "- " marked), quotes, preformatted
   text and tables (cells joined by " | ", one row per line) as blocks; `<br>` is a line break.
   A table that holds paragraphs or other tables is page layout and is read as blocks.

F1 0.951 on the Zyte article benchmark and 0.907 on trafilatura-eval-dev (trafilatura 0.953
and 0.916, `get_text()` 0.67 and 0.69; bench/README.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bs4 import BeautifulSoup
from bs4.element import (
    Comment,
    Declaration,
    Doctype,
    NavigableString,
    PageElement,
    ProcessingInstruction,
    Tag,
)

from cleaner.html.extraction import EngineSettings, Extraction, Removal
from cleaner.html.structure import LINK_PARAGRAPH_MAX_WORDS, NESTED_LIST_LINK_DENSITY
from cleaner.html.text import collapse, word_count
from cleaner.html.vocabulary import LANDMARK_RULES, NON_TEXT_TAGS, class_rule, is_hidden

#: Paragraphs at least this long (characters) are the evidence for where the article is.
LONG_PARAGRAPH_CHARS = 80
#: The article container is the smallest element holding this share of long-paragraph text.
MAIN_SHARE = 0.8
#: An element holding more than this share of the long-paragraph text is never chrome.
GUARD_SHARE = 0.3
#: A heading left with nothing under it goes when it has at most this many words.
ORPHAN_HEADING_MAX_WORDS = 6
#: The intro before the article container is looked for this many levels above it,
INTRO_MAX_LEVELS = 2
#: while the text before it is at most this share of the container's text
INTRO_MAX_SHARE = 0.5
#: and at most this share of that text is link text.
INTRO_LINK_DENSITY = 0.2
#: An intro line is prose with this many words of letters (list items are kept whole),
INTRO_MIN_WORDS = 8
#: and an intro has at least this many lines.
INTRO_MIN_LINES = 2

_BLOCK_TAGS = frozenset(
    {
        "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "div", "section",
        "article", "main", "ul", "ol", "dl", "dd", "dt", "li", "table", "tr", "address",
        "center", "details", "summary", "hr", "body",
    }
)  # fmt: skip
_ARTICLE_TAGS = frozenset({"main"})
_ARTICLE_CLASSES = frozenset(
    {"hentry", "h-entry", "entry-content", "e-content", "type-post", "status-publish"}
)
# Blocks whose inline text makes a paragraph (lists and tables are made of their items).
_PARAGRAPH_BLOCKS = frozenset(
    {"p", "div", "section", "article", "main", "blockquote", "pre", "td", "th", "dd", "li",
     "center", "address"}
)  # fmt: skip
# A tag cloud or a row of links without list markup (as `structure.prune_link_blocks`).
_CLOUD_CONTAINERS = ["div", "section", "aside", "span"]
_CLOUD_BLOCKS = ["p", "div", "ul", "ol", "table", "section", "article"]
_CLOUD_LINKS = 5
# Blocks that make a link a teaser card; headings whose all-link text is a teaser title.
_TEASER_INSIDE = ["h1", "h2", "h3", "h4", "h5", "h6", "p", "div", "li"]
_TEASER_HEADINGS = ["h2", "h3", "h4", "h5", "h6"]
# Class words of a post's own chrome that the shared vocabulary does not name (its trace
# names them for the default engine too, where they would change nothing but the labels):
# WordPress's entry footers and meta lines, rating widgets, Popup Maker's pop-ups.
_ENTRY_CHROME = re.compile(
    r"(?:^|(?<=[\s_-]))(?:entry[-_]?(?:utility|meta|footer)|post[-_]?(?:ratings?|meta|metadata)"
    r"|postmetadata|pum|popmake)(?=[\s_-]|$)",
    re.IGNORECASE,
)
_SKIPPED_STRINGS = (Comment, Declaration, Doctype, ProcessingInstruction)
_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
# A word of an intro line: two or more letters between spaces, trailing punctuation allowed
# (a date, a time, a URL or "©" is not a word).
_INTRO_WORD = re.compile(r"(?<!\S)[^\W\d_]{2,}[.,:;!?)]*(?!\S)")
# A table holding any of these is page layout (old sites), read as blocks, not as rows.
_LAYOUT_INSIDE = ["p", "div", "table", "ul", "ol", "h1", "h2", "h3", "blockquote"]


def extract(html: str, settings: EngineSettings) -> Extraction:
    """Extract the article of the page `html`."""
    soup = BeautifulSoup(html, "lxml")
    for node in soup.find_all(string=lambda s: isinstance(s, _SKIPPED_STRINGS)):
        node.extract()
    for tag in soup.find_all(list(NON_TEXT_TAGS)):
        tag.decompose()
    body = soup.body
    if body is None:
        return Extraction(())
    removals = _remove_chrome(body)
    removals += _remove_link_blocks(body, settings.link_density)
    removals += _remove_teasers(body)
    removals += _remove_orphan_headings(body)
    main = _main_container(body)
    intro_nodes = _intro_nodes(main, body)
    intro, left_out = _intro_blocks(intro_nodes, settings.include_tables)
    if not intro:
        intro_nodes = []
    if settings.trace_removed:
        removals += _outside(main, body, kept=intro_nodes)
        removals += [Removal("html.not-main", line) for line in left_out if intro]
    renderer = _Renderer(include_tables=settings.include_tables)
    renderer.render(main)
    return Extraction((*intro, *renderer.blocks), tuple(removals))


# -- removal ------------------------------------------------------------------------------------


def _text(tag: Tag) -> str:
    return collapse(tag.get_text(" "))


def _long_paragraph_weights(body: Tag) -> dict[int, int]:
    """id(element) -> characters of long paragraphs inside it (body included).

    Paragraphs are `<p>` elements; on a page that writes less than half of its text in them
    (blogs and older sites: `<div>`s or cells of text and `<br>`s), the inline text of every
    block counts as a paragraph instead (`_inline_blocks`).
    """
    paragraphs = [(p, len(_text(p))) for p in body.find_all("p")]
    long_p = [(p, size) for p, size in paragraphs if size >= LONG_PARAGRAPH_CHARS]
    inline = [(b, size) for b, size in _inline_blocks(body) if size >= LONG_PARAGRAPH_CHARS]
    if 2 * sum(size for _, size in long_p) < sum(size for _, size in inline):
        long_p = inline
    weights: dict[int, int] = {}
    for paragraph, size in long_p:
        weights[id(paragraph)] = weights.get(id(paragraph), 0) + size
        for ancestor in paragraph.parents:
            weights[id(ancestor)] = weights.get(id(ancestor), 0) + size
            if ancestor is body:
                break
    return weights


def _inline_blocks(body: Tag) -> list[tuple[Tag, int]]:
    """Each block below `body` with the characters of its inline text (the strings that no
    nested block holds), in document order."""
    own: dict[int, int] = {}
    blocks: dict[int, Tag] = {}
    for string in body.find_all(string=True):
        if isinstance(string, _SKIPPED_STRINGS):
            continue
        size = len(collapse(str(string)))
        block = string.parent
        while block is not None and block is not body and block.name not in _PARAGRAPH_BLOCKS:
            block = block.parent
        if not size or block is None or block is body:
            continue
        own[id(block)] = own.get(id(block), 0) + size
        blocks[id(block)] = block
    return [(blocks[key], size) for key, size in own.items()]


def _chrome_rule(tag: Tag) -> str | None:
    landmark = LANDMARK_RULES.get(tag.name)
    if landmark is not None:
        return landmark
    attrs = {key: " ".join(v) if isinstance(v, list) else str(v) for key, v in tag.attrs.items()}
    if is_hidden(attrs):
        return "html.hidden"
    if _marks_article(tag.name, attrs):
        return None
    rule = class_rule(attrs.get("class"), attrs.get("id"))
    if rule is None and _ENTRY_CHROME.search(f"{attrs.get('class', '')} {attrs.get('id', '')}"):
        return "html.class:entry-meta"
    return rule


def _marks_article(name: str, attrs: dict[str, str]) -> bool:
    """True for an element whose own markup says it is the article (`<main>`,
    `itemprop="articleBody"`, `role="main"`, the microformats' `hentry`/`entry-content`,
    WordPress's `type-post`/`status-publish`): its class words describe the post, not page
    chrome (WordPress gives every post `tag-<slug>` and `category-<slug>` classes, which
    would read as a tag list). `<article>` alone is not enough: news sites mark their
    teaser cards with it (on Zyte, exempting it cost 0.002)."""
    if name in _ARTICLE_TAGS or attrs.get("itemprop") == "articleBody":
        return True
    if attrs.get("role") in ("main", "article"):
        return True
    return not _ARTICLE_CLASSES.isdisjoint((attrs.get("class") or "").split())


def _remove_chrome(body: Tag) -> list[Removal]:
    weights = _long_paragraph_weights(body)
    limit = GUARD_SHARE * weights.get(id(body), 0)
    removals: list[Removal] = []
    for tag in body.find_all(True):
        if tag.decomposed:
            continue  # inside an element removed a moment ago
        rule = _chrome_rule(tag)
        if rule is None or weights.get(id(tag), 0) > limit:
            continue
        text = _text(tag)
        tag.decompose()
        if text:
            removals.append(Removal(rule, text))
    return removals


def _link_density(tag: Tag) -> float:
    total = len(_text(tag))
    if not total:
        return 0.0
    return min(1.0, sum(len(_text(link)) for link in tag.find_all("a")) / total)


def _remove_link_blocks(body: Tag, density: float) -> list[Removal]:
    if density <= 0:
        return []
    removals: list[Removal] = []
    for tag in body.find_all(["ul", "ol"]):
        if tag.decomposed or tag.find("a") is None:
            continue
        nested = tag.find(["ul", "ol"]) is not None
        threshold = min(density, NESTED_LIST_LINK_DENSITY) if nested else density
        if _link_density(tag) >= threshold:
            text = _text(tag)
            tag.decompose()
            removals.append(Removal("html.link-list", text))
    for tag in body.find_all("p"):
        if tag.decomposed or tag.find("a") is None:
            continue
        text = _text(tag)
        if word_count(text) <= LINK_PARAGRAPH_MAX_WORDS and _link_density(tag) >= density:
            tag.decompose()
            removals.append(Removal("html.link-paragraph", text))
    for tag in body.find_all(_CLOUD_CONTAINERS):
        # The link count first: bs4's `decomposed` searches the element's whole subtree (it
        # falls back to `find`), quadratic over deeply nested pages.
        if len(tag.find_all("a", recursive=False)) < _CLOUD_LINKS or tag.decomposed:
            continue
        if tag.find(_CLOUD_BLOCKS, recursive=False) is None and _link_density(tag) >= density:
            text = _text(tag)
            tag.decompose()
            removals.append(Removal("html.link-list", text))
    for link in body.find_all("a", rel="tag"):
        parent = link.parent
        if link.decomposed or parent is None or parent is body or parent.decomposed:
            continue
        if _link_density(parent) >= density:
            text = _text(parent)
            parent.decompose()
            removals.append(Removal("html.tags", text))
    return removals


def _remove_teasers(body: Tag) -> list[Removal]:
    """Teaser cards and teaser titles: a link that wraps blocks (a card whose heading or
    summary sits inside the `<a>`), and a heading whose text is all links to another page
    (the title of a related post, "Dans la même rubrique"). An article's own text is never
    inside a link; its headings are not links."""
    removals: list[Removal] = []
    for link in body.find_all("a"):
        if link.decomposed or link.find(_TEASER_INSIDE) is None:
            continue
        text = _text(link)
        link.decompose()
        if text:
            removals.append(Removal("html.teaser", text))
    for heading in body.find_all(_TEASER_HEADINGS):
        if heading.decomposed:
            continue
        links = heading.find_all("a")
        text = _text(heading)
        if not links or not text or any(_is_anchor(link) for link in links):
            continue
        if sum(len(_text(link)) for link in links) >= len(text):
            heading.decompose()
            removals.append(Removal("html.teaser", text))
    return removals


def _is_anchor(link: Tag) -> bool:
    """True for a link to nowhere or to a place on the same page (`#...`)."""
    href = link.get("href")
    return not isinstance(href, str) or not href.strip() or href.strip().startswith("#")


def _rank(heading: Tag) -> int:
    return int(heading.name[1])


def _remove_orphan_headings(body: Tag) -> list[Removal]:
    """Short headings with nothing under them: the next text after the heading is another
    heading of the same or a higher rank, or the end of the page. What they titled ("Mehr
    zum Thema", "Das könnte Sie auch interessieren") was removed a moment ago as a link list
    or teaser; a subsection heading (a lower rank follows) and long headings stay."""
    doomed: list[Tag] = []
    for heading in body.find_all(_HEADINGS):
        if heading.find(_HEADINGS) is not None or _first_text(heading.descendants) is None:
            continue  # an empty heading, or one around another (its inner one is weighed)
        last: PageElement = heading
        while isinstance(last, Tag) and last.contents:
            last = last.contents[-1]
        following = _first_text(last.next_elements)
        owner = following.find_parent(_HEADINGS) if following is not None else None
        if following is not None and (owner is None or _rank(owner) > _rank(heading)):
            continue  # text or a subsection follows
        doomed.append(heading)
    removals: list[Removal] = []
    for heading in doomed:
        if heading.decomposed:
            continue  # inside a heading removed a moment ago
        text = _text(heading)
        if word_count(text) > ORPHAN_HEADING_MAX_WORDS:
            continue
        heading.decompose()
        removals.append(Removal("html.orphan-heading", text))
    return removals


def _first_text(elements: Iterator[PageElement]) -> NavigableString | None:
    """The first string with text among `elements` (comments and the like are not text)."""
    texts = (e for e in elements if isinstance(e, NavigableString) and e.strip())
    return next((e for e in texts if not isinstance(e, _SKIPPED_STRINGS)), None)


def _main_container(body: Tag) -> Tag:
    """The smallest element holding `MAIN_SHARE` of the long-paragraph text (else body)."""
    weights = _long_paragraph_weights(body)
    total = weights.get(id(body), 0)
    current = body
    while total:
        inner = next(
            (
                child
                for child in current.find_all(True, recursive=False)
                if weights.get(id(child), 0) >= MAIN_SHARE * total
            ),
            None,
        )
        if inner is None or inner.name == "p":
            break
        current = inner
    return current


def _intro_nodes(main: Tag, body: Tag) -> list[PageElement]:
    """What precedes `main` inside its ancestors up to `INTRO_MAX_LEVELS` above it, in
    document order: where a page puts the standfirst, the lead paragraph or a recipe's
    ingredients, beside the container of the long paragraphs. Climbing stops at the first
    level whose preceding text is more than `INTRO_MAX_SHARE` of `main`'s, or more than
    `INTRO_LINK_DENSITY` link text (navigation, teasers)."""
    nodes: list[PageElement] = []
    size = len(_text(main))
    current = main
    for _ in range(INTRO_MAX_LEVELS):
        parent = current.parent
        if parent is None or parent is body or current is body:
            break
        before = list(current.previous_siblings)
        chars = sum(len(_node_text(node)) for node in before)
        links = sum(
            len(_text(link)) for node in before if isinstance(node, Tag) for link in node("a")
        )
        if chars > INTRO_MAX_SHARE * size or links > INTRO_LINK_DENSITY * max(chars, 1):
            break
        nodes[:0] = reversed(before)
        current = parent
    return nodes


def _intro_blocks(nodes: list[PageElement], include_tables: bool) -> tuple[list[str], list[str]]:
    """The intro's text blocks (prose lines of `INTRO_MIN_WORDS` words or more, and list
    items), and the lines left out (datelines, labels, credits, "Breaking News"). An intro
    of fewer than `INTRO_MIN_LINES` such lines is none: a lone standfirst line is left out
    (the Zyte benchmark counts it as not article text)."""
    renderer = _Renderer(include_tables=include_tables)
    renderer.render_nodes(nodes)
    blocks: list[str] = []
    left_out: list[str] = []
    for block in renderer.blocks:
        kept: list[str] = []
        for line in block.split("\n"):
            prose = len(_INTRO_WORD.findall(line)) >= INTRO_MIN_WORDS
            (kept if prose or line.startswith("- ") else left_out).append(line)
        if kept:
            blocks.append("\n".join(kept))
    if sum(block.count("\n") + 1 for block in blocks) < INTRO_MIN_LINES:
        return [], left_out
    return blocks, left_out


def _node_text(node: PageElement) -> str:
    return _text(node) if isinstance(node, Tag) else collapse(str(node))


def _outside(main: Tag, body: Tag, kept: list[PageElement]) -> list[Removal]:
    """The text of the page outside `main` and the `kept` intro, one removal per element."""
    removals: list[Removal] = []
    node = main
    kept_ids = {id(element) for element in kept}
    while node is not body and node.parent is not None:
        for sibling in node.parent.children:
            if sibling is node or id(sibling) in kept_ids:
                continue
            text = collapse(sibling.get_text(" ") if isinstance(sibling, Tag) else str(sibling))
            if text:
                removals.append(Removal("html.not-main", text))
        node = node.parent
    return removals


# -- rendering ----------------------------------------------------------------------------------


class _Renderer:
    """Turns an element into text blocks: block elements start a new block, `<br>` a line."""

    def __init__(self, *, include_tables: bool) -> None:
        self.include_tables = include_tables
        self.blocks: list[str] = []
        self._lines: list[str] = []
        self._line: list[str] = []

    def render(self, root: Tag) -> None:
        self._walk(root)
        self._end_block()

    def render_nodes(self, nodes: list[PageElement]) -> None:
        """Render a run of sibling nodes (elements and strings) as `render` renders one."""
        for node in nodes:
            if isinstance(node, Tag):
                self._element(node)
            elif isinstance(node, NavigableString):
                self._line.append(str(node))
        self._end_block()

    def _walk(self, tag: Tag) -> None:
        for child in tag.children:
            if isinstance(child, NavigableString):
                self._line.append(str(child))
            elif isinstance(child, Tag):
                self._element(child)

    def _element(self, tag: Tag) -> None:
        if tag.name == "br":
            self._end_line()
        elif tag.name in ("ul", "ol"):
            self._end_block()
            self._add_block([f"- {text}" for item in _items(tag) if (text := _text(item))])
        elif tag.name == "table" and tag.find(_LAYOUT_INSIDE) is None:
            self._end_block()
            if self.include_tables:
                self._add_block(list(_rows(tag)))
        elif tag.name == "pre":
            self._end_block()
            self._add_block([line.rstrip() for line in tag.get_text().strip("\n").split("\n")])
        elif tag.name in _BLOCK_TAGS:
            self._end_block()
            self._walk(tag)
            self._end_block()
        else:
            self._walk(tag)

    def _end_line(self) -> None:
        line = collapse("".join(self._line))
        self._line = []
        if line:
            self._lines.append(line)

    def _end_block(self) -> None:
        self._end_line()
        self._add_block(self._lines)
        self._lines = []

    def _add_block(self, lines: list[str]) -> None:
        text = "\n".join(line for line in lines if line.strip())
        if text:
            self.blocks.append(text)


def _items(tag: Tag) -> list[Tag]:
    """The list's items: its `<li>` children, or every `<li>` inside when markup wraps them."""
    return tag.find_all("li", recursive=False) or tag.find_all("li")


def _rows(table: Tag) -> Iterator[str]:
    for row in table.find_all("tr"):
        cells = [_text(cell) for cell in row.find_all(["td", "th"], recursive=False)]
        line = " | ".join(cell for cell in cells if cell)
        if line:
            yield line
