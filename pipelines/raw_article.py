"""RawArticle: what one article page said, before any cleaning, with its dates and credits typed.

Extraction fills it from the page alone; the spider adds what it knows from the crawl
(canonical URL, site, the list page's title and date). Cleaning, parsing and judging happen
later, in ``pipelines.normalize``. It lives in ``pipelines`` so that normalisation needs nothing
from ``scrapers``; extraction imports it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from pipelines.body import Body
from pipelines.record import PageCopy


class DateOrigin(Enum):
    """Where on the page a date was printed, most trusted first.

    A site's selector is the site's own word. A time printed under the headline that no
    meta repeats beats the metas, which templates fill with the day the draft was made.
    An update time is trusted last: it is a publication time only when nothing else is.
    """

    SELECTOR = "selector"
    SHOWN = "shown under the headline"
    META = "meta"
    LINKED_DATA = "linked data"
    INFO_LINE = "info line, labelled"
    INFO_LINE_BARE = "info line, unlabelled"
    TIME_ELEMENT = "time element"
    FOOTER = "under the body"
    INFO_LINE_UPDATED = "info line, update"
    FOOTER_UPDATED = "under the body, update"


_TRUST = {origin: rank for rank, origin in enumerate(DateOrigin)}


@dataclass(frozen=True)
class DateCandidate:
    """A date as the page prints it (its label kept: 最后更新 says it is an update), and where."""

    text: str
    origin: DateOrigin

    @property
    def trust(self) -> int:
        """0 for the most trusted origin; the date parser tries candidates in this order."""
        return _TRUST[self.origin]


class CreditPlace(Enum):
    """Where a credit outside the body was found."""

    SELECTOR = "selector"
    INFO_LINE = "under the headline"
    FOOTER = "under the body"
    META = "meta"
    LINKED_DATA = "linked data"


@dataclass(frozen=True)
class CreditCandidate:
    """A credit found outside the body.

    ``role`` is the role's word printed before the value (``编辑``, ``责任编辑``, ``Author``), or
    the role the page's layout gives (``作者`` for a name printed right before the date, ``By`` on
    a blog's header line); ``text`` is then the value. Without a role, ``text`` is a whole credit
    line (``文/宋雪梅 图/吴长福``) or a name from author markup, for the credit parser to read.
    """

    text: str
    place: CreditPlace
    role: str | None = None


@dataclass
class RawArticle:
    """The fields of one article page, uncleaned; a field the page does not show stays empty."""

    url: str
    # Set by the spider from the crawl.
    site: str | None = None            # site key
    site_name: str | None = None       # the site file's name (what 来源：本网, "this site", means)
    timezone: str | None = None        # IANA zone of the site ("Asia/Shanghai")
    language: str | None = None        # the site file's language, if it names one
    url_rules: frozenset[str] = frozenset()   # the site file's url_rules (pipelines.urls)
    list_title: str | None = None      # the link text on the list page
    list_date: str | None = None       # date text beside the link on the list page
    list_section: str | None = None    # the list page's column name
    # Set by extraction from the page itself.
    title: str | None = None           # headline, site-name suffix removed
    published: list[DateCandidate] = field(default_factory=list)
    section: str | None = None         # column (ColumnName, breadcrumb)
    source: str | None = None          # 来源 text with its label removed
    credits: list[CreditCandidate] = field(default_factory=list)
    # The body's HTML: as written where a site's selector or a CMS's markers bound it, else the
    # safe HTML of the blocks the body cleaner kept (no furniture either way in ``body``).
    body_html: str = ""
    body: Body | None = None           # its blocks, read from the page's own tree (credits still in)
    summary: str | None = None         # meta description
    tags: list[str] = field(default_factory=list)
    page_language: str | None = None   # <html lang>, og:locale, content-language
    next_part: str | None = None       # the next page of an article split over several
    # Set by the spider unless raw pages are turned off: the pages as fetched, for re-extraction.
    pages: list[PageCopy] = field(default_factory=list)

    def join(self, more: RawArticle) -> None:
        """Add a later page of an article split over several to what its first page said.

        The crawl and re-extraction join parts here, so both read a split article alike.
        """
        self.body_html = f"{self.body_html}\n{more.body_html}"
        self.body = None if self.body is None or more.body is None else self.body.joined(more.body)
        self.credits = [*self.credits, *more.credits]
        self.next_part = more.next_part
        self.pages = [*self.pages, *more.pages]
