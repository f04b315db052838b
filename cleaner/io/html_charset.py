"""HTML bytes -> text: the charset an HTML page declares, else the one its bytes suggest.

A page says how it is encoded in up to three places, and browsers believe them in this order
(WHATWG "encoding sniffing"): a byte-order mark, the HTTP `Content-Type` header
(`text/html; charset=...`, known for WARC records), then a `<meta charset>` or
`<meta http-equiv="Content-Type" content="...; charset=...">` near the start of the document.
`decode_html` follows that order and falls back on `decode_bytes` (strict UTF-8, then
detection) when nothing is declared or the declared name is unknown.

Two choices that differ from a literal reading of the label:

- `iso-8859-1`, `latin1`, `ascii` and friends are decoded as Windows-1252, as every browser
  does: pages that say Latin-1 use the 0x80-0x9F range for curly quotes and dashes. Other
  legacy labels get the superset browsers use too (GB2312 -> GBK, EUC-KR -> CP949,
  Shift_JIS -> CP932, ...).
- A declared UTF-16/32 label without a byte-order mark is ignored (a page that could be read
  far enough to find its meta tag in ASCII is not UTF-16).

A declaration can be wrong (a UTF-8 page labelled Latin-1). The page is still decoded the way
it says, like a browser would, and the mojibake that results is repaired after extraction by
the `encoding` processor (ftfy), which records each repair. The decision is returned for
`meta["decoding"]`: `{"charset": ..., "method": "bom" | "http_header" | "meta_tag" |
"detected" | "utf-8" | "replace", ...}`.
"""

from __future__ import annotations

import codecs
import re
from typing import Any

from cleaner.io.decode import decode_bytes, sniff_bom

#: How many leading bytes are searched for a `<meta>` charset declaration.
META_SNIFF_BYTES = 4096

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)
# Declared codecs that browsers read as a superset (WHATWG encoding standard); keys are
# Python's canonical codec names.
_BROWSER_SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gbk",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
}


def charset_from_content_type(value: str | None) -> str | None:
    """The `charset=` parameter of an HTTP `Content-Type` value, if any."""
    if not value:
        return None
    found = _HEADER_CHARSET.search(value)
    return found.group(1) if found else None


def meta_charset(data: bytes) -> str | None:
    """The charset a `<meta>` tag declares in the first `META_SNIFF_BYTES` bytes, if any."""
    found = _META_CHARSET.search(data[:META_SNIFF_BYTES])
    return found.group(1).decode("ascii", errors="ignore") if found else None


def codec_for_label(label: str | None) -> str | None:
    """The Python codec for a declared charset label, or None if it is unknown or unusable."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    if name.startswith(("utf-16", "utf-32")):
        return None
    return _BROWSER_SUPERSETS.get(name, name)


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, dict[str, Any]]:
    """Decode an HTML document; never raises. Returns (text, info for `meta["decoding"]`)."""
    bom = sniff_bom(data)
    if bom is not None:
        return decode_bytes(data)  # the mark decides; decode_bytes records {"method": "bom"}
    declared = (
        (codec_for_label(http_charset), "http_header"),
        (codec_for_label(meta_charset(data)), "meta_tag"),
    )
    for codec, method in declared:
        if codec is not None:
            return _decode_declared(data, codec, method)
    text, info = decode_bytes(data)
    return text, info or {"charset": "utf-8", "method": "utf-8"}


def _decode_declared(data: bytes, codec: str, method: str) -> tuple[str, dict[str, Any]]:
    try:
        return data.decode(codec), {"charset": codec, "method": method}
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        replaced = text.count("\ufffd")
        if codec == "utf-8":  # U+FFFD already encoded in the page is content, not a repair
            replaced -= data.count("\ufffd".encode())
        return text, {"charset": codec, "method": method, "replaced": replaced}
