"""The ceiling: a bare Scrapy spider that follows every link on the same host and does nothing else.

Scrapy's default settings (not the project's), robots.txt not asked for, and the
same concurrency as the zonenews crawl it is compared with. Run as
``python -m bench.bare START_URL PATTERN --concurrency 4``; it prints one JSON
line: pages fetched and article pages among them (URLs matching PATTERN).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.http import Request, Response


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, start_url: str, pattern: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start_urls = [start_url]
        self.host = urlsplit(start_url).netloc
        self.pattern = re.compile(pattern)
        self.pages = 0
        self.articles = 0

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Request]:
        self.pages += 1
        if self.pattern.search(response.url):
            self.articles += 1
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).netloc == self.host:
                yield Request(url, callback=self.parse)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bare")
    parser.add_argument("start_url")
    parser.add_argument("pattern")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args(argv)
    process = CrawlerProcess(settings={
        "ROBOTSTXT_OBEY": False,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
    })
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, start_url=args.start_url, pattern=args.pattern)
    process.start()
    spider = crawler.spider
    assert isinstance(spider, BareSpider)
    print(json.dumps({"pages": spider.pages, "articles": spider.articles}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
