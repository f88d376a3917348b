"""The next list page: rel=next, 下一页 links, TRS script pagers, numbered index_N pages."""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urlsplit, urlunsplit

from lxml import etree

from .document import Element, class_tokens, squash, text_of
from .overrides import Overrides
from .resolve import Resolver

_REL_NEXT = etree.XPath("//*[self::a or self::link][@href][contains("
                        "concat(' ', translate(normalize-space(@rel), 'NEXT', 'next'), ' '),"
                        " ' next ')]/@href")
_ANCHORS = etree.XPath("//a[@href]")
_HREFS = etree.XPath("//a/@href")
_SCRIPTS = etree.XPath("//script/text()")
_NEXT_WORDS = frozenset({"下一页", "下页", "下一頁", "后页", "next", "next page", "older posts",
                         "older entries", "more posts"})
_ARROWS = "[]【】<>«»‹›←→ "
_NEXT_SYMBOLS = frozenset({"›", "»", ">", ">>", "»»", "＞"})
_NEXT_CLASSES = frozenset({"next", "nextpage", "next-page", "page-next", "pagenext", "next_page",
                           "nextposts", "next-posts"})
_LAST_WORDS = frozenset({"尾页", "末页", "最后一页", "last", "last »", "last page"})
_PAGE_COUNT_VARIABLE = re.compile(
    r"(?<![\w$])[\w$]*(?:pages?[_$]?(?:total|count|num|sum)|(?:total|count|sum)[_$]?pages?)"
    r"[\w$]*\s*=\s*(\d+)", re.IGNORECASE)
_PAGE_SCRIPT = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_CURRENT_OF_TOTAL = re.compile(r"第\s*(\d+)\s*/\s*(\d+)\s*页|(?<!\d)(\d+)\s*/\s*(\d+)\s*页")
_TOTAL = re.compile(r"共\s*(\d+)\s*页")
_CURRENT = re.compile(r"第\s*(\d+)\s*页")
_NUMBERED = re.compile(r"^(?P<stem>.*?)(?:_(?P<number>\d+))?\.(?P<ext>s?html?)$")
# An article page's leaf: a part number is one or two digits after the article's own name.
_PART = re.compile(r"^(?P<stem>.+?)(?:_(?P<part>\d{1,2}))?\.(?P<ext>s?html?)$")
_WP_PAGE = re.compile(r"^(?P<stem>.*?/)page/(?P<number>\d+)/?$")


def next_page_urls(root: Element, url: str, resolve: Resolver, overrides: Overrides) -> list[str]:
    """Absolute URLs of the next list page, best guess first, never the page itself."""
    count = _page_count(root)
    if count and count[0] is not None and count[0] >= count[1]:
        return []  # "第 3/3 页": this is the last page, whatever its links say
    found = [*(_hrefs(overrides.results("next_page")))]
    found += _REL_NEXT(root)
    anchors = [_Anchor(a) for a in _ANCHORS(root)]
    found += [a.href for a in anchors if a.says_next()]
    scripted = _script_pager(root)
    found += scripted or []
    # A count kept in a script variable says more pages exist, unless createPageHTML said
    # where the list ends.
    total = count[1] if count else None if scripted is not None else _script_page_count(root)
    found += _numbered_successors(url, anchors, resolve, total)
    found += [a.href for a in anchors if a.text in _NEXT_SYMBOLS]
    return _absolute_unique(found, resolve, url)


class _Anchor:
    """A link's href, lower-cased label and class words, read once."""

    def __init__(self, element: Element) -> None:
        self.href: str = element.get("href") or ""
        self.text = squash(text_of(element) or element.get("title")).lower()
        self.classes = class_tokens(element)

    def says_next(self) -> bool:
        text = self.text.strip(_ARROWS)
        return text in _NEXT_WORDS or (bool(self.classes & _NEXT_CLASSES)
                                       and text not in {"下一篇", "next post"})

    def says_last(self) -> bool:
        return self.text in _LAST_WORDS or "last" in self.classes


def next_part_url(root: Element, url: str, resolve: Resolver) -> str | None:
    """The next page of an article split over several, when the page links it; None for a
    whole article. ``549871203.html`` goes on in ``549871203_2.html`` (TRS: ``…_1.htm``),
    ``549871203_2.html`` in ``549871203_3.html``."""
    directory, _, leaf = (_path(url) or "").rpartition("/")
    part = _PART.match(leaf)
    if not part:
        return None
    stem, ext = part.group("stem"), part.group("ext")
    numbers = [int(part.group("part")) + 1] if part.group("part") else [2, 1]
    leaves = {f"{stem}_{n}.{ext}" for n in numbers}
    for href in _HREFS(root):
        # Only a link ending in the part's own name is resolved: an article page has hundreds.
        if href.partition("?")[0].rpartition("/")[2] not in leaves:
            continue
        target = resolve(href)
        if target is not None and _path(target) in {f"{directory}/{leaf}" for leaf in leaves}:
            return target
    return None


def _path(url: str) -> str | None:
    try:
        return urlsplit(url).path
    except ValueError:  # a link with a broken host: not a part of this article
        return None


def _hrefs(results: list[object]) -> list[str]:
    return [str(item.get("href") or "") if hasattr(item, "get") else str(item)
            for item in results]


