"""RawArticle: what one article page said, before any cleaning.

Extraction fills it from the page alone; the spider adds what it knows from the
crawl (canonical URL, site, the list page's title and date). Cleaning, parsing
and judging happen later, in ``pipelines.normalize``.
"""

from __future__ import annotations

import scrapy


class RawArticle(scrapy.Item):
    # Set by the spider from the crawl.
    url = scrapy.Field()            # str: canonical article URL
    site = scrapy.Field()           # str: site key
    site_name = scrapy.Field()      # str: the site file's name (what 来源：本网, "this site", means)
    timezone = scrapy.Field()       # str: IANA zone of the site ("Asia/Shanghai")
    language = scrapy.Field()       # str | None: the site file's language, if it names one
    url_rules = scrapy.Field()      # frozenset[str]: the site file's url_rules (pipelines.urls)
    list_title = scrapy.Field()     # str | None: the link text on the list page
    list_date = scrapy.Field()      # str | None: date text beside the link on the list page
    list_section = scrapy.Field()   # str | None: the list page's column name

    # Set by extraction from the page itself.
    title = scrapy.Field()          # str | None: headline, site-name suffix removed
    published = scrapy.Field()      # list[str]: raw date strings, most trusted first
    section = scrapy.Field()        # str | None: column (ColumnName, breadcrumb)
    source = scrapy.Field()         # str | None: 来源 text with its label removed
    byline = scrapy.Field()         # list[str]: credit/author texts found outside the body
    body_html = scrapy.Field()      # str: HTML fragment of the main content, uncleaned
    summary = scrapy.Field()        # str | None: meta description
    tags = scrapy.Field()           # list[str]: meta keywords
    page_language = scrapy.Field()  # str | None: <html lang>, og:locale, content-language
    next_part = scrapy.Field()      # str | None: the next page of an article split over several

    # Set by the spider unless raw pages are turned off: the pages as fetched, for re-extraction.
    pages = scrapy.Field()          # list[PageCopy]: every page the article was read from


def join_part(raw: RawArticle, more: RawArticle) -> None:
    """Add a later page of an article split over several to what its first page said.

    The crawl and re-extraction join parts here, so both read a split article alike.
    """
    raw["body_html"] = f"{raw['body_html']}\n{more['body_html']}"
    raw["byline"] = [*raw["byline"], *more["byline"]]
    raw["next_part"] = more["next_part"]
