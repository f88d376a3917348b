"""What makes two fetches of an article "the same": content hashes, and one item per URL per crawl."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from pipelines.record import ArticleRecord

_SPACE = re.compile(r"\s+")


def content_hash(title: str, body_text: str) -> str:
    """A hash of what a reader sees; whitespace and Unicode forms do not make a new version."""
    norm = unicodedata.normalize("NFKC", f"{title}\n{body_text}")
    return hashlib.sha256(_SPACE.sub(" ", norm).strip().encode("utf-8")).hexdigest()


class DedupePipeline:
    """Drop a second item for a URL already handled in this crawl (twins, re-linked pages)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.seen: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: ArticleRecord) -> ArticleRecord:
        if item.url in self.seen:
            self.stats.inc_value("articles/dropped/duplicate_url")
            raise DropItem(f"duplicate URL in this crawl: {item.url}")
        self.seen.add(item.url)
        return item
