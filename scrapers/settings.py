"""Scrapy settings for zonenews: polite to government sites, bounded, and quiet.

Per-site values (concurrency, delay, robots, time limit) are applied on top of
these by the spider from its site file.
"""

from __future__ import annotations

import os


def _seconds_from_env(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if seconds <= 0:
        raise ValueError(f"{name}={raw!r}: must be a number of seconds above 0")
    return seconds


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
# It starts at the site's delay (set by the spider from the site file).
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 4.0
# The longest wait for one page; ZONENEWS_DOWNLOAD_TIMEOUT changes it (a slow network, tests).
DOWNLOAD_TIMEOUT = _seconds_from_env("ZONENEWS_DOWNLOAD_TIMEOUT", 30.0)
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = False
# Scrapy starts this many asyncio workers for every response, whatever it yields; our pages
# yield one item or a list page's links, and 100 workers per page cost a tenth of the crawl's CPU.
CONCURRENT_ITEMS = 8

# No remote control of a crawl: no telnet console, no HTTP code-execution endpoint and its
# token files. No HTTP cache and no job directory either: the database is the crawl's memory.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
HTTPCACHE_ENABLED = False
JOBDIR = None

# Private answers are refused on the address the connection uses (see PrivateAddressGuard).
TWISTED_DNS_RESOLVER = "scrapers.middlewares.GuardedResolver"
DOWNLOADER_MIDDLEWARES = {
    # Before robots.txt is asked for: a private address is refused without a single request.
    "scrapers.middlewares.PrivateAddressGuard": 60,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "scrapers.middlewares.Rfc9309RobotsTxt": 100,
    # Acts when a redirect is scheduled; its place in the chain does not matter.
    "scrapers.middlewares.RedirectGuard": 610,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "scrapers.middlewares.MetaRefreshGuard": 580,
}

ITEM_PIPELINES = {
    "pipelines.normalize.NormalizePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.store.StorePipeline": 300,
}
EXTENSIONS = {
    "scrapy.extensions.telnet.TelnetConsole": None,
    "scrapy.extensions.remote_control.RemoteControl": None,
    "pipelines.runlog.RunRecorder": 500,
    "scrapers.progress.ProgressReporter": 510,
}

DATABASE_URL = os.environ.get("ZONENEWS_DB", "sqlite:///zonenews.db")
STORE_BATCH_SIZE = 50
STORE_FLUSH_SECONDS = 1.0
# How long a write the database refuses (a restart, a failover, a full disk, a lock) is retried,
# fetching paused meanwhile, before the crawl stops; ZONENEWS_STORE_RETRY_SECONDS changes it.
STORE_RETRY_SECONDS = _seconds_from_env("ZONENEWS_STORE_RETRY_SECONDS", 30.0)
ZONENEWS_PROGRESS = False      # the CLI turns on progress lines on stderr
ZONENEWS_TRIGGER = "manual"

LOG_LEVEL = "INFO"
FEED_EXPORT_ENCODING = "utf-8"

# Scrapy re-reads a callback's source for every response to warn about generator return
# values (its cache misses bound methods): a tenth of a crawl's CPU for a warning we never need.
WARN_ON_GENERATOR_RETURN_VALUE = False
# Keep each article page's bytes for `zonenews reextract` (ZONENEWS_KEEP_RAW=0 turns it off).
ZONENEWS_KEEP_RAW = os.environ.get("ZONENEWS_KEEP_RAW", "1").strip().lower() not in (
    "0", "false", "no", "off")
