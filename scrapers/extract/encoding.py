"""Bytes to text for pages whose declared encoding is often missing or wrong."""

from __future__ import annotations

import codecs
import re

# A BOM is the only encoding signal that cannot be stale, so it beats everything.
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# GB2312 and GBK pages routinely use characters only their superset GB18030 defines.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
              "euc-cn": "gb18030", "cp936": "gb18030", "iso-8859-1": "cp1252", "latin-1": "cp1252",
              "us-ascii": "utf-8", "ascii": "utf-8", "big5": "big5hkscs"}


def decode_page(body: bytes, content_type: str | None) -> str:
    """Decode a page the way a browser would get it right, not the way its server says.

    Order: BOM; then strict UTF-8 (a multi-byte legacy page is practically never
    valid UTF-8, while a UTF-8 page labelled GBK decodes to plausible mojibake);
    then the page's own ``<meta>`` declaration, then the HTTP header, each only
    if it decodes cleanly; then GB18030. Only when nothing decodes cleanly is a
    lossy decode used, with the candidate that loses the fewest characters.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    candidates = ["utf-8", *_declared(body, content_type), "gb18030"]
    for encoding in candidates:
        try:
            return body.decode(encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return min(
        (body.decode(encoding, errors="replace") for encoding in candidates if _known(encoding)),
        key=lambda text: text.count("\ufffd"),
    )


def _declared(body: bytes, content_type: str | None) -> list[str]:
    found: list[str] = []
    meta = _META_CHARSET.search(body[:8192])
    if meta:
        found.append(meta.group(1).decode("ascii", errors="ignore"))
    header = _HEADER_CHARSET.search(content_type or "")
    if header:
        found.append(header.group(1))
    return [_SUPERSETS.get(name.lower(), name.lower()) for name in found]


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True

