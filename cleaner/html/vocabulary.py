"""What page chrome looks like, as data: element names and class/id words, each with a rule id.

Both engines and the trace use this vocabulary. The bs4 engine removes what it names (with a
guard: never an element that holds much of the page's paragraph text, since some sites give
their article container a class like "post-author-content"); the trafilatura engine only uses
it to name, in the trace, the structure around the text trafilatura left out.

Class and id attributes are matched word by word, case-insensitively, where words are
separated by spaces, "-" and "_": "social-share-bar" holds "share", "ArticleComments" does
not hold "comments" (one word) but "article-comments" does. Some words take any suffix
("newsletter-signup", "sharebar"); "commentary" (an opinion column) is not "comments".
"""

from __future__ import annotations

import re
from collections.abc import Mapping

#: Elements whose content is never article text; removed without a trace entry.
NON_TEXT_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "svg", "iframe", "object", "embed",
        "canvas", "video", "audio", "map", "head", "link", "meta",
    }
)  # fmt: skip

#: Page landmarks and controls: element name -> rule id.
LANDMARK_RULES: Mapping[str, str] = {
    "nav": "html.nav",
    "menu": "html.nav",
    "header": "html.header",
    "footer": "html.footer",
    "aside": "html.aside",
    "form": "html.form",
    "button": "html.form",
    "select": "html.form",
    "textarea": "html.form",
    "label": "html.form",
    "input": "html.form",
    "figure": "html.figure",
    "figcaption": "html.figure",
    "dialog": "html.dialog",
}

# Category -> words. A word is a regex fragment matched as a whole word of a class or id. The
# first category that matches names the rule, so the generic ones ("banner" is an ad) come last.
_CATEGORY_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("share", (r"share\w*", r"sharing", r"social\w*", r"sociable", r"addthis\w*")),
    (
        "related",
        (
            r"related\w*",
            r"recommend\w*",
            r"more-?(?:stories|news|articles|links|from)",
            r"read-?(?:more|next|also)",
            r"also-?read",
            r"most-?(?:read|popular|viewed|shared)",
            r"popular\w*",
            r"trending\w*",
            r"outbrain\w*",
            r"taboola\w*",
            r"(?:next|prev|previous)-?(?:article|post|story)s?",
        ),
    ),
    ("newsletter", (r"newsletter\w*", r"subscri\w*", r"sign-?up", r"opt-?in")),
    ("comments", (r"comments?", r"comment-\w+", r"disqus\w*", r"respond", r"repl(?:y|ies)")),
    ("cookie", (r"cookie\w*", r"consent\w*", r"gdpr\w*")),
    ("tags", (r"tags?", r"tag-?(?:list|cloud|links)", r"keywords?")),
    ("caption", (r"caption\w*", r"wp-caption\w*", r"credits?", r"(?:image|photo|img)-?credits?")),
    ("breadcrumb", (r"breadcrumbs?",)),
    ("byline", (r"byline\w*", r"author\w*")),
    ("navigation", (r"nav", r"navbar\w*", r"navigation\w*", r"menu\w*", r"skip-?links?")),
    ("widget", (r"sidebar\w*", r"widget\w*", r"toolbar\w*", r"modal\w*", r"popup\w*")),
    (
        "ads",
        (
            r"ads?",
            r"advert\w*",
            r"ad-?(?:slot|unit|container|wrapper|banner|box|zone)s?",
            r"dfp\w*",
            r"sponsor\w*",
            r"promo\w*",
            r"banner\w*",
            r"paid-?content",
        ),
    ),
)

_BOUNDARY_BEFORE = r"(?:^|(?<=[\s_-]))"
_BOUNDARY_AFTER = r"(?=[\s_-]|$)"


def _category_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    # "-" in a word also accepts "_" ("read_more"), "-?" also no separator ("readmore").
    alternation = "|".join(
        word.replace("-?", "\0").replace("-", "[-_]").replace("\0", "[-_]?") for word in words
    )
    return re.compile(f"{_BOUNDARY_BEFORE}(?:{alternation}){_BOUNDARY_AFTER}")


_CATEGORIES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, _category_pattern(words)) for name, words in _CATEGORY_WORDS
)
_ANY_CATEGORY = _category_pattern(tuple(word for _, words in _CATEGORY_WORDS for word in words))
_HIDDEN_STYLE = re.compile(r"display:none|visibility:hidden")


def class_rule(class_attr: str | None, id_attr: str | None) -> str | None:
    """`html.class:<category>` when the class or id marks page chrome, else None."""
    if not class_attr and not id_attr:
        return None
    words = f"{class_attr or ''} {id_attr or ''}".lower()
    if _ANY_CATEGORY.search(words) is None:
        return None
    for name, pattern in _CATEGORIES:
        if pattern.search(words):
            return f"html.class:{name}"
    return None  # pragma: no cover - the combined pattern matched, so one category does


def is_hidden(attributes: Mapping[str, str]) -> bool:
    """True for elements a browser does not show: `hidden`, `aria-hidden`, `display:none`."""
    if "hidden" in attributes or attributes.get("aria-hidden", "").lower() == "true":
        return True
    style = attributes.get("style") or ""
    return bool(style) and _HIDDEN_STYLE.search(style.replace(" ", "").lower()) is not None
