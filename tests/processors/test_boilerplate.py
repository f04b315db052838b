"""The `boilerplate` processor on the seed articles, its options, and its trace."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from cleaner.document import Document, Edit
from cleaner.errors import ConfigError, RuleError
from cleaner.processors.boilerplate import Boilerplate
from cleaner.registry import make_options

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed(name: str) -> str:
    return (SEEDS / name).read_text(encoding="utf-8")


def replace_once(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def cut_after(text: str, last: str) -> str:
    assert text.count(last) == 1, last
    return text[: text.index(last) + len(last)]


@pytest.fixture(scope="module")
def processor() -> Boilerplate:
    return Boilerplate(Boilerplate.Options())


def test_seed_002_loses_summary_widgets_and_prev_next_links(processor: Boilerplate) -> None:
    original = seed("002_6d780ac8c6a5b1ba.txt")
    expected = replace_once(
        original,
        "Peace Talks\n\nNo time to read?\nGet a summary\n\nUkraine, United States",
        "Peace Talks\n\nUkraine, United States",
    )
    expected = cut_after(expected, "supported by allied assessments.")

    result = processor.process(Document(id="002", text=original))

    assert result.text == expected
    assert [(e.rule, e.action, e.line, e.text) for e in result.trace] == [
        ("widget.summary-prompt", "removed", 3, "No time to read?"),
        ("widget.summary-prompt", "removed", 4, "Get a summary"),
        ("widget.summary-prompt", "removed", 20, "No time to read?"),
        ("widget.summary-prompt", "removed", 21, "Get a summary"),
        ("related.prev-next", "removed", 22, "Previous Article"),
        (
            "related.prev-next",
            "removed",
            24,
            "Sweden: Roller coaster derailment at Gröna Lund causes fatalities and injuries",
        ),
        ("related.prev-next", "removed", 26, "Next Article"),
        (
            "related.prev-next",
            "removed",
            28,
            "Wagner Crisis and Rising Tensions in Russia: Key Events and Aftermath",
        ),
    ]
    assert all(e.processor == "boilerplate" for e in result.trace)
    assert result.meta == {}


def test_seed_003_loses_template_credits_tweet_residue_and_moves_metadata(
    processor: Boilerplate,
) -> None:
    original = seed("003_8861b159ce7b2961.txt")
    expected = replace_once(
        original, "Cede Territory'\n\n### Description\n\nTop US", "Cede Territory'\n\nTop US"
    )
    expected = replace_once(
        expected,
        '"mutual interest".\n\n\n\n*Image: AP/Sputnik*\n\nEarlier',
        '"mutual interest".\n\nEarlier',
    )
    expected = replace_once(
        expected,
        "he said.  \n[pic.twitter.com/IYKRO8toUn](https://pic.twitter.com/IYKRO8toUn)\n\n"
        "— Teri Schultz (@terischultz) [May 19, 2022](#)\n\nUS officials",
        "he said.  \n\nUS officials",
    )
    expected = cut_after(expected, "as well as rail and transport infrastructure.")

    result = processor.process(Document(id="003", text=original))

    assert result.text == expected
    # the tweet's quoted text and the NATO question stay
    assert "“It’s my hope we will be one step closer to a diplomatic solution,” he said." in (
        result.text
    )
    assert "I asked [#NATO](#)’s top military commander" in result.text
    assert result.meta == {
        "byline": "Tyler Durden",
        "categories": [
            "Army-Wars-Conflict Zones-Military Tech.",
            "Main",
            "Politics-Geopolitics-Gov.-Events",
        ],
        "date_created": "05/22/2022",
    }
    assert [(e.rule, e.action, e.meta_key, e.line) for e in result.trace] == [
        ("template.description-label", "removed", "", 7),
        ("credit.caption-label", "removed", "", 15),
        ("tweet.pic-link", "removed", "", 38),
        ("tweet.attribution", "removed", "", 40),
        ("byline.by-line", "moved", "byline", 46),
        ("template.categories", "removed", "", 48),
        ("template.categories", "moved", "categories", 50),
        ("template.categories", "moved", "categories", 51),
        ("template.categories", "moved", "categories", 52),
        ("template.date-created", "removed", "", 54),
        ("template.date-created", "moved", "date_created", 56),
    ]


def test_seed_001_trailing_source_attribution_moves_to_meta(processor: Boilerplate) -> None:
    original = seed("001_e73f7cd13f6fd96e.txt")
    result = processor.process(Document(id="001", text=original))
    suffix = " (Source attribution: United States Department of State press service)"
    assert original.endswith(suffix)
    assert result.text == original[: -len(suffix)]
    assert result.meta == {"source_attribution": "United States Department of State press service"}
    (edit,) = result.trace
    assert (edit.rule, edit.action, edit.meta_key, edit.line) == (
        "footer.source-attribution",
        "moved",
        "source_attribution",
        5,
    )
    assert edit.text == suffix.strip()


@pytest.mark.parametrize("name", ["000_695957dce69e4db3.txt", "004_1783eee5701059e8.txt"])
def test_clean_seeds_are_returned_unchanged(processor: Boilerplate, name: str) -> None:
    doc = Document(id=name, text=seed(name), meta={"url": "https://example.com/a"})
    assert processor.process(doc) is doc


def test_existing_meta_is_not_overwritten(processor: Boilerplate) -> None:
    doc = Document(id="d", text="Story.\n\nby Tyler Durden", meta={"byline": "From the feed"})
    result = processor.process(doc)
    assert result.text == "Story."
    assert result.meta == {"byline": "From the feed"}
    assert result.trace[0].action == "moved"


def test_trace_is_appended_to_earlier_edits(processor: Boilerplate) -> None:
    earlier = Edit(processor="normalize", rule="whitespace", action="replaced", text="\t")
    doc = Document(id="d", text="Body.\nAdvertisement\nMore.", trace=(earlier,))
    result = processor.process(doc)
    assert result.text == "Body.\nMore."
    assert result.trace[0] is earlier
    assert [(e.processor, e.rule, e.line) for e in result.trace[1:]] == [
        ("boilerplate", "widget.advertisement", 2)
    ]


def test_disable_switches_off_a_family(processor: Boilerplate) -> None:
    text = seed("003_8861b159ce7b2961.txt")
    no_tweets = Boilerplate(Boilerplate.Options(disable=("tweet",)))
    result = no_tweets.process(Document(id="003", text=text))
    assert "— Teri Schultz (@terischultz) [May 19, 2022](#)" in result.text
    assert "pic.twitter.com/IYKRO8toUn" in result.text
    assert not any(e.rule.startswith("tweet.") for e in result.trace)
    assert "by Tyler Durden" not in result.text  # other families still run


def test_disable_unknown_rule_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="'tweets' matches no rule id"):
        Boilerplate(Boilerplate.Options(disable=("tweets",)))


def write_site_pack(directory: Path) -> Path:
    path = directory / "site.toml"
    path.write_text(
        """pack = "site"
