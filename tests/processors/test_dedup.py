from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import pytest

from cleaner.document import Document, Drop
from cleaner.errors import CleanerError, ConfigError
from cleaner.pipeline import Pipeline
from cleaner.processors.dedup import Dedup
from cleaner.registry import build_processor

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def _seed_texts() -> list[str]:
    return [p.read_text("utf-8") for p in sorted(SEEDS.glob("*.txt"))]


def _docs() -> list[Document]:
    texts = _seed_texts()
    docs = [Document(f"seed{i}", t) for i, t in enumerate(texts)]
    docs.append(Document("copy0", texts[0]))
    docs.append(Document("excerpt2", texts[2][: len(texts[2]) * 2 // 3]))
    docs.append(Document("shouty1", texts[1].upper()))
    return docs


def _meta(results: list[Document | Drop]) -> dict[str, object]:
    return {
        (r.document if isinstance(r, Drop) else r).id: (
            r.document if isinstance(r, Drop) else r
        ).meta.get("dup")
        for r in results
    }


def test_flags_copies_and_marks_representatives() -> None:
    dup = _meta(list(Pipeline(["dedup"]).run(_docs())))
    # Identical texts: the smaller id represents, whatever the input order.
    assert dup["copy0"] == {"kind": "representative", "cluster": "copy0", "copies": 1}
    assert dup["seed0"] == {
        "kind": "normalized",
        "of": "copy0",
        "cluster": "copy0",
        "similarity": 1.0,
        "containment": 1.0,
    }
    excerpt = dup["excerpt2"]
    assert isinstance(excerpt, dict)
    assert excerpt["kind"] == "excerpt" and excerpt["of"] == "seed2"
    assert excerpt["containment"] >= 0.8 > excerpt["similarity"]
    # Case differences are normalised away: the upper-cased copy has the same normalised text
    # (which of the two represents is decided by a hash of their texts: here the shouty one).
    seed1 = dup["seed1"]
    assert isinstance(seed1, dict) and seed1["kind"] == "normalized" and seed1["of"] == "shouty1"
    # The two different stories on the same topic stay apart.
    assert dup["seed3"] is None and dup["seed4"] is None


def test_drop_policy_rejects_copies_naming_the_representative() -> None:
    results = list(Pipeline([("dedup", {"policy": "drop"})]).run(_docs()))
    drops = [r for r in results if isinstance(r, Drop)]
    assert sorted(d.document.id for d in drops) == ["excerpt2", "seed0", "seed1"]
    assert all(d.label == "dedup.duplicate" for d in drops)
    assert "duplicate of copy0" in next(d.detail for d in drops if d.document.id == "seed0")
    assert len(results) == len(_docs())


def test_prefer_longest_makes_the_full_article_the_representative() -> None:
    texts = _seed_texts()
    docs = [Document("short", texts[2][: len(texts[2]) // 2]), Document("full", texts[2])]
    earliest = _meta(list(Pipeline([("dedup", {"prefer": "earliest"})]).run(docs)))
    longest = _meta(list(Pipeline([("dedup", {"prefer": "longest"})]).run(docs)))
    source = _meta(list(Pipeline(["dedup"]).run(docs)))
    assert isinstance(earliest["full"], dict) and earliest["full"]["of"] == "short"
    assert isinstance(longest["short"], dict) and longest["short"]["of"] == "full"
    # The default: the full article contains the short one, so it is the source.
    assert isinstance(source["short"], dict) and source["short"]["of"] == "full"


def test_earliest_published_date_is_the_source() -> None:
    """A date in meta comes before containment: the short version published first is the
    source of the full one, also under `prefer = "earliest"` in any input order."""
    texts = _seed_texts()
    short = Document("short", texts[2][: len(texts[2]) // 2], meta={"date": "2024-03-01"})
    full = Document("full", texts[2], meta={"published": "2024-03-02T08:00:00Z"})
    for prefer in ("source", "earliest"):
        for docs in ([short, full], [full, short]):
            dup = _meta(list(Pipeline([("dedup", {"prefer": prefer})]).run(docs)))
            assert isinstance(dup["full"], dict) and dup["full"]["of"] == "short", prefer
            assert dup["full"]["kind"] == "expanded"
    # A date under a key that is not read does not count.
    only_other = {"date_fields": ["updated"]}
    dup = _meta(list(Pipeline([("dedup", only_other)]).run([short, full])))
    assert isinstance(dup["short"], dict) and dup["short"]["of"] == "full"


def test_results_are_deterministic_and_in_input_order() -> None:
    first = list(Pipeline(["normalize", "dedup"]).run(_docs()))
    second = list(Pipeline(["normalize", "dedup"]).run(_docs()))
    assert first == second
    assert [r.id for r in first if isinstance(r, Document)] == [d.id for d in _docs()]


def test_drops_before_the_barrier_pass_through() -> None:
    pipeline = Pipeline([("filters", {"min_words": 400}), "dedup"])
    results = list(pipeline.run(_docs()))
    assert len(results) == len(_docs())
    assert any(isinstance(r, Drop) and r.label == "filters.too_short" for r in results)


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="threshold"):
        build_processor("dedup", {"threshold": 1.5})
    with pytest.raises(ConfigError, match="unknown parameter"):
        build_processor("dedup", {"treshold": 0.5})


def test_process_alone_is_refused_but_pipeline_process_works() -> None:
    with pytest.raises(CleanerError, match="whole input"):
        Dedup(Dedup.Options()).process(Document("a", "text"))
    result = Pipeline(["dedup"]).process(Document("a", "some text here"))
    assert isinstance(result, Document) and "dup" not in result.meta


def test_rewrite_mode_flags_a_spun_copy_and_can_be_switched_off() -> None:
    case = Path(__file__).resolve().parents[2] / "fixtures" / "dedup_seed000_spun"
    docs = [Document(p.stem, p.read_text("utf-8")) for p in sorted(case.glob("*.txt"))]
    on = _meta(list(Pipeline(["normalize", "dedup"]).run(docs)))
    spun = on["b"]
    assert isinstance(spun, dict) and spun["kind"] == "rewrite" and spun["of"] == "a"
    assert spun["aligned"] >= 0.6 > spun["similarity"]
    assert isinstance(spun["aligned_sentences"], int) and spun["aligned_sentences"] >= 3
    off = _meta(list(Pipeline(["normalize", ("dedup", {"rewrite": False})]).run(docs)))
    assert off["b"] is None


@pytest.mark.parametrize("policy", ["flag", "drop"])
def test_verdicts_cut_per_range_decide_as_apply_does(policy: str) -> None:
    """`DedupRun.verdicts` detaches a range's decisions: pickled and applied elsewhere, range
    by range, they give exactly what `apply` gives in one pass."""
    docs = _docs()
    positions = [2 * i for i in range(len(docs))]  # gaps, as when other stages dropped some
    dedup = build_processor("dedup", {"policy": policy})
    assert isinstance(dedup, Dedup)
    run = dedup.start()
    for position, doc in zip(positions, docs, strict=True):
        run.observe(position, doc)
    run.finish()
    expected = [run.apply(p, d) for p, d in zip(positions, docs, strict=True)]

    got: list[Document | Drop] = []
    for start, stop in ((0, 5), (5, 9), (9, 10), (10, None)):
        verdicts = pickle.loads(pickle.dumps(run.verdicts(start, stop)))
        for position, doc in zip(positions, docs, strict=True):
            if position >= start and (stop is None or position < stop):
                got.append(verdicts.apply(position, doc))
    assert got == expected
    assert any(isinstance(r, Drop) for r in got) == (policy == "drop")


def test_verdicts_refuse_a_position_out_of_order_or_before_finish() -> None:
    dedup = build_processor("dedup", {})
    assert isinstance(dedup, Dedup)
    run = dedup.start()
    docs = _docs()
    for position, doc in enumerate(docs):
        run.observe(position, doc)
    with pytest.raises(CleanerError, match="before finish"):
        run.verdicts(0, None)
    run.finish()
    verdicts = run.verdicts(2, 4)
    assert len(verdicts.positions) == 2
    with pytest.raises(CleanerError, match="position 3 was not observed"):
        verdicts.apply(3, docs[3])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"seed": -1}, r"\[dedup\] seed: expected a number in \[0, 4294967295\], got -1"),
        ({"seed": 2**80}, r"\[dedup\] seed: expected a number in \[0, 4294967295\]"),
        ({"batch_size": 0}, r"\[dedup\] batch_size: expected a number in \[1, 1000000\]"),
        ({"threshold": float("nan")}, r"\[dedup\] threshold: expected a finite number"),
    ],
)
def test_options_built_in_code_are_checked_like_config(
    options: dict[str, Any], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        Dedup(Dedup.Options(**options))


def test_unreachable_lsh_recall_is_refused_when_the_processor_is_built() -> None:
    """Not later, in the map workers that sketch: the bands are chosen at construction."""
    with pytest.raises(ConfigError, match="cannot reach"):
        build_processor("dedup", {"threshold": 0.00390625})
