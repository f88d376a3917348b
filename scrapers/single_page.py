"""One page through the same extraction and normalisation as a crawl, nothing stored.

It is how a user tries a site before writing its file (``zonenews extract``).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

from w3lib.url import safe_url_string

from pipelines.normalize import LIST_CONTEXT, normalize
from pipelines.queries import iso
from pipelines.record import ArticleRecord, PageCopy, RawCopy
from scrapers.article_pages import ArticlePages
from scrapers.settings import DOWNLOAD_MAXSIZE, DOWNLOAD_TIMEOUT, USER_AGENT
from scrapers.sites import Site


class FetchError(RuntimeError):
    pass


def fetch_page(url: str) -> tuple[bytes, str | None, str]:
    """Body, Content-Type and final URL of one page, within the crawl's size and time limits."""
    # Percent-encoded as a browser (and Scrapy) would send it: urllib sends only ASCII.
    request = urllib.request.Request(safe_url_string(url), headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=DOWNLOAD_TIMEOUT) as resp:
            body = resp.read(DOWNLOAD_MAXSIZE + 1)
            if len(body) > DOWNLOAD_MAXSIZE:
                raise FetchError(f"{url}: larger than {DOWNLOAD_MAXSIZE} bytes")
            return body, resp.headers.get("Content-Type"), resp.geturl()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code} {exc.reason}") from None
    except OSError as exc:
        raise FetchError(f"{url}: {getattr(exc, 'reason', exc)}") from None


def fetch_copy(url: str) -> PageCopy:
    """One later part of an article, as ``fetch_page`` gets it."""
    body, content_type, final_url = fetch_page(url)
    return PageCopy(final_url, body, content_type)


def extract_record(body: bytes, url: str, *, content_type: str | None = None,
                   site: Site | None = None,
                   fetch: Callable[[str], PageCopy] | None = None) -> dict[str, Any]:
    """The article record a crawl would store for this page (without id, version, times).

    With ``fetch`` (``fetch_copy`` on the network), a split article's later parts are
    fetched and joined as the crawl joins them; one that cannot be fetched raises
    FetchError, one that is no page ``scrapers.article_pages.NotAPage``: the crawl would
    not store the article either. Without it, the page is read alone.
    """
    article = ArticlePages(PageCopy(url, body, content_type), site, url)
    asked = {url}
    while fetch is not None and (following := article.next_part(asked)) is not None:
        asked.add(following)
        article.add(fetch(following))
    record = normalize(article.raw)
    out = {k: v for k, v in vars(record).items() if k not in ("timezone", "raw")}
    out["published_at"] = iso(record.published_at, record.timezone)
    return out


def reread_record(copy: RawCopy, url: str, site: Site) -> ArticleRecord:
    """The record today's extraction reads from an article's kept pages, as a crawl would.

    Every part of a split article is read and joined the way the spider joins
    them; what the list page said comes from the kept context. Raises
    ``pipelines.normalize.Unusable`` for pages that no longer make an article.
    """
    if not copy.pages:
        raise ValueError(f"{url}: no kept page")
    first, *later = copy.pages
    # The list's title reaches the body cleaner as it did in the crawl, or the body differs.
    article = ArticlePages(first, site, url, headline=copy.context.get("list_title"))
    for page in later:
        article.add(page)
    # The stored row's URL, whatever today's url_rules would make of it: the record replaces it.
    article.raw.url = url
    for name in LIST_CONTEXT:
        setattr(article.raw, name, copy.context.get(name))
    return normalize(article.raw)
