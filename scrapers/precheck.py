"""A look at a site's start pages before Scrapy starts: is there anything new to crawl?

Most scheduled crawls of a zone find nothing new, and then the whole of their
work is one list page per column. Starting Scrapy for that costs about a
second, several times the look itself. So a crawl that follows a finished one
first fetches each start page here, by the crawl's rules (its User-Agent,
robots.txt, time and size limits), and when every article the pages link to is
already stored, the run is recorded as finished with nothing new and Scrapy is
never started.

Anything out of the ordinary hands the site to the crawl, which then decides
as it always does: an error, a redirect, an answer that is not a page, a
robots.txt that cannot be read or forbids a start page, a single link not yet
stored. The start pages already fetched go with it, so none is fetched twice.
"""

from __future__ import annotations

import logging
import ssl
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from protego import Protego

from pipelines.crawlstore import CrawlStore
from pipelines.runstats import FILTERED_PREFIX, LISTS_PREFIX, PAGES_LIST
from scrapers import settings
from scrapers.extract.listing import extract_list
from scrapers.extract.sniff import page_problem
from scrapers.links import article_links
from scrapers.sites import Site

logger = logging.getLogger(__name__)

CHECKED = LISTS_PREFIX + "checked_before_crawl"
STOPPED = LISTS_PREFIX + "stopped_nothing_new"


@dataclass(frozen=True)
class StartPage:
    url: str
    body: bytes
    content_type: str | None


@dataclass
class Verdict:
    """``nothing_new``, or why the site needs its crawl; the start pages fetched either way."""

    nothing_new: bool
    reason: str = ""
    pages: list[StartPage] = field(default_factory=list)
    stats: Counter[str] = field(default_factory=Counter)   # as Scrapy's stats name them


class _Unfit(Exception):
    """An answer the crawl must see for itself; ``str()`` says what it was."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None   # a 3xx is then an HTTPError: the crawl follows redirects by its own rules


def _opener() -> urllib.request.OpenerDirector:
    # Scrapy does not verify certificates either, and zone sites often have broken ones.
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    tls.check_hostname = False
    tls.verify_mode = ssl.CERT_NONE
    return urllib.request.build_opener(_NoRedirects, urllib.request.HTTPSHandler(context=tls))


def _fetch(opener: urllib.request.OpenerDirector, url: str) -> tuple[int, bytes, str | None]:
    request = urllib.request.Request(url, headers={
        "User-Agent": settings.USER_AGENT,
        "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language": "en"})   # what Scrapy sends
    try:
        with opener.open(request, timeout=settings.DOWNLOAD_TIMEOUT) as answer:
            status, headers = answer.status, answer.headers
            body = answer.read(settings.DOWNLOAD_MAXSIZE + 1)
    except urllib.error.HTTPError as exc:
        return exc.code, b"", None
    except (OSError, ValueError) as exc:   # refused, reset, timeout, a URL urllib cannot use
        raise _Unfit(f"{url}: {getattr(exc, 'reason', exc)}") from None
    if len(body) > settings.DOWNLOAD_MAXSIZE:
        raise _Unfit(f"{url}: larger than {settings.DOWNLOAD_MAXSIZE} bytes")
    if headers.get("Content-Encoding", "identity").lower() != "identity":
        raise _Unfit(f"{url}: sent {headers['Content-Encoding']} unasked")
    return status, body, headers.get("Content-Type")


def _robots(opener: urllib.request.OpenerDirector, start_urls: Sequence[str]) -> dict[str, Protego]:
    """robots.txt of each start host as RFC 9309 reads it: a 4xx means no rules; anything but
    a 2xx (a redirect, a 5xx) is for the crawl to handle."""
    hosts = {urlsplit(u).netloc: urlsplit(u).scheme for u in reversed(start_urls)}
    rules = {}
    for netloc, scheme in hosts.items():
        status, body, _type = _fetch(opener, f"{scheme}://{netloc}/robots.txt")
        if 400 <= status < 500:
            body = b""
        elif not 200 <= status < 300:
            raise _Unfit(f"robots.txt of {netloc}: HTTP {status}")
        rules[netloc] = Protego.parse(body.decode("utf-8", errors="ignore"))
    return rules


def check_start_pages(site: Site, store: CrawlStore, current_run: int | None = None) -> Verdict:
    """Whether the site's start pages link only to stored articles, as its crawl would see them.

    Only after a run that finished: after a first run or one that stopped short,
    the crawl walks every list page anyway.
    """
    last = store.previous_crawl(site.key, current_run)
    if last is None:
        return Verdict(False, "no earlier crawl")
    if not last.finished:
        return Verdict(False, f"run {last.run_id} did not finish its lists")
    verdict = Verdict(False)
    opener = _opener()
    try:
        rules = _robots(opener, site.start_urls) if site.obey_robots else {}
        linked: set[str] = set()
        for url in site.start_urls:
            robots = rules.get(urlsplit(url).netloc)
            if robots is not None and not robots.can_fetch(url, settings.USER_AGENT):
                raise _Unfit(f"{url}: forbidden by robots.txt")
            status, body, content_type = _fetch(opener, url)
            if status != 200:
                raise _Unfit(f"{url}: HTTP {status}")
            problem = page_problem(body, content_type)
            if problem:
                raise _Unfit(f"{url}: {problem.replace('_', ' ')}")
            verdict.pages.append(StartPage(url, body, content_type))
            found = article_links(extract_list(body, url, content_type=content_type,
                                               selectors=site.selectors), site)
            verdict.stats.update({FILTERED_PREFIX + k: n for k, n in found.filtered.items()})
            if not found.links:   # the crawl records why: see START_WITHOUT_ARTICLES
                raise _Unfit(f"{url}: no article link")
            linked.update(u for u, _link in found.links)
    except _Unfit as exc:
        verdict.reason = str(exc)
        return verdict
    new = linked - store.stored_urls(site.key, linked)
    if new:
        verdict.reason = f"{len(new)} new article link(s) on the start pages"
        return verdict
    pages = len(verdict.pages)
    verdict.stats.update({PAGES_LIST: pages, STOPPED: pages, CHECKED: pages})
    verdict.nothing_new = True
    return verdict
