"""Directory output paths from untrusted ids: bounded depth and length, never a collision."""

from __future__ import annotations

from pathlib import Path

from cleaner.io.layout import MAX_DEPTH, MAX_PATH_BYTES, Layout, safe_parts


def _size(path: str) -> int:
    return len(path.encode("utf-8"))


def test_an_id_with_1500_components_is_folded_to_the_depth_bound() -> None:
    parts = safe_parts("/".join(["d"] * 1500))
    assert len(parts) == MAX_DEPTH
    assert parts[:-1] == ["d"] * (MAX_DEPTH - 1)
    assert parts[-1].startswith("d_d_d") and parts[-1].endswith(".txt") and "~" in parts[-1]


def test_a_5000_character_id_is_folded_to_the_length_bound() -> None:
    path = Layout().path_for("/".join(["x" * 100] * 50))
    assert _size(path) <= MAX_PATH_BYTES
    assert all(_size(part) <= 200 for part in path.split("/"))
    assert path.endswith(".txt")


def test_ids_that_differ_only_beyond_the_bounds_stay_apart() -> None:
    layout = Layout()
    one = layout.path_for("/".join(["d"] * 1500) + "/one")
    two = layout.path_for("/".join(["d"] * 1500) + "/two")
    assert one != two
    deep = "/".join(["é" * 60] * 40)
    assert safe_parts(deep + "a") != safe_parts(deep + "b")


def test_ids_within_the_bounds_are_kept_as_they_are() -> None:
    assert safe_parts("business/2024/001.txt") == ["business", "2024", "001.txt"]
    assert len(safe_parts("/".join(["d"] * MAX_DEPTH))) == MAX_DEPTH


def test_undecodable_file_name_characters_become_underscores() -> None:
    assert safe_parts("caf\udce9/x\ud800") == ["caf_", "x_.txt"]


def test_every_hostile_id_gets_a_path_that_can_be_written(tmp_path: Path) -> None:
    layout = Layout()
    ids = ["/".join(["d"] * 1500), "y" * 5000, "/".join(["z" * 250] * 30), "a/" * 2500 + "b"]
    for doc_id in ids:
        target = tmp_path.joinpath(*layout.path_for(doc_id).split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("ok")
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == len(ids)
