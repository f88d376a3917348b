"""The column a page belongs to: its ColumnName meta, else the breadcrumb's last real item."""

from __future__ import annotations

import re

from lxml import etree

from pipelines.vocabulary import BREADCRUMB_CLASS_FRAGMENTS, BREADCRUMB_HINTS

from .document import BLOCK_TAGS, Element, render_lines, squash, text_of
from .patterns import BREADCRUMB_PLACEHOLDERS, BREADCRUMB_SEPARATORS

_HINT = re.compile("|".join(BREADCRUMB_HINTS))
# Every hint contains 位置; one cheap predicate, then the exact words in Python.
_HINT_TEXTS = etree.XPath("//body//text()[contains(., '位置')]")
_CATEGORY = etree.XPath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]")
_HINT_LABEL = re.compile("(?:" + "|".join(BREADCRUMB_HINTS) + r")\s*[:：]?\s*")
_ITEM_SPLIT = re.compile(BREADCRUMB_SEPARATORS.pattern + r"|\s{2,}")
_MAX_ITEM = 20
_TITLE_PARTS = re.compile(r"\s*(?:_|\||｜|--|——|\s-\s)\s*")
_MAX_CRUMB = 150


def breadcrumb_section(root: Element, classes: list[tuple[Element, str]], page: str,
                       title: str | None = None) -> str | None:
    """The last breadcrumb item that names a column (not 正文, not the headline).

    ``page`` is the page's text: the hint words are looked up in the tree only when
    they occur at all.
    """
    crumbs = [element for element, names in classes
              if any(word in names for word in BREADCRUMB_CLASS_FRAGMENTS)]
    return _first_section(crumbs, title) or (_first_section(
        [_block_of(text.getparent()) for text in _HINT_TEXTS(root) if _HINT.search(text)],
        title) if _HINT.search(page) else None)


def _first_section(crumbs: list[Element], title: str | None) -> str | None:
    for element in crumbs:
        if element is None or len(text_of(element)) > _MAX_CRUMB:
            continue  # a layout class such as "position-relative", not a breadcrumb
        section = _last_item(_items(element), title)
        if section:
            return section
    return None


def _block_of(element: Element) -> Element:
    while element is not None and element.tag not in BLOCK_TAGS:
        element = element.getparent()
    return element


def category_section(root: Element) -> str | None:
    """A blog's category link, the nearest thing it has to a column."""
    for link in _CATEGORY(root):
        text = text_of(link)
        if text:
            return text
    return None


def title_section(page_title: str, headline: str | None) -> str | None:
    """``标题_栏目_站名``: a <title> of three parts whose first is the headline names the column
    between the headline and the site."""
    if not headline:
        return None
    rest = squash(page_title).removeprefix(headline)
    parts = _TITLE_PARTS.split(rest)
    if rest == squash(page_title) or len(parts) != 3 or parts[0]:
        return None
    column = parts[1].strip()
    if not 2 <= len(column) <= _MAX_ITEM or column.lower() in BREADCRUMB_PLACEHOLDERS:
        return None
    return column


def _items(element: Element) -> list[str]:
    """The link texts and what follows the last link; without links, the text split at
    separators, or at element edges when the separators are images."""
    links = [text for text in map(text_of, element.iter("a")) if text]
    if not links:
        return _ITEM_SPLIT.split(_HINT_LABEL.sub("", "  ".join(
            line.text for line in render_lines(element))))
    full = text_of(element)
    return links + _ITEM_SPLIT.split(full[full.rfind(links[-1]) + len(links[-1]):])


def _last_item(items: list[str], title: str | None) -> str | None:
    for item in reversed(items):
        item = squash(_HINT_LABEL.sub("", item or "")).strip("：: ")
        if not item or item.lower() in BREADCRUMB_PLACEHOLDERS or len(item) > _MAX_ITEM:
            continue
        if title and (item == title or (title.startswith(item) and len(item) > 8)):
            continue
        return item
    return None