def _page_count(root: Element) -> tuple[int | None, int] | None:
    """(current, total) when the pager prints them; current may be unknown."""
    text = " ".join(squash(text_of(element)) for element in root.iterfind(".//body"))
    match = _CURRENT_OF_TOTAL.search(text)
    if match:
        current, total = match.group(1) or match.group(3), match.group(2) or match.group(4)
        return int(current), int(total)
    total_match, current_match = _TOTAL.search(text), _CURRENT.search(text)
    if not total_match:
        return None
    return (int(current_match.group(1)) if current_match else None), int(total_match.group(1))


def _script_pager(root: Element) -> list[str] | None:
    """Pages written by script, in the two shapes zone CMSs use.

    TRS: ``createPageHTML(countPage, currentPage, "index", "htm")``, currentPage
    zero-based (page 2 is ``index_1``). The Guangdong cluster:
    ``createPageHTML('page_div', countPage, currentPage, 'index', 'html', total)``,
    currentPage one-based (page 2 is ``index_2``). Either way the page after
    ``currentPage`` is ``index_<currentPage + 1>``; only where the list ends differs.
    None when the page has no such script.
    """
    for script in _SCRIPTS(root):
        for call in _PAGE_SCRIPT.finditer(script):
            arguments = _arguments(root, call.group(1))
            if arguments is None:
                continue  # the function's own definition, or a call it cannot resolve
            count, current, stem, ext, one_based = arguments
            last = current >= count if one_based else current + 1 >= count
            return [] if last else [f"{stem}_{current + 1}.{ext}"]
    return None   # no pager script on this page


def _arguments(root: Element, text: str) -> tuple[int, int, str, str, bool] | None:
    """(countPage, currentPage, name, ext, one-based) from the call's arguments, variables resolved.

    The Guangdong shape names the element to fill first (``'page_div'``) and counts
    pages from one; TRS passes only name and extension and counts from zero.
    """
    numbers: list[int] = []
    names: list[str] = []
    for argument in (part.strip() for part in text.split(",")):
        if argument.isdigit():
            numbers.append(int(argument))
        elif argument[:1] in {"'", '"'}:
            names.append(argument.strip("'\""))
        elif re.fullmatch(r"[A-Za-z_$][\w$]*", argument):
            value = _variable(root, argument)
            if value is not None:
                numbers.append(value)
    if len(numbers) < 2 or len(names) < 2:
        return None
    count, current = numbers[0], numbers[1]
    one_based = len(names) >= 3 and current >= 1
    return count, current, names[-2], names[-1], one_based


def _script_page_count(root: Element) -> int | None:
    """The page count a script-drawn pager keeps in a variable (``var pagesTotal = 3;``)."""
    for script in _SCRIPTS(root):
        match = _PAGE_COUNT_VARIABLE.search(script)
        if match:
            return int(match.group(1))
    return None


def _variable(root: Element, name: str) -> int | None:
    assignment = re.compile(rf"(?<![\w$]){re.escape(name)}\s*=\s*(\d+)")
    for script in _SCRIPTS(root):
        match = assignment.search(script)
        if match:
            return int(match.group(1))
    return None


def _numbered_successors(url: str, anchors: list[_Anchor], resolve: Resolver,
                         total: int | None) -> list[str]:
    """index.html → index_2.html, /page/2/ → /page/3/: when the page links it or counts it.

    The Guangdong cluster's pager may be drawn by script, so the page count (``共 3 页``
    or the 尾页 link's number) is enough to know that a next page exists.
    """
    parts = urlsplit(url)
    linked = {resolve(a.href) for a in anchors}
    last = _last_page_number(anchors)
    limit = total if total is not None else last
    out = []
    for path, number in _successor_paths(parts.path):
        candidate = urlunsplit((parts.scheme, parts.netloc, path, "", ""))
        counted = limit is not None and number < limit and "/page/" not in path
        if candidate in linked or counted:
            out.append(candidate)
    return out


def _successor_paths(path: str) -> list[tuple[str, int]]:
    """(path of the following page, number of this page) for the numbering schemes seen."""
    wordpress = _WP_PAGE.match(path)
    if wordpress:
        number = int(wordpress.group("number"))
        return [(f"{wordpress.group('stem')}page/{number + 1}/", number)]
    if path.endswith("/"):
        return [(f"{path}page/2/", 1), (f"{path}index_2.html", 1)]
    directory, _, leaf = path.rpartition("/")
    numbered = _NUMBERED.match(leaf)
    if not numbered:
        return []
    number = int(numbered.group("number") or 1)
    return [(f"{directory}/{numbered.group('stem')}_{number + 1}.{numbered.group('ext')}", number)]


def _last_page_number(anchors: list[_Anchor]) -> int | None:
    for anchor in anchors:
        if anchor.says_last():
            match = re.search(r"(?:_|/page/)(\d+)(?:\.s?html?|/?)$", anchor.href)
            if match:
                return int(match.group(1))
    return None


def _absolute_unique(hrefs: list[str], resolve: Resolver, url: str) -> list[str]:
    here = _same_page_key(url)
    out: list[str] = []
    for href in hrefs:
        absolute = resolve(href)
        if absolute and _same_page_key(absolute) != here and absolute not in out:
            out.append(absolute)
    return out


def _same_page_key(url: str) -> str:
    try:
        parts = urlsplit(urldefrag(url)[0])
    except ValueError:  # not a URL at all: only equal to itself
        return url
    path = re.sub(r"/(?:index\.s?html?)?$", "/", parts.path or "/")
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, parts.query, ""))
