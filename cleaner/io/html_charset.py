"""HTML bytes -> text: the charset an HTML page declares, else the one its bytes suggest.

A page says how it is encoded in up to three places, and browsers believe them in this order
(WHATWG "encoding sniffing"): a byte-order mark, the HTTP `Content-Type` header
(`text/html; charset=...`, known for WARC records), then a `<meta charset>` or
`<meta http-equiv="Content-Type" content="...; charset=...">` near the start of the document.
`decode_html` follows that order and falls back on `decode_bytes` (strict UTF-8, then
detection) when nothing usable is declared.

Only the labels browsers honour are believed: the WHATWG Encoding Standard's, looked up with
`webencodings` (html5lib's table of them). That settles three things at once:

- `iso-8859-1`, `latin1`, `ascii` and friends are decoded as Windows-1252, as every browser
  does: pages that say Latin-1 use the 0x80-0x9F range for curly quotes and dashes. Other
  legacy labels get the superset browsers use too (GB2312 -> GBK, EUC-KR -> CP949,
  Shift_JIS -> CP932, ...).
- A label browsers do not know is refused, and the bytes decide instead. That covers the
  charsets in which ASCII bytes do not mean ASCII: UTF-7 (in which `+ADw-script+AD4-` is
  `<script>`), UTF-32, EBCDIC code pages, Python-only codecs such as `unicode_escape`, and the
  ISO-2022-KR/CN and HZ labels that browsers decode as nothing but U+FFFD.
- A declared UTF-16 label without a byte-order mark is refused too (a page that could be read
  far enough to find its meta tag in ASCII is not UTF-16).

Each refused declaration is recorded under `meta["decoding"]["refused"]`, e.g. `{"label":
"UTF-7", "source": "meta_tag", "reason": "not_web_encoding"}` (the `REFUSED_*` reasons).

A declaration can be wrong (a UTF-8 page labelled Latin-1). The page is still decoded the way
it says, like a browser would, and the mojibake that results is repaired after extraction by
the `encoding` processor (ftfy), which records each repair. The decision is returned for
`meta["decoding"]`: `{"charset": ..., "method": "bom" | "http_header" | "meta_tag" |
"detected" | "utf-8" | "replace", ...}`.
"""

from __future__ import annotations

import re
from typing import Any

import webencodings

from cleaner.io.decode import decode_bytes, sniff_bom

#: How many leading bytes are searched for a `<meta>` charset declaration.
META_SNIFF_BYTES = 4096
#: Longest declared label kept in a `refused` record (a meta tag's label can run for kilobytes).
MAX_LABEL_CHARS = 40

#: Why a declared charset was not used, in `meta["decoding"]["refused"][i]["reason"]`.
REFUSED_NOT_WEB_ENCODING = "not_web_encoding"  # browsers do not know it: UTF-7, UTF-32, typos
REFUSED_REPLACEMENT = "replacement_encoding"  # ISO-2022-KR/CN, HZ: browsers show only U+FFFD
REFUSED_UTF16_WITHOUT_BOM = "utf16_without_bom"  # the page's ASCII says it is not UTF-16

_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.IGNORECASE)


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
    """The Python codec for a declared charset label, or None if it is absent or refused."""
    return judge_label(label)[0] if label else None


def judge_label(label: str) -> tuple[str | None, str | None]:
    """`(Python codec, None)` for a label browsers honour, else `(None, a REFUSED_* reason)`."""
    encoding = webencodings.lookup(label.strip().strip("\"'"))
    if encoding is None:
        return None, REFUSED_NOT_WEB_ENCODING
    if encoding.name == "replacement":
        return None, REFUSED_REPLACEMENT
    if encoding.name.startswith("utf-16"):
        return None, REFUSED_UTF16_WITHOUT_BOM
    if encoding.name == "x-user-defined":
        return "cp1252", None  # what HTML's prescan makes of it; Python has no such codec
    return str(encoding.codec_info.name), None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, dict[str, Any]]:
    """Decode an HTML document; never raises. Returns (text, info for `meta["decoding"]`)."""
    bom = sniff_bom(data)
    if bom is not None:
        return decode_bytes(data)  # the mark decides; decode_bytes records {"method": "bom"}
    refused: list[dict[str, str]] = []
    for label, method in ((http_charset, "http_header"), (meta_charset(data), "meta_tag")):
        if not label:
            continue
        codec, reason = judge_label(label)
        if codec is not None:
            text, info = _decode_declared(data, codec, method)
            return text, _with_refused(info, refused)
        refused.append({"label": label[:MAX_LABEL_CHARS], "source": method, "reason": str(reason)})
    text, info = decode_bytes(data)
    return text, _with_refused(info or {"charset": "utf-8", "method": "utf-8"}, refused)


def _with_refused(info: dict[str, Any], refused: list[dict[str, str]]) -> dict[str, Any]:
    return {**info, "refused": refused} if refused else info


def _decode_declared(data: bytes, codec: str, method: str) -> tuple[str, dict[str, Any]]:
    try:
        return data.decode(codec), {"charset": codec, "method": method}
    except UnicodeDecodeError:
        text = data.decode(codec, errors="replace")
        replaced = text.count("\ufffd")
        if codec == "utf-8":  # U+FFFD already encoded in the page is content, not a repair
            replaced -= data.count("\ufffd".encode())
        return text, {"charset": codec, "method": method, "replaced": replaced}
