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
_MULTIBYTE = frozenset({"gb18030", "big5hkscs", "big5", "shift_jis", "euc-jp", "euc-kr",
                        "cp949", "cp932", "iso-2022-jp"})
_WESTERN = frozenset({"cp1252", "iso-8859-1", "latin-1", "latin1", "windows-1252"})
_TWO_BYTE_LEADS = re.compile(rb"[\xc2-\xdf][\x80-\xbf]")
_THREE_BYTE_LEADS = re.compile(rb"[\xe0-\xef][\x80-\xbf]{2}")
# GB2312 and GBK pages routinely use characters only their superset GB18030 defines.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030",
              "euc-cn": "gb18030", "cp936": "gb18030", "iso-8859-1": "cp1252", "latin-1": "cp1252",
              "us-ascii": "utf-8", "ascii": "utf-8", "big5": "big5hkscs"}


def decode_page(body: bytes, content_type: str | None) -> str:
    """The page's text; a NUL in it is a template's slip, and a parser would make it U+FFFD."""
    return _decoded(body, content_type).replace("\0", "")


def _decoded(body: bytes, content_type: str | None) -> str:
    """Decode a page the way a browser would get it right, not the way its server says.

    A BOM wins; then the page's own ``<meta>`` declaration, then the HTTP header,
    each only if the bytes decode cleanly with it; then UTF-8, then GB18030. UTF-8 with a few
    stray bytes is still UTF-8 (they become U+FFFD): what counts is the share of bad bytes,
    not their presence. Valid UTF-8 overrules a legacy declaration when the bytes are plainly UTF-8 (templates
    copied from old GB2312 sites keep their old ``<meta>``). Only when nothing
    decodes cleanly is a lossy decode used, the one that loses the fewest characters.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body.decode(encoding, errors="replace")
    utf8 = _strict(body, "utf-8")
    if utf8 is None:
        utf8 = _mostly_utf8(body)
    declared = [encoding for encoding in _declared(body, content_type) if _known(encoding)]
    if declared and declared[-1] in _WESTERN and not _META_CHARSET.search(body[:8192]):
        # A Latin-1 header with no declaration in the page is usually the server's default,
        # not a statement about the page: Chinese bytes that read as Chinese win over it.
        chinese = _strict(body, "gb18030")
        if utf8 is None and chinese is not None and _reads_as_chinese(chinese):
            return chinese
    for encoding in declared:
        if utf8 is not None and (encoding == "utf-8" or _plainly_utf8(body, encoding)):
            return utf8
        text = _strict(body, encoding)
        if text is not None:
            return text
    if utf8 is not None:
        return utf8
    for encoding in ("gb18030", "big5hkscs"):
        text = _strict(body, encoding)
        if text is not None:
            return text
    return min((body.decode(encoding, errors="replace") for encoding in [*declared, "gb18030"]),
               key=lambda text: text.count("\ufffd"))


def _mostly_utf8(body: bytes) -> str | None:
    """The page as UTF-8 when at most one in ten of its non-ASCII characters is a bad byte.

    Bytes of another encoding read as UTF-8 are nearly all bad: valid multi-byte
    sequences arise from them only by chance.
    """
    text = body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for c in text if ord(c) > 127) - bad
    return text if good >= 4 and bad * 10 <= good else None


def _reads_as_chinese(text: str) -> bool:
    """Whether most characters outside ASCII are Han: GB bytes misread come out as other scripts."""
    wide = [c for c in text if ord(c) > 127]
    han = sum(1 for c in wide if "\u4e00" <= c <= "\u9fff" or "\u3000" <= c <= "\u303f"
              or "\uff00" <= c <= "\uffef")
    return len(wide) >= 4 and han >= 0.9 * len(wide)


def _strict(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except UnicodeDecodeError:
        return None


def _plainly_utf8(body: bytes, declared: str) -> bool:
    """Whether bytes that are valid UTF-8 are UTF-8 rather than the declared charset.

    Single-byte text is almost never valid UTF-8. Double-byte Chinese sometimes is,
    but then it reads as two-byte sequences (Cyrillic, Greek), while real Chinese
    UTF-8 is three-byte sequences: so demand those.
    """
    if declared not in _MULTIBYTE:
        return True
    two, three = len(_TWO_BYTE_LEADS.findall(body)), len(_THREE_BYTE_LEADS.findall(body))
    return three >= 4 and three >= 9 * two


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

