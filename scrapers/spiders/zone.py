"""The one config-driven spider: list pages → article pages → next list page, stopping early.

Incremental by default: an article already stored is never requested again,
and a list stops being paged at the first page that holds nothing new — unless
the site's last crawl did not finish (killed, timed out, a list page failed):
then every list page is walked again, because the articles the dead crawl never
reached lie behind pages whose articles it did store.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator, Sequence
from pathlib import Path
from typing import Any, Self

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Request, Response
from scrapy.http.headers import Headers
from twisted.python.failure import Failure

from pipelines.crawlstore import CrawlStore
from pipelines.raw_article import RawArticle
from pipelines.record import PageCopy
from pipelines.runstats import (
    ERROR_PREFIX,
    FILTERED_PREFIX,
    LISTS_UNFINISHED,
    NOTE_PREFIX,
    PAGES_ARTICLE,
    PAGES_LIST,
    START_WITHOUT_ARTICLES,
)
from pipelines.urls import on_domains
from scrapers.article_pages import ArticlePages, NotAPage
from scrapers.extract import extract_list, page_problem
from scrapers.links import article_links, usable
from scrapers.middlewares import Refused
from scrapers.precheck import StartPage
from scrapers.sites import Site, load_catalog
from scrapers.stats import error_kind

# Articles before the next list page: the queue stays short and a crash loses little.
ARTICLE_PRIORITY = 10


def _truthy(value: Any) -> bool:
    return str(value).strip().lower() in ("1", "true", "yes", "on")


class ZoneSpider(scrapy.Spider):
    name = "zone"

    def __init__(self, site: Site | str = "", sites: str = "", full: bool | str = False,
                 run_id: int | str | None = None, known_urls: set[str] | None = None,
                 start_pages: Sequence[StartPage] = (), store: CrawlStore | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(site, Site):
            self.site = site
        else:
            if not site:
                raise ValueError("which site? use -a site=KEY (see `zonenews sites`)")
            dirs = [Path(p) for p in str(sites).split(os.pathsep) if p]
            self.site = load_catalog(dirs).get(site)
        self.full = full if isinstance(full, bool) else _truthy(full)
        self.run_id = int(run_id) if run_id not in (None, "") else None
        self.known: set[str] = known_urls if known_urls is not None else set()
        self.start_pages = {page.url: page for page in start_pages}
        self.store = store
        self.allowed_domains = sorted(self.site.allowed_domains)
        self.scheduled: set[str] = set()
        self.catch_up = False
        self.keep_raw = self.site.keep_raw

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        site = spider.site
        s = crawler.settings
        # One site per crawl: no more requests in flight than the site allows, so a stop
        # (time limit, signal) waits for at most that many.
        s.set("CONCURRENT_REQUESTS", site.concurrency, priority="spider")
        s.set("CONCURRENT_REQUESTS_PER_DOMAIN", site.concurrency, priority="spider")
        s.set("AUTOTHROTTLE_TARGET_CONCURRENCY", float(site.concurrency), priority="spider")
        # The site's delay is AutoThrottle's floor and its start; it slows down from there as
        # the server's answers slow. Starting higher only made every crawl's first second idle.
        s.set("DOWNLOAD_DELAY", site.delay, priority="spider")
        s.set("AUTOTHROTTLE_START_DELAY", site.delay, priority="spider")
        s.set("ROBOTSTXT_OBEY", site.obey_robots, priority="spider")
        s.set("CLOSESPIDER_TIMEOUT", site.timeout, priority="spider")
        spider.keep_raw = site.keep_raw and s.getbool("ZONENEWS_KEEP_RAW", True)
        # Started by `scrapy crawl zone` rather than the runner: the store of the settings.
        store = spider.store or CrawlStore.at(s["DATABASE_URL"])
        if spider.known_urls_needed():
            spider.known = store.known_urls(site.key)
        if not spider.full:
            previous = store.previous_crawl(site.key, spider.run_id)
            spider.catch_up = previous is not None and not previous.finished
            if spider.catch_up:
                spider.logger.info("%s: the last crawl did not finish; every list page is "
                                   "walked again", site.key)
        return spider

    def known_urls_needed(self) -> bool:
        return not self.full and not self.known

    async def start(self) -> AsyncIterator[Request]:
        for url in self.site.start_urls:
            page = self.start_pages.get(url)
            if page is None:
                yield Request(url, callback=self.parse_list, errback=self.on_error,
                              cb_kwargs={"page_no": 1}, dont_filter=True)
                continue
            # Fetched moments ago by the check before the crawl: read here, not fetched again.
            headers = Headers({"Content-Type": page.content_type} if page.content_type else {})
            response = Response(url, headers=headers, body=page.body, request=Request(url))
            for request in self.parse_list(response, page_no=1):
                yield request

    def _count(self, key: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key, n)

    def parse_list(self, response: Response, page_no: int) -> Iterator[Request]:
        problem = page_problem(response.body, _content_type(response))
        if problem:
            self._count(ERROR_PREFIX + problem)
            self._count(LISTS_UNFINISHED)
            self.logger.warning("list page %s: %s", response.url, problem.replace("_", " "))
            return
        self._count(PAGES_LIST)
        try:
            page = extract_list(response.body, response.url, content_type=_content_type(response),
                                selectors=self.site.selectors)
        except Exception:
            self._count(LISTS_UNFINISHED)  # Scrapy counts and logs the exception itself
            raise
        found = article_links(page, self.site)
        for reason, n in found.filtered.items():
            self._count(FILTERED_PREFIX + reason, n)
        fresh = 0
        for url, link in found.links:
            if url in self.scheduled or (not self.full and url in self.known):
                continue
            self.scheduled.add(url)
            fresh += 1
            yield Request(url, callback=self.parse_article, errback=self.on_error,
                          priority=ARTICLE_PRIORITY,
                          cb_kwargs={"list_title": link.title, "list_date": link.date_text,
                                     "list_section": page.section})
        if not found.links:
            self._count(FILTERED_PREFIX + "list_without_articles")
            if page_no == 1:
                self._count(START_WITHOUT_ARTICLES)
                assert self.crawler.stats is not None
                self.crawler.stats.set_value(
                    f"{NOTE_PREFIX}start_without_articles/{response.url}",
                    f"{response.url} lists no link matching article_url_pattern "
                    f"'{self.site.article_url_pattern.pattern}'")
        if fresh == 0 and not self.full and not self.catch_up:
            self._count("zonenews/lists/stopped_nothing_new")
            return
        if self.site.max_pages and page_no >= self.site.max_pages:
            self._count("zonenews/lists/stopped_max_pages")
            return
        for next_url in page.next_urls[:1]:
            if usable(str, next_url) is None:
                self._count(FILTERED_PREFIX + "bad_link")
            elif on_domains(next_url, self.site.allowed_domains):
                yield Request(next_url, callback=self.parse_list, errback=self.on_error,
                              cb_kwargs={"page_no": page_no + 1})

    def parse_article(self, response: Response, list_title: str | None, list_date: str | None,
                      list_section: str | None) -> Iterator[RawArticle | Request]:
        # Stored under the URL we asked for: a redirect within the site must not make a twin.
        first_url = (response.request.meta.get("redirect_urls") or [response.url])[0] \
            if response.request is not None else response.url
        try:
            article = ArticlePages(_copy(response), self.site, first_url,
                                   keep_pages=self.keep_raw, headline=list_title)
        except NotAPage as exc:
            self._not_a_page(exc)
            return
        self._count(PAGES_ARTICLE)
        article.raw.list_title = list_title
        article.raw.list_date = list_date
        article.raw.list_section = list_section
        yield from self._whole(article)

    def parse_article_part(self, response: Response,
                           article: ArticlePages) -> Iterator[RawArticle | Request]:
        """A later page of an article split over several: its text joins the first page's.

        An article whose part cannot be read is not stored, so the next crawl tries it again.
        """
        try:
            article.add(_copy(response))
        except NotAPage as exc:
            self._not_a_page(exc)
            return
        self._count(PAGES_ARTICLE)
        yield from self._whole(article)

    def _not_a_page(self, exc: NotAPage) -> None:
        self._count(ERROR_PREFIX + exc.problem)
        self.logger.warning("article page %s: %s", exc.url, exc.problem.replace("_", " "))

    def _whole(self, article: ArticlePages) -> Iterator[RawArticle | Request]:
        """The article once all its pages are read: the request for its next page until then."""
        following = article.next_part(self.scheduled)
        if following is not None:
            self.scheduled.add(following)
            yield Request(following, callback=self.parse_article_part, errback=self.on_error,
                          priority=ARTICLE_PRIORITY + 1, cb_kwargs={"article": article})
            return
        yield article.raw

    def on_error(self, failure: Failure) -> None:
        """Count a page that could not be fetched by the kind of fault; the crawl goes on.

        A list page that fails leaves its list unfinished, which the next crawl
        notices (it then walks every list page again).
        """
        request = getattr(failure, "request", None)
        if request is not None and request.callback == self.parse_list:
            self._count(LISTS_UNFINISHED)
        if isinstance(failure.value, Refused):
            return  # counted where it was refused
        self._count(ERROR_PREFIX + error_kind(failure))
        self.logger.warning("%s: %s", getattr(request, "url", "?"), failure.getErrorMessage())


def _content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None


def _copy(response: Response) -> PageCopy:
    return PageCopy(response.url, response.body, _content_type(response))
