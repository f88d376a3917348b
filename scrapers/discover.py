"""What a list (column) page is made of: its article links, the pattern that finds them, its pager.

``zonenews sites add`` writes a site file from it and ``zonenews sites check`` compares
a site file with it. Links are grouped by where they sit (their container path); each
group's URLs give a candidate pattern (numbers become ``\\d+``, shared directories stay
literal), and the candidate wins whose matches on the whole page look most like a
column's articles: headline-length titles, dates beside them, no menu words. So a
menu, a footer or a sidebar of another column never decides the pattern, and the
next list page widens it when its articles live in a sibling directory. No network
beyond the pages asked for, nothing stored.
"""
from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from protego import Protego

from pipelines.urls import rules_seen
from scrapers.extract.listing import ListLink, ListPage, extract_list
from scrapers.extract.sniff import page_problem
from scrapers.links import article_links
from scrapers.settings import DOWNLOAD_TIMEOUT, USER_AGENT
from scrapers.single_page import FetchError, extract_record, fetch_page
from scrapers.sites import Site

# A title shorter than this is a menu word (首页, 更多, Investment), not an article's headline.
_HEADLINE_CHARS = 6
_HEADLINE_WORDS = 4
_HEX_ID = re.compile(r"[0-9a-f]{12,}")
# Varying middles of a path segment this short are spelled out (``m?post_``); longer ones
# are a slug and match any segment.
_SHORT_VARIANT = 3


@dataclass(frozen=True)
class Group:
    """Links of one place of the page (one container)."""

    container: str
    links: list[ListLink]


@dataclass(frozen=True)
class Candidate:
    """An article_url_pattern, the page's links it matches (page order, each URL once) and
    how much they look like a column's articles."""

    pattern: str
    links: list[ListLink]
    score: float


@dataclass
class Discovery:
    """A list page read for its articles; ``doubts`` says what a person should check."""

    url: str
    links: list[ListLink]              # the column's article links, page order, each URL once
    pattern: str                       # article_url_pattern matching them and no furniture
    next_urls: list[str]
    section: str | None
    doubts: list[str] = field(default_factory=list)

    @property
    def compiled(self) -> re.Pattern[str]:
        return re.compile(self.pattern)


# ---------------------------------------------------------------- fetching

def fetch_list_page(url: str, *, obey_robots: bool = True) -> tuple[bytes, str | None, str]:
    """Body, Content-Type and final URL of a page, refused when robots.txt forbids it."""
    if obey_robots and not robots_allow(url):
        raise FetchError(f"{url}: forbidden by robots.txt (obey_robots = false in the site file "
                         "overrides it, if the site agrees)")
    return fetch_page(url)


