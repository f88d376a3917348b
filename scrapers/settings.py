"""Scrapy settings for zonenews: polite to government sites, bounded, and quiet.

Per-site values (concurrency, delay, robots, time limit) are applied on top of
these by the spider from its site file.
"""

from __future__ import annotations

import os

BOT_NAME = "zonenews"
SPIDER_MODULES = ["scrapers.spiders"]
NEWSPIDER_MODULE = "scrapers.spiders"

# Who we are and how to reach the operator: set ZONENEWS_CONTACT to a URL or e-mail address.
CONTACT = os.environ.get("ZONENEWS_CONTACT", "https://github.com/zonenews/zonenews")
USER_AGENT = f"zonenews/0.1 (+{CONTACT})"

ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0
# AutoThrottle follows the server's own latency: a slow government server is asked less often.
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False

# No remote control of a crawl: no telnet console.
TELNETCONSOLE_ENABLED = False

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.store.StorePipeline": 300,
}
EXTENSIONS = {
    "pipelines.runlog.RunRecorder": 500,
    "scrapers.progress.ProgressReporter": 510,
}

DATABASE_URL = os.environ.get("ZONENEWS_DB", "sqlite:///zonenews.db")
STORE_BATCH_SIZE = 50
STORE_FLUSH_SECONDS = 1.0
ZONENEWS_PROGRESS = False      # the CLI turns on progress lines on stderr
ZONENEWS_TRIGGER = "manual"

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"
