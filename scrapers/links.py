"""Which links of a list page are the site's articles.

The spider and the check before a crawl (``scrapers.precheck``) decide it here,
so the check can never call a page "nothing new" that the spider would crawl.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

from pipelines.urls import canonical_url, on_domains
from scrapers.extract.listing import ListLink, ListPage
from scrapers.sites import Site

logger = logging.getLogger(__name__)


@dataclass
class ListArticles:
    links: list[tuple[str, ListLink]] = field(default_factory=list)  # canonical URL, link
    filtered: Counter[str] = field(default_factory=Counter)          # links refused, by reason


def article_links(page: ListPage, site: Site) -> ListArticles:
    """The page's links to the site's articles, in page order, under their canonical URLs."""
    found = ListArticles()
    canonical = partial(canonical_url, rules=site.url_rules)
    for link in page.links:
        try:
            if not site.article_url_pattern.search(link.url):
                continue
        except TimeoutError:
            # A pattern that backtracks without end costs its links, never the crawl's time.
            found.filtered["pattern_timeout"] += 1
            continue
        url = usable(canonical, link.url)
        if url is None:
            found.filtered["bad_link"] += 1
        elif not on_domains(url, site.allowed_domains):
            found.filtered["offsite_link"] += 1
        else:
            found.links.append((url, link))
    if found.filtered["pattern_timeout"]:
        logger.warning("%s: article_url_pattern %r took too long on %d links of a list page; "
                       "rewrite it without nested repeats such as (a+)+", site.path or site.key,
                       site.article_url_pattern.pattern, found.filtered["pattern_timeout"])
    return found


def usable(form: Callable[[str], str], url: str) -> str | None:
    """``form(url)`` if a request can be made for it; None for a link with a broken port or host.

    One such link on a list page must cost that link, not the whole page.
    """
    try:
        formed = form(url)
        port = urlsplit(formed).port   # raises for an IPv6 host or port that does not parse
    except ValueError:
        return None
    return None if port == 0 else formed
