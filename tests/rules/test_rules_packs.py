"""The default rule packs shipped in `rules/`: where they are found, and that they are
conservative: content that merely shares words with a rule survives the whole set."""

from __future__ import annotations

from pathlib import Path

import pytest

import cleaner.rules.locate as locate
from cleaner.rules.engine import Engine
from cleaner.rules.loader import load_rules, read_packs
from cleaner.rules.locate import default_rules_dir
from cleaner.rules.model import AnyRule

REPO = Path(__file__).resolve().parents[2]
PACKS = {
    "bylines",
    "credits",
    "footers",
    "international",
    "related",
    "sites",
    "templates",
    "tweets",
    "widgets",
}


def default_rules() -> list[AnyRule]:
    return load_rules([default_rules_dir()])


def test_default_dir_in_a_checkout_is_the_repository_rules_dir() -> None:
    assert default_rules_dir().resolve() == (REPO / "rules").resolve()
    assert {p.stem for p in default_rules_dir().glob("*.toml")} >= PACKS


def test_installed_wheel_layout_is_preferred(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "_rules").mkdir()
    monkeypatch.setattr("importlib.resources.files", lambda package: tmp_path)
    assert locate.default_rules_dir() == tmp_path / "_rules"


def test_every_pack_has_a_name_description_and_rules() -> None:
    packs = read_packs([default_rules_dir()])
    assert {p.name for p in packs} == PACKS
    for p in packs:
        assert p.description.strip() and p.rules, p.path


def test_rule_ids_are_grouped_by_pack_family() -> None:
    families = {rule.id.split(".")[0] for rule in default_rules()}
    assert families == {
        "byline",
        "credit",
        "footer",
        "related",
        "site",
        "template",
        "tweet",
        "widget",
    }


def test_every_must_not_match_survives_the_whole_rule_set() -> None:
    """A must_not_match example is checked against its own rule by `check_rules`; here no other
    rule may remove it either, so the packs together do not over-clean."""
    rules = default_rules()
    engine = Engine(rules)
    for rule in rules:
        for text in rule.must_not_match:
            outcome = engine.apply(text, rule.domains[0] if rule.domains else None)
            assert outcome.edits == [], (rule.id, text, [e.rule for e in outcome.edits])


@pytest.mark.parametrize(
    "content",
    [
        "In a previous article, the paper argued that sanctions were failing.",
        "He said he had no time to read the report.",
        "Read more about the deal in our explainer, which was published on Monday.",
        "By the end of the day, Kyiv had received the first deliveries.",
        "Getty Images said it would appeal the ruling.",
        "Category 5 storms are rare in the region.",
        "Share prices fell sharply.",
        "Comments by the minister drew criticism in Kyiv.",
        "Photos by the hundreds were shared online.",
    ],
)
def test_content_sharing_words_with_rules_survives(content: str) -> None:
    text = f"Intro paragraph.\n\n{content}\n\nClosing paragraph."
    assert Engine(default_rules()).apply(text).text == text


def test_seeds_without_residue_are_untouched() -> None:
    engine = Engine(default_rules())
    for name in ("000_695957dce69e4db3.txt", "004_1783eee5701059e8.txt"):
        text = (REPO / "seeds" / name).read_text(encoding="utf-8")
        outcome = engine.apply(text)
        assert outcome.edits == [], name
        assert outcome.text == text
