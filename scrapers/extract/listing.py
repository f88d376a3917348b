"""Links of a list page, each with the title and the date printed beside it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from urllib.parse import urljoin

from lxml import etree

from pipelines.dates import PRINTED_DATE

from .document import Element, classed, parse, squash, text_of
from .encoding import decode_page
from .meta import PageMeta, read_meta
from .overrides import Overrides, validate_selector
from .pagination import next_page_urls
from .resolve import Resolver
from .section import breadcrumb_section
from .title import strip_site_suffix

_ANCHORS = etree.XPath("//a[@href]")
_BASE = etree.XPath("//base/@href")
_DATASTORES = etree.XPath("//script[@type='text/xml'][contains(., 'datastore')]")
_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_NEXT_GROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>\s*</nextgroup>", re.DOTALL)
_HREF = re.compile(r"""href\s*=\s*["']([^"']+)["']""")
# The answer of Hanweb's list proxy (``/module/web/jpage/dataproxy.jsp``): the datastore itself.
_DATASTORE_DOCUMENT = re.compile(r"^\s*(?:<\?xml[^>]*\?>\s*)?<datastore\b")
_PAGE_NUMBER = re.compile(r"[（(]?\s*第\s*\d+\s*页\s*[）)]?")
_TITLE_PARTS = re.compile(r"\s+[-–—|｜]\s+|\s*[_|｜]\s*")
_HEADINGS = frozenset({"h1", "h2", "h3", "h4"})
_ITEM_TAGS = frozenset({"li", "tr", "dd", "dt", "p", "div", "article", "section", "td", "span",
                        "h2", "h3", "h4", "em", "dl", "header", "footer", "time"})
_MAX_CLIMB = 3


@dataclass(frozen=True)
class ListLink:
    url: str                 # absolute URL (fragment removed)
    title: str | None        # link text or title attribute
    date_text: str | None    # date text printed beside the link, raw
    container: str = ""      # where the link sits (see ``container_path``): one list shares it


def list_links(root: Element, resolve: Resolver, overrides: Overrides) -> list[ListLink]:
    """Every http(s) link in document order; the spider decides which are articles."""
    anchors = _ANCHORS(root)
    chosen = overrides.elements("links")
    if chosen:
        anchors = [a for element in chosen for a in (
            [element] if element.tag == "a" else element.iterfind(".//a[@href]"))]
    links = []
    for anchor in anchors:
        url = resolve(anchor.get("href"))
        if url is None:
            continue
        title, date_text = _title_and_date(anchor, url, resolve)
        links.append(ListLink(url, title, date_text, container_path(anchor)))
    return links


_VARYING_LEVELS = 2


def container_path(anchor: Element) -> str:
    """The link's ancestors as ``div.list/ul/li/a``: the items of one list share it, a sidebar's
    or a menu's differ. The two nearest levels give only their tags, since list items carry
    classes of their own (``first``, ``odd``, ``post-123``); above, class words without digits
    tell the lists apart."""
    parts = []
    for level, element in enumerate(anchor.iterancestors()):
        tag = element.tag if isinstance(element.tag, str) else "?"
        if level >= _VARYING_LEVELS:
            words = sorted(w for w in (element.get("class") or "").split()
                           if not any(c.isdigit() for c in w))
            ident = element.get("id") or ""
            tag += "".join(f".{w}" for w in words)
            if ident and not any(c.isdigit() for c in ident):
                tag += f"#{ident}"
        parts.append(tag)
    return "/".join(reversed(parts))


def _title_and_date(anchor: Element, url: str,
                    resolve: Resolver) -> tuple[str | None, str | None]:
    title = squash(anchor.get("title"))
    if not len(anchor):  # the usual <a href title>text</a>: nothing inside to tell apart
        text = squash(anchor.text)
        if _is_date_piece(text):
            return title or None, text
        return title or text or None, _date_beside(anchor, url, resolve)
    pieces = [squash(text) for text in anchor.itertext() if squash(text)]
    inner_date = next((piece for piece in pieces if _is_date_piece(piece)), None)
    heading = next((text_of(element) for element in anchor.iterdescendants()
                    if element.tag in _HEADINGS or "tit" in (element.get("class") or "").lower()),
                   "")
    text = heading or squash(" ".join(piece for piece in pieces if piece != inner_date))
    image_alt = next((squash(img.get("alt")) for img in anchor.iter("img")), "")
    return title or text or image_alt or None, inner_date or _date_beside(anchor, url, resolve)


def _is_date_piece(piece: str) -> bool:
    match = PRINTED_DATE.search(piece)
    return match is not None and len(piece) - len(match.group(0)) <= 12


def _date_beside(anchor: Element, url: str, resolve: Resolver) -> str | None:
    """A date in the link's own list item: climb while the item links nowhere else.

    Other links to the same article (a blog's date permalink) may hold the date.
    """
    element = anchor.getparent()
    for _ in range(_MAX_CLIMB):
        if element is None or element.tag not in _ITEM_TAGS:
            return None
        if any(target is not None and target != url
               for target in map(resolve, (a.get("href") for a in element.iter("a")))):
            return None
        for piece in _texts_outside(element, anchor):
            if PRINTED_DATE.search(piece):
                return piece
        element = element.getparent()
    return None


def _texts_outside(element: Element, anchor: Element) -> list[str]:
    """The item's text pieces in order, without the link's own text."""
    pieces: list[str] = []

    def walk(node: Element) -> None:
        if node is not anchor and isinstance(node.tag, str) and node.tag not in {"script", "style"}:
            if node.text:
                pieces.append(squash(node.text))
            for child in node:
                walk(child)
        if node.tail and node is not element:
            pieces.append(squash(node.tail))

    walk(element)
    return [piece for piece in pieces if piece]


@dataclass(frozen=True)
class ListPage:
    links: list[ListLink]    # every <a href> in document order, with title/date when known
    next_urls: list[str]     # absolute URLs of the next list page(s), best first
    section: str | None      # the column name the list page shows


def extract_list(body: bytes, url: str, *, content_type: str | None = None,
                 selectors: Mapping[str, str] | None = None) -> ListPage:
    """Read a list (column) page; a bad selector raises ValueError, a bad page never raises."""
    for name, expr in (selectors or {}).items():
        validate_selector(name, expr)
    try:
        text = decode_page(body, content_type)
        if _DATASTORE_DOCUMENT.match(text):
            text = f"<html><body>{_datastore_html(text)}</body></html>"
        root = parse(text)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return ListPage([], [], None)
    _unpack_datastores(root)
    base_href = _BASE(root)
    resolve = Resolver(_base_url(url, base_href[0].strip() if base_href else ""))
    overrides = Overrides(root, selectors)
    meta = read_meta(root)
    section = (overrides.text("section") or meta.get("columnname")
               or breadcrumb_section(root, classed(root), text)
               or _column_name(strip_site_suffix(meta.title, _site_names(meta))) or None)
    return ListPage(list_links(root, resolve, overrides),
                    next_page_urls(root, url, resolve, overrides), section)


def _column_name(title: str) -> str:
    """A list page's title is its column's name, then the page number and the site's name:
    ``高新区（第2页） - 珠海+`` is the column 高新区."""
    return _TITLE_PARTS.split(_PAGE_NUMBER.sub("", title).strip())[0].strip()


def _site_names(meta: PageMeta) -> set[str]:
    return {name for name in (meta.get("sitename", "og:site_name", "application-name"),) if name}


def _unpack_datastores(root: Element) -> None:
    """Hanweb lists keep their items as HTML inside ``<script type="text/xml">`` records.

    The records are parsed and put where the script was, so their links keep their place.
    """
    for script in _DATASTORES(root):
        holder = parse(_datastore_html(script.text or "")).find("body/div")
        if holder is not None:
            script.getparent().replace(script, holder)


def _datastore_html(datastore: str) -> str:
    """The records of a Hanweb datastore as HTML, and its next group of records as a rel=next
    link: the list proxy's address, which answers with the next datastore."""
    records = "".join(_RECORD.findall(datastore))
    group = _NEXT_GROUP.search(datastore)
    href = _HREF.search(group.group(1)) if group else None
    more = f'<a rel="next" href="{escape(href.group(1))}"></a>' if href else ""
    return f"<div class='datastore'>{records}{more}</div>"


def _base_url(url: str, base_href: str) -> str:
    """The page's ``<base href>`` against its URL; a base that is not a URL is ignored."""
    if not base_href:
        return url
    try:
        return urljoin(url, base_href)
    except ValueError:
        return url
