"""StorePipeline: write each article once; a changed article becomes a new version.

It only stores: facts and stories are derived after the crawl, in a process of their own
(``pipelines.derive``), which finds the stored articles whose facts are missing or outdated.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Self, cast

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import CallLaterResult, call_later
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from twisted.internet.defer import Deferred
from twisted.internet.task import LoopingCall

from pipelines.db import error_line, open_database, transient
from pipelines.models import Article, ArticleVersion, utcnow
from pipelines.people import CREDIT_ROLES, replace_people
from pipelines.raw import save_raw_pages
from pipelines.record import ArticleRecord
from pipelines.runstats import NOT_STORED, NOTE_PREFIX, STORE_OUTAGES, STORE_WAITED
from pipelines.urls import canonical_url

logger = logging.getLogger(__name__)

# The close reason of a crawl stopped because its database took no write.
STORE_FAILED = "database_unavailable"
# Backoff between retries of a refused write: from half a second, doubling, at most two.
RETRY_FIRST_SECONDS = 0.5
RETRY_LONGEST_SECONDS = 2.0

RECORD_COLUMNS = (
    "site", "section", "title", "published_at", "timezone", "language", "source", "authors",
    "photographers", "editors", "responsible_editors", "summary", "body_text", "body_html",
    "images", "tags", "content_hash",
)


def _values(record: ArticleRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in RECORD_COLUMNS}


def save_articles(session: Session, records: Sequence[ArticleRecord],
                  now: datetime | None = None, *, reread: bool = False) -> dict[str, int]:
    """Upsert ``records`` in the session's transaction; counts of new, updated and unchanged.

    Idempotent: the URL is canonicalised here too and is the unique key, so a
    re-run, a retried batch or a crash between batches can never store an
    article twice. A record whose content hash differs from the stored one
    moves the stored text into ``article_versions`` and bumps ``version``.
    A record that carries its raw pages has them stored in the same transaction.

    ``reread`` is for records read again from kept pages rather than fetched:
    the article was not seen on the site, so ``last_seen_at`` stays, and a
    field that changed without changing the text (a date, a source) is set in
    place, with no new version (counted as ``updated``).
    """
    now = now or utcnow()
    batch: dict[str, ArticleRecord] = {}
    for record in records:
        if not record.url:
            continue
        record.url = canonical_url(record.url)
        batch[record.url] = record  # the latest fetch of a URL wins within a batch
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    if not batch:
        return counts

    query = select(Article).where(Article.url.in_(list(batch)))
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    existing = {a.url: a for a in session.scalars(query)}

    fresh = [r for url, r in batch.items() if url not in existing]
    if fresh:
        dialect = session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        # One statement compiled once and sent with many rows: the database driver batches
        # them, where a VALUES list built per batch cost more Python than the writing itself.
        stmt = (insert(cast(Table, Article.__table__)).on_conflict_do_nothing(index_elements=["url"])
                .returning(Article.id, Article.url))
        rows = [{"url": r.url, **_values(r), "version": 1, "first_seen_at": now,
                 "last_seen_at": now, "changed_at": now} for r in fresh]
        inserted = session.connection().execute(stmt, rows).all()
        counts["new"] += len(inserted)
        replace_people(session, [(i, _credits(batch[url])) for i, url in inserted],
                       stored_before=False)

    unchanged_ids: list[int] = []
    recredited: list[Article] = []
    for url, article in existing.items():
        record = batch[url]
        if article.content_hash == record.content_hash:
            if reread and _refresh(article, record):
                counts["updated"] += 1
                recredited.append(article)
            else:
                unchanged_ids.append(article.id)
            continue
        session.add(ArticleVersion(
            article_id=article.id, version=article.version, title=article.title,
            published_at=article.published_at, source=article.source,
            body_text=article.body_text, body_html=article.body_html,
            content_hash=article.content_hash, seen_from=article.changed_at, seen_until=now,
        ))
        for name, value in _values(record).items():
            setattr(article, name, value)
        article.version += 1
        if not reread:
            article.last_seen_at = now
        article.changed_at = now
        counts["updated"] += 1
        recredited.append(article)
    replace_people(session, [(a.id, _credits(a)) for a in recredited])
    if unchanged_ids and not reread:
        session.execute(update(Article).where(Article.id.in_(unchanged_ids))
                        .values(last_seen_at=now))
    counts["unchanged"] += len(unchanged_ids)
    if any(r.raw is not None for r in batch.values()):
        ids = {url: a.id for url, a in existing.items()}
        if fresh:
            ids.update((url, article_id) for url, article_id in session.execute(
                select(Article.url, Article.id).where(
                    Article.url.in_([r.url for r in fresh if r.raw is not None]))))
        save_raw_pages(session, ids, batch.values(), now)
    return counts


def _credits(source: Article | ArticleRecord) -> dict[str, Any]:
    """The credit lists of an article or a record, as the people table mirrors them."""
    return {role: getattr(source, role) for role in CREDIT_ROLES}


def _refresh(article: Article, record: ArticleRecord) -> bool:
    """Set the fields of ``record`` that differ on ``article``; whether any did."""
    changed = False
    for name, value in _values(record).items():
        if getattr(article, name) != value:
            setattr(article, name, value)
            changed = True
    return changed


class StorePipeline:
    """Buffer records and write them in short transactions, one per batch.

    A write the database refuses for a while (a restart, a failover, a full disk,
    a lock held too long) pauses fetching and is retried with backoff for up to
    ``retry_seconds``; the records wait in memory meanwhile. Past that the crawl
    stops, and what could not be written is counted as not stored, never as
    seen: the run then fails, so the next crawl walks the lists again and
    fetches those articles.
    """

    def __init__(self, database_url: str, stats: StatsCollector, batch_size: int = 50,
                 flush_seconds: float = 1.0, retry_seconds: float = 30.0,
                 crawler: Crawler | None = None) -> None:
        self.database_url = database_url
        self.stats = stats
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.retry_seconds = retry_seconds
        self.crawler = crawler
        self.pending: list[ArticleRecord] = []
        self.last_flush = time.monotonic()
        self.sessions: sessionmaker[Session] | None = None
        self.ticker: LoopingCall | None = None
        # While the database refuses writes: when that began, the next retry, and the items
        # held back until it takes them (Scrapy waits for them, so the crawl cannot end early).
        self.outage_since: float | None = None
        self.retry: CallLaterResult | None = None
        self.waiting: list[Deferred[None]] = []
        self.backoff = RETRY_FIRST_SECONDS
        self.gave_up = False
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        pipeline = cls(crawler.settings["DATABASE_URL"], crawler.stats,
                       crawler.settings.getint("STORE_BATCH_SIZE", 50),
                       crawler.settings.getfloat("STORE_FLUSH_SECONDS", 1.0),
                       crawler.settings.getfloat("STORE_RETRY_SECONDS", 30.0), crawler)
        crawler.signals.connect(pipeline.spider_idle, signal=signals.spider_idle)
        return pipeline

    def open_spider(self) -> None:
        self.sessions = open_database(self.database_url)
        # A quiet spell (slow pages, retries) must not keep stored-looking articles in memory.
        self.ticker = LoopingCall(self._flush_if_due)
        self.ticker.start(self.flush_seconds, now=False)

    def _flush_if_due(self) -> None:
        if time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()

    async def process_item(self, item: ArticleRecord) -> ArticleRecord:
        if self.gave_up:
            self.stats.inc_value(NOT_STORED)   # read after the crawl was told to stop
            return item
        self.pending.append(item)
        if (len(self.pending) >= self.batch_size
                or time.monotonic() - self.last_flush >= self.flush_seconds):
            self.flush()
        if self.outage_since is None:
            return item
        held: Deferred[None] = Deferred()
        self.waiting.append(held)
        await maybe_deferred_to_future(held)
        return item

    def flush(self) -> None:
        """Write what is buffered; what a crash loses here is re-fetched by the next crawl."""
        self.last_flush = time.monotonic()
        if not self.pending or self.sessions is None or self.outage_since is not None:
            return
        batch, self.pending = self.pending, []
        try:
            self._write(batch)
        except SQLAlchemyError as exc:
            if not transient(exc):
                self._write_one_by_one(batch, exc)
                return
            self.pending[:0] = batch
            self._pause(exc)

    def _write(self, batch: list[ArticleRecord]) -> None:
        assert self.sessions is not None
        with self.sessions.begin() as session:
            counts = save_articles(session, batch)
        for kind, n in counts.items():
            if n:
                self.stats.inc_value(f"articles/{kind}", n)

    def _write_one_by_one(self, batch: list[ArticleRecord], exc: SQLAlchemyError) -> None:
        """A batch the database refuses for good: each record on its own, so one bad value
        costs only its own article."""
        logger.error("%s: a batch of %d articles was refused (%s); writing them one by one",
                     self._label(), len(batch), error_line(exc))
        for n, record in enumerate(batch):
            try:
                self._write([record])
            except SQLAlchemyError as one:
                if transient(one):
                    self.pending[:0] = batch[n:]
                    self._pause(one)
                    return
                self.stats.inc_value(NOT_STORED)
                logger.error("%s: not stored: %s (%s)", self._label(), record.url, error_line(one))

    def _pause(self, exc: SQLAlchemyError) -> None:
        """Stop fetching and retry the write until the database takes it or the time is up."""
        now = time.monotonic()
        if self.outage_since is None:
            self.outage_since = now
            self.stats.inc_value(STORE_OUTAGES)
            if self.crawler is not None and self.crawler.engine is not None:
                self.crawler.engine.pause()
            logger.info("%s: the database took no write (%s): fetching paused, retrying for up "
                        "to %.0f s", self._label(), error_line(exc), self.retry_seconds)
            self.backoff = RETRY_FIRST_SECONDS
        waited = now - self.outage_since
        if waited >= self.retry_seconds or self.closing:
            self._give_up(exc, waited)
            return
        delay = min(self.backoff, self.retry_seconds - waited)
        self.backoff = min(self.backoff * 2, RETRY_LONGEST_SECONDS)
        self.retry = call_later(delay, self._retry)

    def _retry(self) -> None:
        self.retry = None
        assert self.outage_since is not None
        batch, self.pending = self.pending, []
        try:
            self._write(batch)
        except SQLAlchemyError as exc:
            if transient(exc):
                self.pending[:0] = batch
                self._pause(exc)
            else:
                self._resume()
                self._write_one_by_one(batch, exc)
            return
        logger.info("%s: the database took the write again after %.1f s; fetching goes on",
                    self._label(), time.monotonic() - self.outage_since)
        self._resume()

    def _resume(self) -> None:
        assert self.outage_since is not None
        self._waited(time.monotonic() - self.outage_since)
        self.outage_since = None
        self.last_flush = time.monotonic()
        if self.crawler is not None and self.crawler.engine is not None:
            self.crawler.engine.unpause()
        self._release()

    def _waited(self, seconds: float) -> None:
        self.stats.set_value(STORE_WAITED, self.stats.get_value(STORE_WAITED, 0.0) + seconds)

    def _release(self) -> None:
        waiting, self.waiting = self.waiting, []
        for held in waiting:
            held.callback(None)

    def _give_up(self, exc: SQLAlchemyError, waited: float) -> None:
        """The one line that says the crawl stops, and what it did not store."""
        lost, self.pending = len(self.pending), []
        self.stats.inc_value(NOT_STORED, lost)
        self._waited(waited)
        self.outage_since = None
        self.gave_up = True
        spell = f" for {waited:.0f} s" if waited >= 1 else ""
        text = (f"the database took no write{spell} ({error_line(exc)}): {lost} articles not "
                "stored; the next crawl fetches them again")
        self.stats.set_value(NOTE_PREFIX + "store", text)
        logger.error("%s: %s%s", self._label(), text, "" if self.closing else "; the crawl stops")
        self._release()
        if self.crawler is not None and self.crawler.engine is not None and not self.closing:
            # Still paused: the close waits only for the pages already being fetched.
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=STORE_FAILED))

    def _label(self) -> str:
        spider = self.crawler.spider if self.crawler is not None else None
        site = getattr(spider, "site", None)
        return str(site.key) if site is not None else "store"

    def spider_idle(self) -> None:
        """Nothing left to fetch is no reason to end while records wait for the database."""
        if self.outage_since is not None:
            raise DontCloseSpider

    def close_spider(self) -> None:
        """One last write of what is held; a database still refusing it costs only that."""
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        self.closing = True
        if self.retry is not None:
            self.retry.cancel()
            self.retry = None
        if self.outage_since is not None:
            self._retry()
        else:
            self.flush()
