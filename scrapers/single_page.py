"""One page through the same extraction and normalisation as a crawl, nothing stored.

It is how a user tries a site before writing its file (``zonenews extract``).
"""

from __future__ import annotations

import urllib.error
import urllib.request
from typing import Any

from pipelines.normalize import LIST_CONTEXT, normalize
from pipelines.queries import iso
from pipelines.record import ArticleRecord, RawCopy
from scrapers.extract import extract_article
from scrapers.settings import DOWNLOAD_MAXSIZE, DOWNLOAD_TIMEOUT, USER_AGENT
from scrapers.sites import Site
from scrapers.urls import canonical_url


class FetchError(RuntimeError):
    pass


def fetch_page(url: str) -> tuple[bytes, str | None, str]:
    """Body, Content-Type and final URL of one page, within the crawl's size and time limits."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
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


def extract_record(body: bytes, url: str, *, content_type: str | None = None,
                   site: Site | None = None) -> dict[str, Any]:
    """The article record a crawl would store for this page (without id, version, times)."""
    raw = extract_article(body, url, content_type=content_type,
                          selectors=site.selectors if site else None)
    raw.url = canonical_url(url)
    raw.site = site.key if site else None
    raw.site_name = site.name if site else None
    raw.timezone = site.timezone if site else "Asia/Shanghai"
    raw.language = site.language if site else None
    record = normalize(raw)
    out = {k: v for k, v in vars(record).items() if k not in ("timezone", "raw")}
    out["published_at"] = iso(record.published_at, record.timezone)
    return out


def reread_record(copy: RawCopy, url: str, site: Site) -> ArticleRecord:
    """The record today's extraction reads from an article's kept pages, as a crawl would.

    Every part of a split article is read and joined the way the spider joins
    them; what the list page said comes from the kept context. Raises
    ``pipelines.normalize.Unusable`` for pages that no longer make an article.
    """
    raw = None
    for page in copy.pages:
        part = extract_article(page.body, page.url, content_type=page.content_type,
                               selectors=site.selectors)
        if raw is None:
            raw = part
        else:
            raw.join(part)
    if raw is None:
        raise ValueError(f"{url}: no kept page")
    raw.url = url
    raw.site = site.key
    raw.site_name = site.name
    raw.timezone = site.timezone
    raw.language = site.language
    for name in LIST_CONTEXT:
        setattr(raw, name, copy.context.get(name))
    return normalize(raw)
