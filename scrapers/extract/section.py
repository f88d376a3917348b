"""The column a page belongs to: its ColumnName meta, else the breadcrumb's last real item."""

from __future__ import annotations

import re

from lxml import etree

from .document import Element, Lines, squash, text_of
from .patterns import BREADCRUMB_HINTS, BREADCRUMB_PLACEHOLDERS, BREADCRUMB_SEPARATORS

_CRUMB_ELEMENTS = etree.XPath(
    "//body//*[contains(translate(@class, 'CRUMBPOSITINLAW', 'crumbpositinlaw'), 'crumb')"
    " or contains(translate(@id, 'CRUMBPOSITINLAW', 'crumbpositinlaw'), 'crumb')"
    " or contains(translate(@class, 'POSITIN', 'positin'), 'position')"
    " or contains(translate(@id, 'POSITIN', 'positin'), 'position')"
    " or contains(@class, 'location') or contains(@class, 'dqwz') or contains(@id, 'dqwz')"
    " or contains(@class, 'weizhi') or contains(@class, 'mbx') or contains(@class, 'curpos')]"
)
_CATEGORY = etree.XPath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]")
_HINT = re.compile("(?:" + "|".join(BREADCRUMB_HINTS) + r")\s*[:：]?\s*")
_ITEM_SPLIT = re.compile(BREADCRUMB_SEPARATORS.pattern + r"|\s{2,}")
_MAX_ITEM = 20
_MAX_CRUMB = 150


def breadcrumb_section(root: Element, lines: Lines, title: str | None = None) -> str | None:
    """The last breadcrumb item that names a column (not 正文, not the headline)."""
    for element in _CRUMB_ELEMENTS(root):
        if len(text_of(element)) > _MAX_CRUMB:
            continue  # a layout class such as "position-relative", not a breadcrumb
        section = _last_item(_items(element), title)
        if section:
            return section
    for line in lines.lines:
        hint = _HINT.search(line.text)
        if hint:
            section = _last_item(_ITEM_SPLIT.split(line.text[hint.end():]), title)
            if section:
                return section
    return None


def category_section(root: Element) -> str | None:
    """A blog's category link, the nearest thing it has to a column."""
    for link in _CATEGORY(root):
        text = text_of(link)
        if text:
            return text
    return None


def _items(element: Element) -> list[str]:
    links = element.findall(".//a")
    if not links:
        return _ITEM_SPLIT.split(_HINT.sub("", text_of(element)))
    items = [text_of(link) for link in links]
    return items + _ITEM_SPLIT.split(squash(links[-1].tail))


def _last_item(items: list[str], title: str | None) -> str | None:
    for item in reversed(items):
        item = squash(_HINT.sub("", item or "")).strip("：: ")
        if not item or item.lower() in BREADCRUMB_PLACEHOLDERS or len(item) > _MAX_ITEM:
            continue
        if title and (item == title or (title.startswith(item) and len(item) > 8)):
            continue
        return item
    return None
