"""decode_bytes / looks_binary: every byte string decodes, and the guess is recorded."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from cleaner.io.decode import DETECT_SAMPLE_BYTES, decode_bytes, decode_line, looks_binary

BBC = Path(__file__).resolve().parents[3] / "shared" / "data" / "bbc-news"

FRENCH = (
    "Le gouvernement français a annoncé mercredi une série de mesures destinées à réduire le "
    "déficit public. Les économistes estiment que ces réformes, très attendues, pourraient "
    "freiner la croissance à court terme, mais qu’elles étaient nécessaires. « C’est un "
    "tournant », a déclaré le ministre."
)
RUSSIAN = (
    "Правительство России объявило в среду о новых мерах поддержки экономики. Эксперты "
    "считают, что эти меры помогут малому бизнесу пережить кризис."
)
JAPANESE = "これは日本語のテキストです。政府は水曜日、経済を支援するための新たな措置を発表した。"


def test_plain_utf8_has_no_decoding_info() -> None:
    assert decode_bytes("naïve café £5 — ok".encode()) == ("naïve café £5 — ok", {})
    assert decode_bytes(b"") == ("", {})


@pytest.mark.parametrize(
    ("codec", "charset"),
    [
        ("utf-8-sig", "utf-8"),
        ("utf-16", "utf-16-le"),
        ("utf-16-be", "utf-16-be"),
        ("utf-32", "utf-32-le"),
    ],
)
def test_byte_order_marks(codec: str, charset: str) -> None:
    text = "Ça coûte £5 ☃"
    data = text.encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    assert decode_bytes(data) == (text, {"charset": charset, "method": "bom"})


def test_broken_utf16_is_replaced_not_raised() -> None:
    data = codecs.BOM_UTF16_LE + "abc".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    text, info = decode_bytes(data)
    assert text.startswith("abc")
    assert info["method"] == "replace" and info["charset"] == "utf-16-le"


@pytest.mark.parametrize(
    ("text", "codec"),
    [
        ("Ça coûte £5 à Zürich, señor.", "latin-1"),
        ("He said “hello” — it’s café time. Naïve résumé…", "cp1252"),
        ("The transfer fee was £15.8m for the striker.", "latin-1"),
        (FRENCH, "cp1252"),
    ],
)
def test_western_legacy_encodings_decode_exactly(text: str, codec: str) -> None:
    decoded, info = decode_bytes(text.encode(codec))
    assert decoded == text
    assert info == {"charset": "cp1252", "method": "detected"}


@pytest.mark.parametrize(("text", "codec"), [(RUSSIAN, "cp1251"), (JAPANESE, "shift_jis")])
def test_other_legacy_encodings_decode_exactly(text: str, codec: str) -> None:
    decoded, info = decode_bytes(text.encode(codec))
    assert decoded == text
    assert info["method"] == "detected"


def test_isolated_high_byte_is_not_read_as_katakana() -> None:
    # charset-normalizer alone picks cp932 here and turns "£" into "｣".
    text, info = decode_bytes(b"Chelsea paid a \xa315.8m fee for the player in 2003.")
    assert "£15.8m" in text
    assert info["charset"] == "cp1252"


def test_detection_samples_but_decodes_everything() -> None:
    head = ("plain ascii line\n" * (DETECT_SAMPLE_BYTES // 17 + 10)).encode()
    tail = "déjà vu, naïve café, £12\n".encode("cp1252")
    text, info = decode_bytes(head + FRENCH.encode("cp1252") + b"\n" + tail)
    assert info["method"] == "detected"
    assert text.endswith("déjà vu, naïve café, £12\n")


def test_detection_finds_high_bytes_inside_a_huge_line() -> None:
    line = "x" * 3_000_000 + " Zürich café " + "y" * 3_000_000 + " £5\n"
    text, info = decode_bytes(line.encode("cp1252"))
    assert text == line
    assert info == {"charset": "cp1252", "method": "detected"}


def test_mostly_utf8_with_a_bad_byte_keeps_the_good_characters() -> None:
    data = ("Ünïcödé – “quotes” – 東京 " * 5).encode() + b"\xff broken \xfe end"
    text, info = decode_bytes(data)
    assert text.startswith("Ünïcödé – “quotes” – 東京")
    assert info == {"charset": "utf-8", "method": "replace", "replaced": 2}


def test_undecodable_bytes_never_raise() -> None:
    data = bytes(range(0x80, 0x100)) * 3
    text, info = decode_bytes(data)
    assert isinstance(text, str) and text
    assert info["method"] in {"detected", "replace"}


def test_decode_line_replaces_invalid_utf8() -> None:
    assert decode_line(b'{"a": "ok"}') == ('{"a": "ok"}', {})
    text, info = decode_line(b'{"a": "caf\xe9"}')
    assert text == '{"a": "caf\ufffd"}'
    assert info == {"charset": "utf-8", "method": "replace", "replaced": 1}


def test_preexisting_replacement_characters_are_not_counted() -> None:
    _, info = decode_line("x \ufffd y".encode() + b" \xff")
    assert info["replaced"] == 1


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", True),
        (b"hello\x00world", True),
        (bytes([1, 2, 3, 4, 5, 6, 7, 8]) * 20 + b"some text", True),
        (b"plain text\twith tabs\r\nand CRLF\x0cform feed\n", False),
        ("UTF-16 text".encode("utf-16"), False),
        ("UTF-32 text".encode("utf-32"), False),
        ("naïve £".encode("cp1252"), False),
        (b"", False),
    ],
)
def test_looks_binary(data: bytes, expected: bool) -> None:
    assert looks_binary(data) is expected


def test_looks_binary_only_reads_the_start() -> None:
    assert looks_binary(b"text " * 4000 + b"\x00") is False


@pytest.mark.skipif(not BBC.is_dir(), reason="shared BBC data not available")
def test_bbc_latin1_article_keeps_the_pound_sign() -> None:
    # sport/199.txt is the corpus's Latin-1 file: a lone 0xA3 byte for "£".
    data = (BBC / "sport" / "199.txt").read_bytes()
    assert b"\xa3" in data
    text, info = decode_bytes(data)
    assert "£15.8m" in text
    assert info == {"charset": "cp1252", "method": "detected"}


@pytest.mark.skipif(not BBC.is_dir(), reason="shared BBC data not available")
def test_bbc_utf8_article_is_plain() -> None:
    text, info = decode_bytes((BBC / "business" / "001.txt").read_bytes())
    assert "£600m" in text
    assert info == {}
