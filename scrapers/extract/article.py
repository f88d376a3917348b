"""One article page to a RawArticle: each field from the most trusted place that has it."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import replace
from itertools import pairwise

from lxml import etree

from pipelines.body import clean_body_nodes
from pipelines.raw_article import (
    CreditCandidate,
    CreditPlace,
    DateCandidate,
    DateOrigin,
    RawArticle,
)
from pipelines.vocabulary import BY_ROLE, LABEL

from .content import Body, body_nodes, find_body, nodes_html
from .document import Element, Line, classed, lines_after, lines_before, parse, squash, text_of
from .encoding import decode_page
from .infoline import InfoFacts, read_info
from .meta import PUBLISHED_NAMES, PageMeta, read_meta
from .overrides import Overrides, validate_selector
from .pagination import next_part_url
from .resolve import Resolver
from .section import breadcrumb_section, category_section, title_section
from .title import find_title

logger = logging.getLogger(__name__)

_TIME_DATETIME = etree.XPath("//time/@datetime")
_TAG_LINKS = etree.XPath("//a[contains(concat(' ', normalize-space(@rel), ' '), ' tag ')]")
# A post's category link, printed right after an empty "By" (`By <a rel="category tag">`).
_CATEGORY_LINKS = etree.XPath(
    "//a[contains(concat(' ', normalize-space(@rel), ' '), ' category ')]")
_TABLE_ROWS = etree.XPath("//tr[th or td]")
_ROW_CELLS = etree.XPath("th|td")
_CLOCK = re.compile(r"(?<!\d)(?P<hour>\d{1,2}):(?P<minute>\d{2})(?!\d)(?::\d{2})?"
                    r"(?:\s*(?P<half>[AaPp])\.?[Mm]\b)?")
_KEYWORD_SPLIT = re.compile(r"\s*[,，;；、|]\s*")
_INFO_LINES = 8       # an info line sits within a few lines after the headline
_FOOTER_LINES = 8     # （责任编辑：…） sits within a few lines after the body
_PARAGRAPH = 80       # a line this long without labels is already the article text


def extract_article(body: bytes, url: str, *, content_type: str | None = None,
                    selectors: Mapping[str, str] | None = None,
                    headline: str | None = None) -> RawArticle:
    """Fill the page fields of a RawArticle; a field the page does not show stays empty.

    ``headline`` is the title a list page gave the article: where the page prints none of its
    own, the body cleaner drops the body's repeat of that one instead.
    A bad selector raises ValueError; a bad page never raises.
    """
    for name, expr in (selectors or {}).items():
        validate_selector(name, expr)
    item = RawArticle(url=url)
    try:
        text = decode_page(body, content_type)
        root = parse(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        logger.debug("unparseable page %s", url)
        return item
    _fill(item, root, text, Overrides(root, selectors), headline)
    return item


def _fill(item: RawArticle, root: Element, text: str, overrides: Overrides,
          headline: str | None) -> None:
    meta = read_meta(root)
    classes = classed(root)
    body = find_body(root, overrides.elements("body"), classes)
    title, title_element = find_title(root, meta, overrides, classes,
                                      body.element if body is not None else None)
    info = read_info((line.text for line in _info_lines(title_element, body)), headline_lines=True)
    footer = read_info((line.text for line in (
        lines_after(body.element, _FOOTER_LINES) if body is not None else [])),
        place=CreditPlace.FOOTER)

    item.title = title
    metas = meta.every(PUBLISHED_NAMES)
    item.published = _unique_dates([
        *_dates(DateOrigin.SELECTOR, overrides.texts("published_at")),
        *_dates(DateOrigin.SHOWN, _shown_times(info, metas)),
        *_dates(DateOrigin.META, metas),
        *_dates(DateOrigin.LINKED_DATA, filter(None, [meta.ld_text("datePublished")])),
        *_dates(DateOrigin.INFO_LINE, info.published),
        *_dates(DateOrigin.INFO_LINE_BARE, info.bare_dates),
        *_dates(DateOrigin.TIME_ELEMENT, _TIME_DATETIME(root)),
        *_dates(DateOrigin.FOOTER, footer.published),
        *_dates(DateOrigin.INFO_LINE_UPDATED, info.updated),
        *_dates(DateOrigin.FOOTER_UPDATED, footer.updated),
    ])
    item.source = (overrides.text("source") or meta.get("contentsource", "source")
                   or info.source or footer.source or read_info(_labelled_cells(root)).source)
    # A post's category link printed right after an empty "By" names no author.
    categories = {squash(text_of(link)) for link in _CATEGORY_LINKS(root)}
    item.credits = _unique_credits([
        *(CreditCandidate(text, CreditPlace.SELECTOR) for text in overrides.texts("authors")),
        *(credit for credit in (*info.credits, *footer.credits)
          if not (credit.role == BY_ROLE and credit.text in categories)),
        *(CreditCandidate(text, CreditPlace.META)
          for text in filter(None, [meta.get("author", "article:author")])),
        *(CreditCandidate(text, CreditPlace.LINKED_DATA) for text in meta.ld_names("author")),
    ])
    item.section = (overrides.text("section") or meta.get("columnname")
                    or meta.ld_text("articleSection") or breadcrumb_section(root, classes, text, title)
                    or meta.get("article:section") or category_section(root)
                    or title_section(meta.title, title))
    item.summary = (overrides.text("summary") or meta.get("description", "og:description")
                    or meta.ld_text("description"))
    item.tags = _tags(root, meta, overrides)
    item.page_language = _language(root, meta)
    nodes = body_nodes(body) if body is not None else []
    item.body = clean_body_nodes(nodes, item.url, title or headline)
    # What a site's selector or a CMS's markers bound is kept as the page wrote it; a body
    # found by its skin or its density is written from the blocks the cleaner kept.
    item.body_html = nodes_html(nodes) if body is not None and body.nodes is not None \
        else item.body.html
    item.next_part = next_part_url(root, item.url, Resolver(item.url))


def _dates(origin: DateOrigin, texts: Iterable[str]) -> list[DateCandidate]:
    return [DateCandidate(squash(text), origin) for text in texts]


def _unique_dates(candidates: Iterable[DateCandidate]) -> list[DateCandidate]:
    """Each printed date once, where it is trusted most."""
    seen: dict[str, DateCandidate] = {}
    for candidate in candidates:
        if candidate.text and candidate.text not in seen:
            seen[candidate.text] = candidate
    return list(seen.values())


def _unique_credits(candidates: Iterable[CreditCandidate]) -> list[CreditCandidate]:
    """Each credit once, where it was found first."""
    seen: dict[tuple[str | None, str], CreditCandidate] = {}
    for candidate in candidates:
        text = squash(candidate.text)
        if text and (candidate.role, text) not in seen:
            seen[candidate.role, text] = replace(candidate, text=text)
    return list(seen.values())


def _shown_times(info: InfoFacts, metas: list[str]) -> list[str]:
    """Times the reader sees under the headline that beat the metas.

    A template fills published_time with the day the draft was made, or midnight, far more
    often than a page prints a wrong time. A meta that writes the same wall-clock time keeps
    its place: it also says the time zone the page prints in.
    """
    shown = []
    for text in (*info.published, *info.bare_dates):
        clock = _CLOCK.search(text)
        if clock is None:
            continue
        hour = int(clock["hour"])
        if clock["half"]:
            hour = hour % 12 + (12 if clock["half"] in "Pp" else 0)
        if not any(f"{hour:02d}:{clock['minute']}" in value for value in metas):
            shown.append(text)
    return shown


def _info_lines(title: Element, body: Body | None) -> list[Line]:
    """The few lines between the headline and the body, where date and source are printed."""
    if title is not None:
        lines = lines_after(title, _INFO_LINES, stop=body.element if body is not None else None)
    elif body is not None:
        lines = lines_before(body.element, _INFO_LINES)
    else:
        return []
    picked = []
    for line in lines:
        if len(line.text) >= _PARAGRAPH:
            facts = read_info([line.text])
            if not (facts.published or facts.bare_dates or facts.source):
                break   # the article's text has begun
        picked.append(line)
    return picked


def _labelled_cells(root: Element) -> list[str]:
    """``label：value`` of table cells that print a label beside its value, as the disclosure
    table of a government notice does (<th>信息来源：</th><td>火炬开发区经科局</td>)."""
    pairs = []
    for row in _TABLE_ROWS(root):
        cells = [squash(text_of(cell)) for cell in _ROW_CELLS(row)]
        for cell, value in pairwise(cells):
            label = cell.rstrip(":：")
            if value and LABEL.fullmatch(f"{label}："):
                pairs.append(f"{label}：{value}")
    return pairs


def _tags(root: Element, meta: PageMeta, overrides: Overrides) -> list[str]:
    chosen = overrides.texts("tags")
    if chosen:
        return _unique(t for text in chosen for t in _KEYWORD_SPLIT.split(text))
    keywords = meta.get("keywords", "news_keywords") or meta.ld_text("keywords") or ""
    tags = [tag for tag in _KEYWORD_SPLIT.split(keywords) if tag]
    if tags == [keywords] and " " in keywords and not keywords.isascii():
        tags = keywords.split()  # 珠海 高新区 招商: Chinese keywords separated by spaces
    return _unique([*tags, *(text_of(link) for link in _TAG_LINKS(root))])


def _language(root: Element, meta: PageMeta) -> str | None:
    declared = (root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang")
                or root.get("xml:lang") or meta.get("og:locale", "content-language", "language")
                or meta.ld_text("inLanguage"))
    return squash(declared) or None


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        value = squash(value)
        if value and value not in seen:
            seen[value] = None
    return list(seen)
