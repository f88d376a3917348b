"""Where a crawl is started: one or more sites, in this process, each with its run record.

The command line calls ``crawl_sites`` directly; the local launcher
(``scrapers.launchers.local``) runs ``python -m scrapers.runner`` in a child
process, because Twisted's reactor cannot be restarted within one process.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from pipelines.crawlstore import CrawlStore
from pipelines.db import DatabaseError, database_url, error_line, open_database
from pipelines.derive import derive_after_crawl
from pipelines.models import CrawlRun
from pipelines.runs import (
    AlreadyRunning,
    finish_run,
    mark_run,
    reap_interrupted,
    record_journaled,
    start_run,
)
from pipelines.runstats import RunFigures, details_from_stats, figures_from_stats, notes_from_stats
from scrapers.precheck import StartPage, check_start_pages
from scrapers.sites import Site, SiteCatalog, load_catalog

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)

# Exit status of the child process when a site was refused because it is already being crawled.
EXIT_ALREADY_RUNNING = 3


@dataclass(frozen=True)
class CrawlOutcome:
    site: str
    status: str                 # a run status, or "refused" when the site was already running
    run_id: int | None
    figures: RunFigures
    message: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


def crawl_settings(db_url: str, *, trigger: str = "manual", progress: bool = False,
                   log_level: str = "WARNING") -> Settings:
    from scrapy.settings import Settings

    settings = Settings()
    settings.setmodule("scrapers.settings", priority="project")
    settings.set("DATABASE_URL", db_url, priority="cmdline")
    settings.set("ZONENEWS_TRIGGER", trigger, priority="cmdline")
    settings.set("ZONENEWS_PROGRESS", progress, priority="cmdline")
    settings.set("LOG_LEVEL", log_level, priority="cmdline")
    return settings


def crawl_sites(sites: Sequence[Site], *, db_url: str | None = None, full: bool = False,
                trigger: str = "manual", progress: bool = False,
                log_level: str = "WARNING", derive: bool = True) -> list[CrawlOutcome]:
    """Crawl ``sites`` side by side in one Scrapy process; one outcome per site.

    The run row (the site's lock) is taken before Scrapy starts, so a site that
    is already being crawled is refused with the reason and never fetched. A
    site whose start pages hold nothing new is finished without Scrapy
    (``scrapers.precheck``); Scrapy is imported only when a site needs it. When any site
    stored something new or changed, the facts and stories are derived afterwards in a process
    of their own (``pipelines.derive``), unless ``derive`` is false.
    """
    url = database_url(db_url)
    sessions = open_database(url)
    reap_interrupted(sessions)
    started: list[tuple[Site, int]] = []
    outcomes: dict[str, CrawlOutcome] = {}
    crawlers: dict[str, Crawler] = {}
    for site in sites:
        try:
            started.append((site, start_run(sessions, site.key, trigger, full=full)))
        except AlreadyRunning as exc:
            outcomes[site.key] = CrawlOutcome(site.key, "refused", exc.run_id, RunFigures(),
                                              exc.reason)
    to_crawl: list[tuple[Site, int, list[StartPage]]] = []
    for site, run_id in started:
        pages = [] if full else _precheck(site, sessions, run_id)
        if pages is not None:
            to_crawl.append((site, run_id, pages))
    if to_crawl:
        from scrapy.crawler import CrawlerProcess

        from scrapers.spiders.zone import ZoneSpider

        settings = crawl_settings(url, trigger=trigger, progress=progress, log_level=log_level)
        # A caller that logs on its own (the CLI) keeps its handler and Scrapy adds none,
        # so nothing is printed twice.
        settings.set("LOG_INSTALL_ROOT_HANDLER", not logging.getLogger().handlers,
                     priority="cmdline")
        process = CrawlerProcess(settings)
        for site, run_id, pages in to_crawl:
            crawler = process.create_crawler(ZoneSpider)
            crawlers[site.key] = crawler
            process.crawl(crawler, site=site, full=full, run_id=run_id, start_pages=pages,
                          store=CrawlStore(sessions))
        try:
            process.start()
        finally:
            # A crawl that could not write its end kept it on disk: written now if the database
            # is back, before the line below could take its run for one that never closed.
            with contextlib.suppress(SQLAlchemyError):
                record_journaled(sessions)
            for _site, run_id, _pages in to_crawl:
                # A crawl that never reached spider_closed (setup error) must not hold the lock.
                with contextlib.suppress(SQLAlchemyError):   # the next start reaps it then
                    mark_run(sessions, run_id, "failed", "the crawl ended without closing its run")
    check_health(sessions, [site for site, _run_id in started])
    try:
        with sessions() as session:
            for site, run_id in started:
                run = session.get(CrawlRun, run_id)
                assert run is not None
                outcomes[site.key] = CrawlOutcome(
                    site.key, run.status, run_id,
                    RunFigures(run.pages_fetched, run.articles_new, run.articles_updated,
                               run.articles_unchanged, run.errors),
                    run.message)
    except SQLAlchemyError as exc:
        # The database went away at the end: the figures the crawl itself counted.
        for site, run_id in started:
            crawled = crawlers.get(site.key)
            counted = dict(crawled.stats.get_stats()) if crawled and crawled.stats else {}
            notes = notes_from_stats(counted)
            outcomes[site.key] = CrawlOutcome(
                site.key, "failed", run_id, figures_from_stats(counted),
                "; ".join([*notes, f"the run could not be read back ({error_line(exc)}); "
                           "the next crawl records it"]))
    if derive and any(o.figures.articles_new or o.figures.articles_updated
                      for o in outcomes.values()):
        derive_after_crawl(url)
    return [outcomes[s.key] for s in sites]


def check_health(sessions: sessionmaker[Session], sites: Sequence[Site]) -> None:
    """Each crawled site's health, recorded, and an alert where its state changed.

    Whatever goes wrong here is logged: the crawl itself is done and recorded.
    """
    if not sites:
        return
    from pipelines.alerts import alert_targets_from_env, notify_changes
    from pipelines.health import record_health, rules_for, sites_health

    try:
        healths = sites_health(sessions, {s.key: rules_for(s.health) for s in sites})
        record_health(sessions, healths)
        shared = alert_targets_from_env()
        notify_changes(sessions, healths, {s.key: [*shared, *s.alerts] for s in sites})
    except SQLAlchemyError as exc:
        # The database went away: the crawl has said so in its own line; health waits for the
        # next run.
        logger.info("the sites' health could not be checked after the crawl: %s", error_line(exc))
    except Exception:
        logger.exception("the sites' health could not be checked after the crawl")


def _precheck(site: Site, sessions: sessionmaker[Session], run_id: int) -> list[StartPage] | None:
    """None when the site had nothing new and its run is finished; else the start pages
    already fetched, for its crawl."""
    try:
        verdict = check_start_pages(site, CrawlStore(sessions), run_id)
    except Exception:  # the check only saves time: whatever goes wrong, the crawl decides
        logger.warning("%s: the check before the crawl failed; crawling", site.key, exc_info=True)
        return []
    if not verdict.nothing_new:
        logger.info("%s: crawling (%s)", site.key, verdict.reason)
        return verdict.pages
    stats = dict(verdict.stats)
    finish_run(sessions, run_id, "succeeded", figures_from_stats(stats), details_from_stats(stats))
    logger.info("%s: nothing new on its %d start page(s); the crawler was not started",
                site.key, len(verdict.pages))
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Child-process entry: crawl one site and exit 0 when it succeeded."""
    parser = argparse.ArgumentParser(prog="python -m scrapers.runner")
    parser.add_argument("site")
    parser.add_argument("--db")
    parser.add_argument("--sites", action="append", default=[])
    parser.add_argument("--trigger", default="schedule", choices=("manual", "schedule"))
    parser.add_argument("--full", action="store_true")
    parser.add_argument("--log-level", default="WARNING")
    args = parser.parse_args(argv)
    catalog: SiteCatalog = load_catalog(args.sites)
    try:
        site = catalog.get(args.site)
        (outcome,) = crawl_sites([site], db_url=args.db, full=args.full, trigger=args.trigger,
                                 log_level=args.log_level)
    except (KeyError, DatabaseError) as exc:
        print(f"zonenews: {exc.args[0] if exc.args else exc}", file=sys.stderr)
        return 2
    if outcome.status == "refused":
        print(f"zonenews: {outcome.site}: {outcome.message}", file=sys.stderr)
        return EXIT_ALREADY_RUNNING
    return 0 if outcome.ok else 1


if __name__ == "__main__":
    sys.exit(main())
