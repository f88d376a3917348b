"""The headline: trusted metas first, else the heading that the page's <title> starts with."""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml import etree

from .document import Element, Line, render_lines, squash, text_of
from .meta import PageMeta
from .overrides import Overrides
from .patterns import DATE, LABEL

_HEADING_TAGS = etree.XPath("//body//h1 | //body//h2 | //body//h3 | //body//h4")
_TITLE_WORDS = ("tit", "biaoti", "headline")
_BODY = etree.XPath("//body")
# "Headline_Site", "Headline - Site", "Headline | Blog": the part after the last separator.
_SUFFIX = re.compile(r"^(?P<head>.+?)(?P<sep>\s*(?:_|\||｜|--|——|－)\s*|\s[-–—]\s|-)"
                     r"(?P<tail>(?:(?!_|\||｜|--|——|－|\s[-–—]\s|-).)+)$")
_DATELINE = re.compile(LABEL.pattern + r"\s*" + DATE.pattern, re.IGNORECASE)
_SITE_WORDS = re.compile(
    r"(政府|门户|网站|网$|在线|平台|官网|频道|高新区|开发区|管委会|园区|新区|集团|日报|晚报|报社|电视台|"
    r"融媒|中心$|委员会|局$|Blog|News|Media|Online|Daily|Times|Post|Network|Portal)",
    re.IGNORECASE,
)


def find_title(root: Element, meta: PageMeta, overrides: Overrides,
               classes: list[tuple[Element, str]]) -> tuple[str | None, Element]:
    """The headline and the element showing it (None when only a meta tag holds it)."""
    titled = [element for element, names in classes
              if any(word in names for word in _TITLE_WORDS) or names.split()[:1] == ["bt"]]
    headings = [(element, text_of(element)) for element in [*_HEADING_TAGS(root), *titled]]
    chosen = overrides.text("title") or meta.get("articletitle") or meta.ld_text("headline")
    if chosen:
        return chosen, _element_showing(chosen, headings)
    site_names = {name for name in (meta.get("sitename", "og:site_name", "application-name"),)
                  if name}
    for page_title in (meta.get("og:title", "twitter:title"), meta.title):
        if not page_title:
            continue
        heading = _heading_for(page_title, strip_site_suffix(page_title, site_names), headings)
        if heading is not None:
            return heading[1], heading[0]
    above = _line_above_dateline(root)
    for page_title in (meta.get("og:title", "twitter:title"), meta.title):
        stripped = strip_site_suffix(page_title or "", site_names)
        if stripped and stripped not in site_names and (above is None or stripped != page_title):
            return stripped, _element_showing(stripped, headings)
    if above is not None:
        return above.text, above.block
    h1 = next(((element, text) for element, text in headings if element.tag == "h1" and text),
              None)
    return (h1[1], h1[0]) if h1 else (None, None)


def strip_site_suffix(title: str, site_names: Collection[str] = ()) -> str:
    """``标题_珠海高新区`` → ``标题``; a dash inside a headline is kept unless a site name follows."""
    title = squash(title)
    while True:
        match = _SUFFIX.match(title)
        if not match:
            return title
        tail, sep = match.group("tail").strip(), match.group("sep").strip()
        short = len(tail) <= 30
        if tail in site_names:
            pass
        elif sep in {"_", "|", "｜"}:
            if not short:
                return title
        elif sep in {"——", "--"} or not (short and _SITE_WORDS.search(tail)):
            return title  # a subtitle or a hyphenated word, not a site name
        title = match.group("head")


def _heading_for(page_title: str, stripped: str,
                 headings: list[tuple[Element, str]]) -> tuple[Element, str] | None:
    """The longest heading the page title starts (or ends) with, or that starts with the title.

    ``<title>`` may carry the site name on either side: ``标题_站名`` or ``站名 栏目 标题``.
    """
    best: tuple[Element, str] | None = None
    page_title = squash(page_title)
    for element, text in headings:
        if len(text) < max(4, len(stripped) // 2):
            continue
        fits = (page_title.startswith(text) or page_title.endswith(text)
                or (len(stripped) >= 8 and text.startswith(stripped)))
        if fits and (best is None or len(text) > len(best[1])):
            best = (element, text)
    return best


def _line_above_dateline(root: Element) -> Line | None:
    """The short line printed right above "发布时间：…": a headline without heading markup.

    Only consulted when ``<title>`` holds nothing but the site's name.
    """
    lines = [line for body in _BODY(root) for line in render_lines(body)]
    for index, line in enumerate(lines):
        if index and _DATELINE.search(line.text):
            above = lines[index - 1]
            text = squash(above.text)
            return Line(text, above.block) if 4 <= len(text) <= 80 else None
    return None


def _element_showing(title: str, headings: list[tuple[Element, str]]) -> Element:
    return next((element for element, text in headings if text == title), None)
