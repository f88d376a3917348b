"""Launchers: where a scheduled or dispatched crawl runs, behind one interface.

The scheduler decides *when* a site is crawled and hands the crawl to one
launcher: ``local.ChildCrawls`` runs it in a child process of this machine,
``scrapyd_nodes.ScrapydCrawls`` sends it to the least-loaded Scrapyd node.
Both take the site's crawl lock (its ``running`` row) before any page is
fetched, wait for the crawl within the site's time limit, and return a
``CrawlResult`` read from the run table.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from pipelines.models import CrawlRun
from pipelines.runs import AlreadyRunning
from pipelines.runstats import RunFigures
from scrapers.sites import Site

logger = logging.getLogger("scheduler")


@dataclass(frozen=True)
class CrawlResult:
    """What became of one crawl handed to a launcher."""

    site: str
    status: str          # the run's status; "refused" (site already being crawled) or "skipped"
    run_id: int | None
    figures: RunFigures
    seconds: float
    message: str | None = None
    node: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "succeeded"


class Launcher(Protocol):
    """What the scheduler asks of a launcher."""

    sessions: sessionmaker[Session]

    def run(self, site: Site) -> CrawlResult:
        """Crawl ``site`` and wait for it, at most its time limit."""

    def close(self) -> None:
        """Start no more crawls."""

    def stop(self) -> bool:
        """Stop every crawl still running; True when all ended."""


def format_duration(seconds: float) -> str:
    """``30s``, ``15m``, ``6h``, ``1d``: the largest unit that says it exactly."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


def refused(exc: AlreadyRunning, seconds: float) -> CrawlResult:
    """A crawl the site's lock turned away: the run that holds it, and why."""
    return CrawlResult(exc.site, "refused", exc.run_id, RunFigures(), seconds, exc.reason)


def skipped_while_stopping(site: Site) -> CrawlResult:
    """A crawl asked for after the launcher was closed: logged, never started."""
    skipped = CrawlResult(site.key, "skipped", None, RunFigures(), 0.0, "the scheduler is stopping")
    log_result(skipped)
    return skipped


def figures_of(run: CrawlRun) -> RunFigures:
    return RunFigures(run.pages_fetched, run.articles_new, run.articles_updated,
                      run.articles_unchanged, run.errors)


def log_result(result: CrawlResult) -> None:
    """The one line that ends each run, with its figures."""
    if result.status in ("refused", "skipped"):
        logger.log(logging.WARNING if result.status == "refused" else logging.INFO,
                   "%s: not started: %s", result.site, result.message)
        return
    if result.run_id is None:
        logger.error("%s: crawl failed after %.1fs: %s", result.site, result.seconds,
                     result.message)
        return
    f = result.figures
    logger.log(logging.INFO if result.status == "succeeded" else logging.WARNING,
               "%s: run %d %s after %.1fs: %d pages, %d new, %d updated, %d unchanged, "
               "%d errors%s", result.site, result.run_id, result.status, result.seconds,
               f.pages_fetched, f.articles_new, f.articles_updated, f.articles_unchanged,
               f.errors, f" ({result.message})" if result.message else "")
