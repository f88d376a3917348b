"""An article read from its pages: the first, then each later part it links (page 2, 3…).

The crawl, ``zonenews extract`` and re-extraction all read an article here, so they
cannot disagree on a page: the same extraction, the same fields from the site file,
the same rule for which later part is followed, the same joining of the parts.
Only the fetching differs (Scrapy's requests, one plain fetch, the kept copies).
"""

from __future__ import annotations

from collections.abc import Collection

from pipelines.normalize import Unusable
from pipelines.raw_article import RawArticle
from pipelines.record import PageCopy
from pipelines.urls import canonical_url, host_of, on_domains
from scrapers.extract import extract_article, page_problem
from scrapers.sites import Site

# The most pages one article is read from (a long policy document split by its CMS).
MAX_ARTICLE_PARTS = 20


class NotAPage(Unusable):
    """An answer that is not an article page; ``problem`` names it as the crawl's stats do."""

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        self.problem = problem
        super().__init__(problem)


def read_page(page: PageCopy, site: Site | None, headline: str | None = None) -> RawArticle:
    """What one article page says; NotAPage for an empty answer, an image, a binary…"""
    problem = page_problem(page.body, page.content_type)
    if problem:
        raise NotAPage(page.url, problem)
    return extract_article(page.body, page.url, content_type=page.content_type,
                           selectors=site.selectors if site else None, headline=headline)


class ArticlePages:
    """One article as its pages are read: ``raw`` holds what they said so far.

    ``url`` is the address the article is stored under (the one asked for, before any
    redirect); ``site`` is None for a page tried without a site file; ``headline`` is the
    title the list page linked it with, for a page that prints none of its own.
    """

    def __init__(self, first: PageCopy, site: Site | None, url: str, *,
                 keep_pages: bool = False, headline: str | None = None) -> None:
        self.site = site
        self.raw = read_page(first, site, headline)
        self.parts = 1
        rules = site.url_rules if site else frozenset()
        self.raw.url = canonical_url(url, rules)
        self.raw.site = site.key if site else None
        self.raw.site_name = site.name if site else None
        self.raw.timezone = site.timezone if site else "Asia/Shanghai"
        self.raw.language = site.language if site else None
        self.raw.url_rules = rules
        self.keep_pages = keep_pages
        if keep_pages:
            self.raw.pages = [first]
        # Without a site file, later parts are followed on the page's own host only.
        self.domains = site.allowed_domains if site else frozenset({host_of(url)} - {""})

    def next_part(self, seen: Collection[str]) -> str | None:
        """The later part to read next, or None when the article is whole.

        ``seen`` are the URLs already asked for: a part is never read twice, and a pager
        that leads back to an earlier page ends the article.
        """
        following = self.raw.next_part
        if (following and self.parts < MAX_ARTICLE_PARTS and following not in seen
                and on_domains(following, self.domains)):
            return str(following)
        return None

    def add(self, page: PageCopy) -> None:
        """Join a later part's text and credits to what the earlier pages said."""
        self.raw.join(read_page(page, self.site))
        if self.keep_pages:
            self.raw.pages = [*self.raw.pages, page]
        self.parts += 1
