"""StorePipeline: write each article once; a changed article becomes a new version."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any, Self, cast

from scrapy.crawler import Crawler
from scrapy.statscollectors import StatsCollector
from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, sessionmaker
from twisted.internet.task import LoopingCall

from pipelines.db import open_database
from pipelines.facts import derive_stored
from pipelines.models import Article, ArticleVersion, utcnow
from pipelines.record import ArticleRecord
from scrapers.urls import canonical_url

logger = logging.getLogger(__name__)

RECORD_COLUMNS = (
    "site", "section", "title", "published_at", "timezone", "language", "source", "authors",
    "photographers", "editors", "responsible_editors", "summary", "body_text", "body_html",
    "images", "tags", "content_hash",
)


def _values(record: ArticleRecord) -> dict[str, Any]:
    return {name: getattr(record, name) for name in RECORD_COLUMNS}


def save_articles(session: Session, records: Sequence[ArticleRecord],
                  now: datetime | None = None) -> dict[str, int]:
    """Upsert ``records`` in the session's transaction; counts of new, updated and unchanged.

    Idempotent: the URL is canonicalised here too and is the unique key, so a
    re-run, a retried batch or a crash between batches can never store an
    article twice. A record whose content hash differs from the stored one
    moves the stored text into ``article_versions`` and bumps ``version``.
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
                .returning(Article.id))
        rows = [{"url": r.url, **_values(r), "version": 1, "first_seen_at": now,
                 "last_seen_at": now, "changed_at": now} for r in fresh]
        counts["new"] += len(session.connection().execute(stmt, rows).all())

    unchanged_ids: list[int] = []
    for url, article in existing.items():
        record = batch[url]
        if article.content_hash == record.content_hash:
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
        article.last_seen_at = now
        article.changed_at = now
        counts["updated"] += 1
    if unchanged_ids:
        session.execute(update(Article).where(Article.id.in_(unchanged_ids))
                        .values(last_seen_at=now))
        counts["unchanged"] += len(unchanged_ids)
    return counts


class StorePipeline:
    """Buffer records and write them in short transactions, one per batch."""

    def __init__(self, database_url: str, stats: StatsCollector, batch_size: int = 50,
                 flush_seconds: float = 1.0) -> None:
        self.database_url = database_url
        self.stats = stats
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.pending: list[ArticleRecord] = []
        self.last_flush = time.monotonic()
        self.sessions: sessionmaker[Session] | None = None
        self.ticker: LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.settings["DATABASE_URL"], crawler.stats,
                   crawler.settings.getint("STORE_BATCH_SIZE", 50),
                   crawler.settings.getfloat("STORE_FLUSH_SECONDS", 1.0))

    def open_spider(self) -> None:
        self.sessions = open_database(self.database_url)
        # A quiet spell (slow pages, retries) must not keep stored-looking articles in memory.
        self.ticker = LoopingCall(self._flush_if_due)
        self.ticker.start(self.flush_seconds, now=False)

    def _flush_if_due(self) -> None:
        if time.monotonic() - self.last_flush >= self.flush_seconds:
            self.flush()

    def process_item(self, item: ArticleRecord) -> ArticleRecord:
        self.pending.append(item)
        if (len(self.pending) >= self.batch_size
                or time.monotonic() - self.last_flush >= self.flush_seconds):
            self.flush()
        return item

    def flush(self) -> None:
        """Write what is buffered; what a crash loses here is re-fetched by the next crawl."""
        self.last_flush = time.monotonic()
        if not self.pending or self.sessions is None:
            return
        batch, self.pending = self.pending, []
        with self.sessions.begin() as session:
            counts = save_articles(session, batch)
        derive_stored(self.sessions, [r.url for r in batch], self.stats)
        for kind, n in counts.items():
            if n:
                self.stats.inc_value(f"articles/{kind}", n)

    def close_spider(self) -> None:
        if self.ticker is not None and self.ticker.running:
            self.ticker.stop()
        self.flush()
