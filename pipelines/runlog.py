"""RunRecorder: every crawl keeps its run record current, from start to its final status."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from twisted.internet.task import LoopingCall

from pipelines.db import error_line, open_database
from pipelines.models import utcnow
from pipelines.runjournal import FinalRecord, write_final
from pipelines.runs import (
    AlreadyRunning,
    claim_run,
    finish_run,
    record_progress,
    start_run,
)
from pipelines.runstats import (
    DROPPED_PREFIX,
    NOT_STORED,
    START_WITHOUT_ARTICLES,
    details_from_stats,
    figures_from_stats,
    notes_from_stats,
)
from pipelines.store import STORE_FAILED

logger = logging.getLogger(__name__)

HEARTBEAT_SECONDS = 5.0
# Why a crawl closes when its run was ended by someone else: nothing of it is recorded then.
GIVEN_UP = "run_given_up"


def status_for(reason: str, stats: dict[str, Any]) -> str:
    """The run status for the reason Scrapy gives when a spider closes.

    A crawl that read articles it could not store has not succeeded, whatever
    the reason it closed: its run must tell the next crawl to walk the lists again.
    """
    if reason == "finished":
        pages = int(stats.get("zonenews/pages/list", 0)) + int(stats.get("zonenews/pages/article", 0))
        return ("succeeded" if pages > 0 and not stats.get(NOT_STORED)
                and not stats.get(START_WITHOUT_ARTICLES) else "failed")
    if reason == "closespider_timeout":
        return "timeout"
    if reason == "shutdown":
        return "interrupted"
    return "failed"


class RunRecorder:
    """Opens the run (the site's crawl lock) if the caller has not, heartbeats, and closes it."""

    def __init__(self, crawler: Crawler, database_url: str, trigger: str) -> None:
        self.crawler = crawler
        self.database_url = database_url
        self.trigger = trigger
        self.sessions: sessionmaker[Session] | None = None
        self.run_id: int | None = None
        self.ticker: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ext = cls(crawler, crawler.settings["DATABASE_URL"],
                  crawler.settings.get("ZONENEWS_TRIGGER", "manual"))
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        return ext

    def spider_opened(self, spider: Spider) -> None:
        self.sessions = open_database(self.database_url)
        self.run_id = getattr(spider, "run_id", None)
        if self.run_id is None:
            site = getattr(spider, "site", None)
            try:
                self.run_id = start_run(self.sessions, site.key if site else spider.name,
                                        self.trigger, full=bool(getattr(spider, "full", False)))
            except AlreadyRunning as exc:
                logger.error("%s", exc)
                assert self.crawler.engine is not None
                self.crawler.engine.close_spider(spider, "already_running")
                return
            spider.run_id = self.run_id  # type: ignore[attr-defined]
        elif not claim_run(self.sessions, self.run_id):
            logger.error("run %s is no longer running: its crawl is not started", self.run_id)
            self._close(spider)
            return
        logger.info("run %s started for %s", self.run_id, spider.name)
        self.ticker = LoopingCall(self.heartbeat)
        self.ticker.start(HEARTBEAT_SECONDS, now=False)

    def heartbeat(self) -> None:
        if self.sessions is None or self.run_id is None:
            return
        stats = self._stats()
        try:
            alive = record_progress(self.sessions, self.run_id, figures_from_stats(stats),
                                    details_from_stats(stats))
        except SQLAlchemyError as exc:
            # The store says so, in one line, when the database stays away: not this too.
            logger.info("the progress of run %s could not be recorded: %s", self.run_id,
                        error_line(exc))
        except Exception:
            logger.exception("could not record the progress of run %s", self.run_id)
        else:
            if not alive:
                logger.error("run %s was ended by another process: stopping this crawl",
                             self.run_id)
                assert self.crawler.spider is not None
                self._close(self.crawler.spider)

    def _close(self, spider: Spider) -> None:
        """Close without touching the run, which belongs to someone else now."""
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        self.run_id = None
        assert self.crawler.engine is not None
        self.crawler.engine.close_spider(spider, GIVEN_UP)

    def item_error(self, item: Any, response: Any, failure: Any) -> None:
        """An item pipeline that raised (not a counted drop) still leaves a trace in the run."""
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"{DROPPED_PREFIX}error/{type(failure.value).__name__}")

    def _stats(self) -> dict[str, Any]:
        assert self.crawler.stats is not None
        return dict(self.crawler.stats.get_stats())

    def spider_closed(self, spider: Spider, reason: str) -> None:
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        if self.sessions is None or self.run_id is None or reason == "already_running":
            return
        stats = self._stats()
        status = status_for(reason, stats)
        figures = figures_from_stats(stats)
        notes = notes_from_stats(stats)
        if status != "succeeded":
            notes.insert(0, _message(reason, figures.errors, stats))
        message = "; ".join(notes) or None
        try:
            finish_run(self.sessions, self.run_id, status, figures, details_from_stats(stats),
                       message)
        except SQLAlchemyError as exc:
            # Left running, the row takes this record from the journal at the next crawl or
            # scheduler start, instead of a bare "interrupted".
            site = getattr(spider, "site", None)
            final = FinalRecord(self.run_id, site.key if site else spider.name, status, utcnow(),
                                figures, details_from_stats(stats), message)
            try:
                kept = f"kept in {write_final(self.database_url, final)} for the next crawl"
            except OSError as disk:
                kept = f"nor kept on disk ({disk}): the next crawl marks it interrupted"
            level = logging.INFO if stats.get(NOT_STORED) else logging.ERROR
            logger.log(level, "run %s could not be recorded as %s (%s); %s", self.run_id, status,
                       error_line(exc), kept)
            return
        logger.info("run %s %s: %s", self.run_id, status, figures)


def _message(reason: str, errors: int, stats: dict[str, Any]) -> str:
    not_stored = int(stats.get(NOT_STORED, 0))
    if reason == "finished" and not_stored:
        return f"{not_stored} articles could not be stored"
    if reason == "finished" and stats.get(START_WITHOUT_ARTICLES):
        return "no article link on a start page: check article_url_pattern"
    if reason == "finished":
        return f"no page could be fetched ({errors} errors)"
    if reason == "closespider_timeout":
        return "stopped at the site's time limit"
    if reason == "shutdown":
        return "stopped by a signal before it finished"
    if reason == STORE_FAILED:
        return "stopped: the database took no write"
    return f"closed: {reason}"
