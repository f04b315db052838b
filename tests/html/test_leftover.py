"""What an engine left out is named after the structure around it."""

from __future__ import annotations

from cleaner.html.leftover import NOT_MAIN, left_out
from cleaner.html.parse import parse_html

PAGE = """<html><body>
<div id="main"><p>The article text that was kept.</p><p>Kept too, twice over.</p></div>
<footer><p>Copyright line</p></footer>
<div class="related-links"><ul><li>Other story</li></ul></div>
<div class="box"><p>Unclassified leftover</p></div>
</body></html>"""


def test_removed_blocks_get_the_nearest_structure_rule() -> None:
    root = parse_html(PAGE)
    kept = ["The article text that was kept.", "Kept too, twice over."]
    removals = [(r.rule, r.text) for r in left_out(root, kept)]
    assert removals == [
        ("html.footer", "Copyright line"),
        ("html.class:related", "Other story"),
        (NOT_MAIN, "Unclassified leftover"),
    ]


def test_kept_text_is_matched_as_whole_words_across_joined_blocks() -> None:
    root = parse_html("<body><p>Kept</p><p>too, twice</p><p>twice over</p></body>")
    assert left_out(root, ["kept too twice over"]) == []
    # "kept" inside "unkept" is not the block "Kept"
    [removal] = left_out(parse_html("<body><p>Kept</p></body>"), ["unkept"])
    assert removal.text == "Kept"


def test_only_innermost_blocks_count_whatever_the_nesting() -> None:
    root = parse_html(
        "<body><div class='box'><ul><li><p>Inner one</p></li><li>Leaf item</li></ul>"
        "<blockquote><p>Quoted</p></blockquote><p>Last</p></div></body>"
    )
    assert [r.text for r in left_out(root, [])] == ["Inner one", "Leaf item", "Quoted", "Last"]
