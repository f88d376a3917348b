"""Which language an article is written in, when the site file does not say."""

from __future__ import annotations

import re

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_TAG = re.compile(r"^([A-Za-z]{2,3})(?:[-_].*)?$")


def detect_language(text: str, hint: str | None = None) -> str | None:
    """``zh`` or ``en`` from the script the text is written in; the page's own tag breaks ties.

    Zone news is Chinese or machine-translated English, so the writing system is
    a sturdier signal than a page's ``lang`` attribute, which CMS templates
    often leave at a wrong default.
    """
    sample = text[:4000]
    han = len(_HAN.findall(sample))
    latin = len(_LATIN.findall(sample))
    if han == 0 and latin == 0:
        return _primary(hint)
    if han * 4 >= latin:  # one Han character carries about as much as a four-letter word
        return "zh"
    hinted = _primary(hint)
    if hinted and hinted != "zh":
        return hinted
    return "en"


def _primary(tag: str | None) -> str | None:
    if not tag:
        return None
    m = _TAG.match(tag.strip())
    return m.group(1).lower() if m else None
