"""The headline: trusted metas first, else the heading that the page's <title> starts with, else
the headline shown above the body when <title> names only the site."""

from __future__ import annotations

import re
from collections.abc import Collection

from lxml import etree

from pipelines.dates import PRINTED_DATE
from pipelines.vocabulary import LABEL

from .document import Element, Line, class_tokens, lines_before, render_lines, squash, text_of
from .meta import PageMeta
from .overrides import Overrides

_HEADING_TAGS = etree.XPath(
    "//body//h1 | //body//h2 | //body//h3 | //body//h4 | //body//h5 | //body//h6")
_TITLE_WORDS = ("tit", "biaoti", "headline")
_BODY = etree.XPath("//body")
# "Headline_Site", "Headline - Site", "Headline | Blog": the part after the last separator.
_SUFFIX = re.compile(r"^(?P<head>.+?)(?P<sep>\s*(?:_|\||｜|--|——|－)\s*|\s[-–—]\s|-)"
                     r"(?P<tail>(?:(?!_|\||｜|--|——|－|\s[-–—]\s|-).)+)$")
_DATELINE = re.compile(LABEL.pattern + r"\s*" + PRINTED_DATE.pattern, re.IGNORECASE)
# The headline sits within a few lines above the body, after the column name and before the info
# line; more prominent markup ranks first.
_LINES_ABOVE_BODY = 8
_RANKS = {"h1": 0, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
# A content block that starts with its headline (div.wrap > h5.tit, info line, text): the
# headline is among its first lines.
_LINES_OPENING_BODY = 2
_TITLED_RANK = 1
# Kickers and subtitles (副题 fbt, 引题 yt) are printed beside the headline in the same markup.
_BESIDE_HEADLINE = re.compile(r"sub|^(?:fbt|yt|ytitle|fu-?title|yin-?title)$")
_SHORTEST_HEADLINE = 6   # 工作动态, 新闻中心: column names, not headlines
_LONGEST_HEADLINE = 100
# A <title> that carries less than this share of the shown headline's words names something
# else, the site (南宁高新技术产业开发区管理委员会 over 南宁高新区数字经济产业园新入驻企业30家).
_SAME_HEADLINE = 2 / 3
_WORD_RUN = re.compile(r"[\u4e00-\u9fff]+|[^\W_\u4e00-\u9fff]+")
_SITE_WORDS = re.compile(
    r"(政府|门户|网站|网$|在线|平台|官网|频道|高新区|开发区|管委会|园区|新区|集团|日报|晚报|报社|电视台|"
    r"融媒|中心$|委员会|局$|Blog|News|Media|Online|Daily|Times|Post|Network|Portal)",
    re.IGNORECASE,
)


def find_title(root: Element, meta: PageMeta, overrides: Overrides,
               classes: list[tuple[Element, str]],
               body: Element | None = None) -> tuple[str | None, Element]:
    """The headline and the element showing it (None when only a meta tag holds it).

    ``<title>`` wins over the page's markup unless it names only the site: when it is the
    site's declared name, or carries too few words of the headline shown above ``body``.
    """
    # A list in page order, not a set: when two elements show the headline, the first one wins on
    # every run, and the info line read after it (with the date's time) with it.
    titled = [element for element, names in classes
              if any(word in names for word in _TITLE_WORDS) or names.split()[:1] == ["bt"]]
    headings = [(element, text_of(element)) for element in [*_HEADING_TAGS(root), *titled]]
    chosen = overrides.text("title") or meta.get("articletitle") or meta.ld_text("headline")
    if chosen:
        return chosen, _element_showing(chosen, headings)
    site_names = {name for name in (meta.get("sitename", "og:site_name", "application-name"),)
                  if name}
    page_titles = [title for title in (meta.get("og:title", "twitter:title"), meta.title) if title]
    for page_title in page_titles:
        heading = _heading_for(page_title, strip_site_suffix(page_title, site_names), headings)
        if heading is not None:
            return heading[1], heading[0]
    above_body = lines_before(body, _LINES_ABOVE_BODY) if body is not None else []
    shown = _shown_headline(above_body, headings, titled)
    if shown is None and body is not None:
        opening = render_lines(body)[:_LINES_OPENING_BODY]
        shown = _shown_headline(opening[::-1], headings, titled)
    printed = {squash(line.text): line.block for line in above_body if not _is_link(line.block)}
    above = _line_above_dateline(root) if shown is None else None
    for page_title in page_titles:
        stripped = strip_site_suffix(page_title, site_names)
        if not stripped or stripped in site_names:
            continue
        if stripped in printed:  # shown above the body without heading markup
            return stripped, printed[stripped]
        if shown is not None and _word_share(shown[1], stripped) < _SAME_HEADLINE:
            continue
        if above is not None and stripped == squash(page_title):
            continue
        return stripped, _element_showing(stripped, headings)
    if shown is not None:
        return shown[1], shown[0]
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
    exact = next(((element, text) for element, text in headings if text == stripped), None)
    if exact is not None:
        return exact  # not the block around it that also holds the info line
    for element, text in headings:
        if len(text) < max(4, len(stripped) // 2):
            continue
        fits = (page_title.startswith(text) or page_title.endswith(text)
                or (len(stripped) >= 8 and text.startswith(stripped)))
        if fits and (best is None or len(text) > len(best[1])):
            best = (element, text)
    return best


def _shown_headline(above_body: list[Line], headings: list[tuple[Element, str]],
                    titled: list[Element]) -> tuple[Element, str] | None:
    """The most prominent heading among the lines above the body: an ``h1``, a
    ``div.title``-like element, then ``h2``…``h4``; on a tie the one nearest the body, unless it
    is a kicker or a subtitle. Links, column names and whole paragraphs are not headlines."""
    shown = {element: text for element, text in headings
             if _SHORTEST_HEADLINE <= len(text) <= _LONGEST_HEADLINE}
    found: list[tuple[tuple[int, bool, int], Element, str]] = []
    for distance, line in enumerate(reversed(above_body)):
        element = next((e for e in _self_and_ancestors(line.block) if e in shown), None)
        if element is None or shown[element] != squash(line.text) or _is_link(element):
            continue
        rank = _TITLED_RANK if element in titled else _RANKS.get(element.tag, _TITLED_RANK)
        beside = any(_BESIDE_HEADLINE.search(token) for token in class_tokens(element))
        found.append(((rank, beside, distance), element, shown[element]))
    if not found:
        return None
    _, element, text = min(found, key=lambda item: item[0])
    return element, text


def _self_and_ancestors(element: Element, depth: int = 3) -> list[Element]:
    """The block a line was rendered in and a few of its ancestors (``div.title > h1 > span``)."""
    found: list[Element] = []
    while element is not None and len(found) <= depth:
        found.append(element)
        element = element.getparent()
    return found


def _is_link(element: Element) -> bool:
    return element.tag == "a" or next(element.iterancestors("a"), None) is not None or (
        len(element) == 1 and element[0].tag == "a" and not (element.text or "").strip())


def _word_share(headline: str, title: str) -> float:
    """How much of ``headline`` ``title`` carries: its words, and for Chinese its character
    pairs (no spaces to split on)."""
    wanted = _words(headline)
    return len(wanted & _words(title)) / len(wanted) if wanted else 1.0


def _words(text: str) -> set[str]:
    words: set[str] = set()
    for run in _WORD_RUN.findall(text.lower()):
        if "\u4e00" <= run[0] <= "\u9fff" and len(run) > 1:
            words.update(run[i:i + 2] for i in range(len(run) - 1))
        else:
            words.add(run)
    return words


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
