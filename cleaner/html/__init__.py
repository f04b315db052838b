"""HTML pages -> article text: engines, page structure, metadata and limits.

The `html` processor (`cleaner.processors.html`) drives these modules; nothing here is a
processor itself, so each piece can be tested and measured alone:

- `parse`: text -> lxml tree, with every parser failure turned into one exception.
- `vocabulary`: what page chrome looks like (element names, class/id words), as data.
- `structure`: structure-aware removal on an lxml tree: navigation, lists and paragraphs made
  of links, article bodies split into several containers.
- `headline`: the headline and standfirst of a page, which belong in `meta`, not in the body.
- `trafilatura_engine`, `bs4_engine`: the two extractors, each returning text blocks and the
  removals it can account for (`extraction`).
- `leftover`: what an engine left out, named after the page structure it sat in (trace).
- `metadata`: title, URL, publication date and author.
- `limits`: a per-document time limit.
"""