def robots_allow(url: str) -> bool:
    """RFC 9309 as the crawl reads it: a 4xx or no robots.txt means no rules."""
    parts = urlsplit(url)
    request = urllib.request.Request(f"{parts.scheme}://{parts.netloc}/robots.txt",
                                     headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as answer:
            text = answer.read().decode("utf-8", errors="ignore")
    except urllib.error.HTTPError as exc:
        if 400 <= exc.code < 500:
            return True
        raise FetchError(f"robots.txt of {parts.netloc}: HTTP {exc.code}") from None
    except OSError as exc:
        raise FetchError(f"robots.txt of {parts.netloc}: {getattr(exc, 'reason', exc)}") from None
    return bool(Protego.parse(text).can_fetch(url, USER_AGENT))


# ---------------------------------------------------------------- which links are articles

def read_list(body: bytes, url: str, content_type: str | None = None) -> ListPage | None:
    """The page as a list, or None when it is no page at all (empty, not HTML)."""
    if page_problem(body, content_type):
        return None
    return extract_list(body, url, content_type=content_type)


def link_groups(page: ListPage, url: str) -> list[Group]:
    """The page's links on its own site, by container (the page itself and its pager left
    out), each URL once per container."""
    skip = {_plain(url), *map(_plain, page.next_urls)}
    site = _site_of(url)
    by_container: dict[str, dict[str, ListLink]] = defaultdict(dict)
    for link in page.links:
        plain = _plain(link.url)
        if plain in skip or _site_of(link.url) != site or not _has_path(link.url):
            continue
        by_container[link.container].setdefault(plain, link)
    return [Group(container, list(found.values())) for container, found in by_container.items()]


def candidates(page: ListPage, url: str) -> list[Candidate]:
    """Patterns drawn from each place of the page, best first.

    A pattern scores by the links it matches anywhere on the page: a link with a
    headline-length title counts one, two with a date beside it (wherever on the page
    that link is printed); a menu word counts against it. So the pattern of the column's
    list wins over a menu's, a sidebar of the same articles changes nothing, and a pattern
    so wide that it takes the furniture too loses to the narrower one.
    """
    groups = link_groups(page, url)
    best = _best_links(groups)
    tried: dict[str, Candidate] = {}
    for group in groups:
        urls = [link.url for link in group.links]
        if len(urls) < 2 and not any(link.date_text for link in group.links):
            continue
        whole = derive_pattern(urls)
        for pattern in {whole, *whole.split("|")}:
            if pattern not in tried:
                compiled = re.compile(pattern)
                matched = [link for link in best.values() if compiled.search(link.url)]
                tried[pattern] = Candidate(pattern, matched, sum(map(_weight, matched)))
    return sorted(tried.values(), key=lambda c: (-c.score, len(c.links), c.pattern))


def best_candidate(page: ListPage, url: str) -> Candidate | None:
    """The column's article links and their pattern, or None when no place of the page
    holds links that read as articles."""
    found = candidates(page, url)
    return found[0] if found and found[0].score > 0 else None


def _best_links(groups: Sequence[Group]) -> dict[str, ListLink]:
    """Each URL once, page order, with its longest title and a date any of its links has."""
    best: dict[str, ListLink] = {}
    for group in groups:
        for link in group.links:
            plain = _plain(link.url)
            kept = best.get(plain)
            if kept is None:
                best[plain] = link
                continue
            title = max((kept.title or "", link.title or ""), key=len) or None
            best[plain] = ListLink(kept.url, title, kept.date_text or link.date_text,
                                   kept.container)
    return best


def _weight(link: ListLink) -> float:
    if not is_headline(link.title):
        return -0.5
    return 2.0 if link.date_text else 1.0


def is_headline(title: str | None) -> bool:
    """An article's title rather than a menu word: six Chinese characters, or four words."""
    text = title or ""
    wide = sum(1 for c in text if "\u3400" <= c <= "\u9fff")
    return wide >= _HEADLINE_CHARS or len(text.split()) >= _HEADLINE_WORDS


def _plain(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/")


def _has_path(url: str) -> bool:
    """A link to a page deeper than the site's home."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return path.strip("/") not in ("", "index.html", "index.htm", "index.shtml")


def _site_of(url: str) -> str:
    """The registered part of a host (``hizh.cn`` for ``pub-zhtb.hizh.cn``), the whole host
    for an address; the port counts, so two local servers are two sites."""
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or ""), parts.port
    except ValueError:
        return ""
    labels = host.split(".")
    if not host.replace(".", "").isdigit():
        keep = 3 if len(labels) > 2 and labels[-2] in ("gov", "com", "org", "net", "edu") else 2
        host = ".".join(labels[-keep:])
    return f"{host}:{port}"


# ---------------------------------------------------------------- the pattern

def derive_pattern(urls: Sequence[str]) -> str:
    """A regular expression (searched in absolute URLs, like ``article_url_pattern``) that
    matches every URL given, and as little else as their shared shape allows.

    URLs are grouped by path depth and trailing slash; each group gives one alternative.
    """
    shapes: dict[tuple[int, bool, bool], list[list[str]]] = defaultdict(list)
    queries: dict[tuple[int, bool, bool], list[str]] = defaultdict(list)
    for url in urls:
        parts = urlsplit(url)
        segments = parts.path.strip("/").split("/")
        shape = (len(segments), parts.path.endswith("/"), bool(parts.query))
        shapes[shape].append(segments)
        queries[shape].append(parts.query)
    alternatives = []
    for shape, paths in shapes.items():
        _depth, slash, has_query = shape
        columns = [_generalise([path[i] for path in paths]) for i in range(len(paths[0]))]
        alternative = "/" + "/".join(columns) + ("/" if slash else "")
        if has_query:
            alternative += r"\?" + _generalise(queries[shape])
        alternatives.append(alternative + "$")
    return "|".join(sorted(alternatives))


def _form(text: str) -> str:
    """A segment with its numbers and long hex ids as classes, the rest literal."""
    out, last = [], 0
    for match in re.finditer(r"[0-9a-f]{12,}|\d+", text):
        token = match.group(0)
        out.append(re.escape(text[last:match.start()]))
        out.append(r"[0-9a-f]+" if _HEX_ID.fullmatch(token) and not token.isdigit() else r"\d+")
        last = match.end()
    out.append(re.escape(text[last:]))
    return "".join(out)


def _generalise(values: Iterable[str]) -> str:
    """One path segment's pattern from the values the article links have there.

    The same form everywhere stays (``content``, ``post_\\d+\\.html``); lower-case words that
    differ are a sub-column (``[a-z]+``); forms that differ by a short prefix are spelled out
    (``(?:m)?post_\\d+\\.html``); anything else is a slug (``[^/]+``).
    """
    forms = sorted(set(map(_form, values)))
    if len(forms) == 1:
        return forms[0]
    if all(re.fullmatch(r"[a-z]+", form) for form in forms):
        return "[a-z]+"
    prefix = _common_prefix(forms)
    suffix = _common_prefix([form[len(prefix):][::-1] for form in forms])[::-1]
    middles = [form[len(prefix):len(form) - len(suffix)] for form in forms]
    if suffix and all(len(m) <= _SHORT_VARIANT and re.fullmatch(r"[A-Za-z]*", m)
                      for m in middles):
        variants = sorted({m for m in middles if m})
        optional = "?" if "" in middles else ""
        return f"{prefix}(?:{'|'.join(variants)}){optional}{suffix}"
    return "[^/]+"


def _common_prefix(texts: Sequence[str]) -> str:
    first, last = min(texts), max(texts)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    # Never cut a regex escape or class in two: back up to a literal boundary.
    cut = first[:n]
    while cut and (cut.endswith("\\") or cut.count("[") > cut.count("]")):
        cut = cut[:-1]
    return cut


# ---------------------------------------------------------------- one look at a column

Fetch = Callable[[str], tuple[bytes, str | None, str]]


def discover(url: str, body: bytes, content_type: str | None = None,
             fetch: Fetch | None = None) -> Discovery | None:
    """The column's article links and pattern from its first list page, widened by the
    second when ``fetch`` is given and the page has a pager; None when it is no list page."""
    page = read_list(body, url, content_type)
    if page is None:
        return None
    found = best_candidate(page, url)
    if found is None:
        return None
    doubts: list[str] = []
    if fetch is not None and page.next_urls:
        found = _widened(found, page, url, page.next_urls[0], fetch, doubts)
    if not any(link.date_text for link in found.links):
        doubts.append("no date is printed beside the links: check that they are the "
                      "column's articles")
    odd = [link.url for link in found.links if not is_headline(link.title)]
    if odd:
        doubts.append(f"the pattern also matches {len(odd)} link(s) without an article's "
                      f"title, e.g. {odd[0]}: check that they are articles")
    if not page.next_urls:
        doubts.append("no next page found: only the start page's articles will be crawled")
    return Discovery(url, found.links, found.pattern, page.next_urls, page.section, doubts)


def _widened(found: Candidate, page: ListPage, url: str, next_url: str, fetch: Fetch,
             doubts: list[str]) -> Candidate:
    """The pattern widened to the next list page's articles (a sub-column that appears
    only there), unless widening takes furniture of the first page too."""
    try:
        body, content_type, final = fetch(next_url)
    except FetchError as exc:
        doubts.append(f"the next page could not be read ({exc})")
        return found
    second = read_list(body, final, content_type)
    there = best_candidate(second, final) if second is not None else None
    if there is None:
        doubts.append(f"the next page {next_url} lists no articles")
        return found
    if there.pattern == found.pattern:
        return found
    wider = derive_pattern([link.url for link in (*found.links, *there.links)])
    first = _score(page, url, wider)
    if first.score >= found.score:
        return first
    doubts.append(f"the next page's articles ({there.links[0].url}) do not fit the pattern: "
                  "check article_url_pattern")
    return found


def _score(page: ListPage, url: str, pattern: str) -> Candidate:
    compiled = re.compile(pattern)
    matched = [link for link in _best_links(link_groups(page, url)).values()
               if compiled.search(link.url)]
    return Candidate(pattern, matched, sum(map(_weight, matched)))


# ---------------------------------------------------------------- naming

_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)
_SITE_NAME = re.compile(
    r"<meta\s+[^>]*name=[\"'](?:SiteName|og:site_name|application-name)[\"'][^>]*"
    r"content=[\"']([^\"']+)", re.IGNORECASE)
_TITLE_PARTS = re.compile(r"\s+[-–—|｜]\s+|\s*[_|｜]\s*|(?<=[^\x00-\x7f])-|-(?=[^\x00-\x7f])")
_HOST_SUFFIXES = ("gov.cn", "com.cn", "org.cn", "net.cn", "edu.cn", "com", "cn", "org", "net")


def propose_name(html: str, section: str | None) -> str | None:
    """The site's name as the page prints it: SiteName meta, else the title's last part."""
    meta = _SITE_NAME.search(html)
    if meta and meta.group(1).strip():
        return meta.group(1).strip()
    title = _TITLE.search(html)
    if not title:
        return section
    parts = [p.strip() for p in _TITLE_PARTS.split(" ".join(title.group(1).split())) if p.strip()]
    return parts[-1] if parts else section


def propose_key(url: str, taken: Iterable[str] = ()) -> str:
    """A key from the host: ``www.zhuhai-hitech.gov.cn`` gives ``zhuhai-hitech``; an address
    gives its digits. A key already taken gets ``-2``, ``-3`` …"""
    parts = urlsplit(url)
    host = (parts.hostname or "site").lower().removeprefix("www.")
    for suffix in _HOST_SUFFIXES:
        if host.endswith("." + suffix):
            host = host[:-len(suffix) - 1]
            break
    key = re.sub(r"[^a-z0-9]+", "-", f"{host}-{parts.port}" if parts.port else host).strip("-")
    key = key or "site"
    used, candidate, n = set(taken), key, 2
    while candidate in used:
        candidate, n = f"{key}-{n}", n + 1
    return candidate


# ---------------------------------------------------------------- the site file

def toml_string(text: str) -> str:
    """A TOML string: single-quoted (a regex's backslashes stay as they are) when it can be."""
    if "'" not in text and "\n" not in text:
        return f"'{text}'"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def site_file_text(key: str, name: str, found: Discovery, *,
                   allowed_domains: Sequence[str] = (), obey_robots: bool = True) -> str:
    """A complete site file, every choice commented so the person who keeps it can check it."""
    first = found.links[0].url if found.links else "none"
    lines = [
        f"# {name}: one column, written by `zonenews sites add` from its list page.",
        f"# {len(found.links)} article link(s) on the start page, e.g. {first}",
        f"# Check it with `zonenews sites check {key}`; crawl it with `zonenews crawl {key}`.",
        f"key = {toml_string(key)}",
        f"name = {toml_string(name)}",
        "# List (column) pages; add more columns of the same site here.",
        f"start_urls = [{toml_string(found.url)}]",
        "# Searched in each link's absolute URL: the column's articles and nothing else.",
        f"article_url_pattern = {toml_string(found.pattern)}",
    ]
    rules = rules_seen(link.url for link in found.links)
    if rules:
        lines += ["# What these article URLs mean beyond their form (README: url_rules).",
                  f"url_rules = [{', '.join(map(toml_string, rules))}]"]
    if allowed_domains:
        lines += ["# The articles live on another host than the list.",
                  f"allowed_domains = [{', '.join(map(toml_string, allowed_domains))}]"]
    if not obey_robots:
        lines += ["obey_robots = false"]
    pager = found.next_urls[0] if found.next_urls else None
    lines += [
        'timezone = "Asia/Shanghai"',
        ("# Next list page found: " + pager) if pager else
        "# No next list page was found: only the start page's articles are crawled.",
        "# max_pages = 50        # list pages per start URL per crawl (default: to the end)",
        "",
        "[schedule]",
        'interval = "6h"         # or cron = "0 */6 * * *"; enabled = false switches it off',
    ]
    if found.doubts:
        lines[3:3] = [f"# To check: {doubt}" for doubt in found.doubts]
    return "\n".join(lines) + "\n"


def other_hosts(start_url: str, links: Sequence[ListLink]) -> list[str]:
    """The hosts of the article links when some differ from the start page's: the crawl
    stays on ``allowed_domains``, which is the start host unless the file says more."""
    start = (urlsplit(start_url).hostname or "").lower()
    hosts = {(urlsplit(link.url).hostname or "").lower() for link in links}
    return sorted(hosts | {start}) if hosts - {start} else []


# ---------------------------------------------------------------- trying the articles

# What a reader of an archive cannot do without; the other fields may well be absent.
REQUIRED_FIELDS = ("title", "published_at", "body_text")


@dataclass(frozen=True)
class Sample:
    """One article page read as a crawl would read it, or why it could not be."""

    url: str
    record: dict[str, Any] | None
    problem: str | None = None

    @property
    def missing(self) -> list[str]:
        return [name for name in REQUIRED_FIELDS if self.record and not self.record.get(name)]


def sample_articles(links: Sequence[ListLink], fetch: Fetch, site: Site | None = None,
                    count: int = 3) -> list[Sample]:
    """The first ``count`` articles extracted, nothing stored."""
    samples = []
    for link in links[:count]:
        try:
            body, content_type, final = fetch(link.url)
            record = extract_record(body, final, content_type=content_type, site=site)
        except FetchError as exc:
            samples.append(Sample(link.url, None, str(exc)))
        except ValueError as exc:   # normalize's Unusable: the page is no article
            samples.append(Sample(link.url, None, f"not an article ({exc})"))
        else:
            samples.append(Sample(link.url, record))
    return samples


@dataclass
class SiteCheck:
    """What no longer fits a site file (``problems``) and what is worth knowing (``notes``)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    without_pager: list[str] = field(default_factory=list)   # start pages with no next page


def check_site(site: Site, fetch: Fetch) -> SiteCheck:
    """The same look as ``zonenews sites add``, on each start page of an existing site."""
    result = SiteCheck()
    for url in site.start_urls:
        try:
            if site.obey_robots and not robots_allow(url):
                result.problems.append(f"{url}: forbidden by robots.txt")
                continue
            body, content_type, final = fetch(url)
        except FetchError as exc:
            result.problems.append(str(exc))
            continue
        problem = page_problem(body, content_type)
        if problem:
            result.problems.append(f"{url}: {problem.replace('_', ' ')}, not a list page")
            continue
        page = extract_list(body, final, content_type=content_type, selectors=site.selectors)
        found = article_links(page, site).links
        if not found:
            better = discover(final, body, content_type)
            hint = f"; the page's articles fit '{better.pattern}'" if better else ""
            result.problems.append(f"{url}: no link matches article_url_pattern "
                                   f"'{site.article_url_pattern.pattern}'{hint}")
            continue
        result.notes.append(f"{url}: {len(found)} article link(s)")
        if not page.next_urls:
            result.without_pager.append(url)
        for sample in sample_articles([link for _url, link in found], fetch, site, count=2):
            if sample.problem:
                result.problems.append(f"{sample.url}: {sample.problem}")
            elif sample.missing:
                result.problems.append(f"{sample.url}: no {', '.join(sample.missing)} found")
    return result


def is_list_page(found: Discovery | None, url: str) -> bool:
    """Whether a page that reads as a list is one: three article links or more, most of them
    dated, and the page's own address not of their kind (an article page's related links are)."""
    if found is None or len(found.links) < 3 or found.compiled.search(url):
        return False
    return 2 * sum(1 for link in found.links if link.date_text) >= len(found.links)