description = "one site's own labels"

[[rule]]
id = "site.teaser"
kind = "phrase"
why = "the site's newsletter teaser"
domains = ["example.com"]
phrases = ["Get the Morning Brief"]
must_match = ["Get the Morning Brief"]
must_not_match = ["Get the Morning Brief team on the phone, she said."]
""",
        encoding="utf-8",
    )
    return path


def test_extra_rules_dir_with_domain_scope(tmp_path: Path) -> None:
    write_site_pack(tmp_path)
    proc = Boilerplate(Boilerplate.Options(rules_dirs=(str(tmp_path),)))
    text = "Body.\n\nGet the Morning Brief\n\nMore."
    on_site = Document(id="a", text=text, meta={"url": "https://news.example.com/a"})
    elsewhere = Document(id="b", text=text, meta={"url": "https://example.org/b"})
    assert proc.process(on_site).text == "Body.\n\nMore."
    assert proc.process(on_site).trace[0].rule == "site.teaser"
    assert proc.process(elsewhere).text == text
    by_domain = Document(id="c", text=text, meta={"domain": "example.com"})
    assert proc.process(by_domain).text == "Body.\n\nMore."


def test_without_default_rules_only_extra_rules_run(tmp_path: Path) -> None:
    pack = write_site_pack(tmp_path)
    proc = Boilerplate(Boilerplate.Options(default_rules=False, rules_dirs=(str(pack),)))
    assert [r.id for r in proc.engine.rules] == ["site.teaser"]
    doc = Document(id="a", text="No time to read?\nBody.")
    assert proc.process(doc) is doc


def test_bad_rule_file_raises_one_line_rule_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        'pack = "x"\ndescription = "x"\n[[rule]]\nid = "x.bad"\nkind = "regex"\nwhy = "x"\n'
        "pattern = '(['\nmust_match = ['a']\nmust_not_match = ['b']\n",
        encoding="utf-8",
    )
    with pytest.raises(RuleError) as info:
        Boilerplate(Boilerplate.Options(rules_dirs=(str(bad),)))
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{bad}: rule 'x.bad': bad regex in 'pattern'")


def test_processor_pickles(processor: Boilerplate) -> None:
    copy = pickle.loads(pickle.dumps(processor))
    text = seed("002_6d780ac8c6a5b1ba.txt")
    assert (
        copy.process(Document(id="x", text=text)).text
        == processor.process(Document(id="x", text=text)).text
    )
    assert copy.options == processor.options


def test_options_from_config_tables() -> None:
    options = make_options(
        Boilerplate.Options,
        {"rules_dirs": ["a", "b"], "disable": ["widget"], "default_rules": False},
        where="[boilerplate]",
    )
    assert options == Boilerplate.Options(
        rules_dirs=("a", "b"), default_rules=False, disable=("widget",)
    )
    with pytest.raises(ConfigError, match="unknown parameter 'rules'"):
        make_options(Boilerplate.Options, {"rules": []}, where="[boilerplate]")


def test_name_and_repr(processor: Boilerplate) -> None:
    assert Boilerplate.name == "boilerplate"
    assert repr(processor).startswith("Boilerplate(Boilerplate.Options(")
