"""Whether an answer can be a page of the site at all, before anything is read from it."""

from __future__ import annotations

import re

# Answers that are plainly not a web page, whatever their bytes look like.
_NOT_HTML_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip",
                   "application/x-rar", "application/x-7z", "application/gzip",
                   "application/vnd.", "application/msword")
_MARKUP = re.compile(rb"<\s*(?:[a-zA-Z]|!--|!doctype)", re.IGNORECASE)
_SNIFF_BYTES = 8192
# Control bytes no text encoding but UTF-16/32 (BOM-led, handled apart) uses. A stray NUL in a
# page is a template's slip; binary data is full of them.
_BINARY = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_BINARY_SHARE = 0.05


def page_problem(body: bytes, content_type: str | None) -> str | None:
    """``empty_page`` or ``not_html`` for an answer that cannot be a page of the site, else None.

    Zone servers often label HTML wrongly (``text/plain``, ``application/octet-stream``)
    or not at all, so only a type that is plainly something else (an image, a PDF)
    decides by itself; otherwise the bytes must contain markup, and control bytes
    (NUL and the like) may be a few but not a share of them.
    """
    if not body.strip():
        return "empty_page"
    mime = (content_type or "").split(";", 1)[0].strip().lower()
    head = body[:_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None  # UTF-16 with a BOM: NUL bytes are part of its text
    if (mime.startswith(_NOT_HTML_TYPES) or not _MARKUP.search(head)
            or len(_BINARY.findall(head)) > _BINARY_SHARE * len(head)):
        return "not_html"
    return None
