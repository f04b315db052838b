"""Title, URL, date and author come from meta tags, JSON-LD and the markup; none is invented."""

from __future__ import annotations

from cleaner.html.metadata import read_metadata
from cleaner.html.parse import parse_html

HEAD = """<html><head>
<title>Harbour works approved | Example News</title>
<meta property="og:title" content="Harbour works approved">
<meta name="author" content="Jane Doe">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
<link rel="canonical" href="https://news.example.com/harbour">
</head><body><h1>Harbour works approved</h1><p>Text.</p></body></html>"""

JSON_LD = """<html><head><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Quotas cut again",
 "datePublished": "2023-11-19", "author": {"@type": "Person", "name": "Ann Example"}}
</script></head><body><p>Text.</p></body></html>"""


def test_meta_tags() -> None:
    assert read_metadata(parse_html(HEAD)) == {
        "title": "Harbour works approved",
        "url": "https://news.example.com/harbour",
        "date": "2024-03-05",
        "author": "Jane Doe",
    }


def test_a_known_url_wins_over_the_page() -> None:
    found = read_metadata(parse_html(HEAD), url="https://crawl.example.org/x")
    assert found["url"] == "https://crawl.example.org/x"


def test_json_ld() -> None:
    found = read_metadata(parse_html(JSON_LD))
    assert found["title"] == "Quotas cut again"
    assert found["author"] == "Ann Example"
    assert found["date"] == "2023-11-19"


def test_a_page_without_metadata_gives_only_what_it_has() -> None:
    found = read_metadata(parse_html("<html><body><h1>Only a heading</h1><p>x</p></body></html>"))
    assert found == {"title": "Only a heading"}


def test_a_far_future_date_is_still_accepted_so_runs_do_not_depend_on_the_clock() -> None:
    page = HEAD.replace("2024-03-05T10:00:00Z", "2090-01-02T00:00:00Z")
    assert read_metadata(parse_html(page))["date"] == "2090-01-02"
