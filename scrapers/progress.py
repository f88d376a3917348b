"""ProgressReporter: one line per site on stderr every few seconds while a crawl runs."""

from __future__ import annotations

import sys
from typing import Self, TextIO

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet.task import LoopingCall

from pipelines.runstats import figures_from_stats

INTERVAL_SECONDS = 2.0


class ProgressReporter:
    def __init__(self, crawler: Crawler, stream: TextIO = sys.stderr) -> None:
        self.crawler = crawler
        self.stream = stream
        self.ticker: LoopingCall | None = None
        self.label = ""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not crawler.settings.getbool("ZONENEWS_PROGRESS"):
            raise NotConfigured  # progress lines are for the zonenews command only
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        site = getattr(spider, "site", None)
        self.label = site.key if site is not None else spider.name
        self.ticker = LoopingCall(self.report)
        self.ticker.start(INTERVAL_SECONDS, now=False)

    def report(self) -> None:
        assert self.crawler.stats is not None
        f = figures_from_stats(self.crawler.stats.get_stats())
        print(f"{self.label}: {f.pages_fetched} pages, {f.articles_new} new, "
              f"{f.articles_updated} updated, {f.articles_unchanged} unchanged, "
              f"{f.errors} errors", file=self.stream, flush=True)

    def spider_closed(self, spider: Spider) -> None:
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
