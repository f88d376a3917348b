"""The stored shape of articles, their earlier versions and crawl runs."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every database (SQLite keeps no zone, so we store UTC there)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dict[str, Any]: JSON, list[Any]: JSON, datetime: UTCDateTime}


class Article(Base):
    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    site: Mapped[str] = mapped_column(String(64))
    section: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    timezone: Mapped[str] = mapped_column(String(64))
    language: Mapped[str | None] = mapped_column(String(16))
    source: Mapped[str | None] = mapped_column(String(500))
    authors: Mapped[list[Any]]
    photographers: Mapped[list[Any]]
    editors: Mapped[list[Any]]
    responsible_editors: Mapped[list[Any]]
    summary: Mapped[str | None] = mapped_column(Text)
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    images: Mapped[list[Any]]
    tags: Mapped[list[Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer, default=1)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    changed_at: Mapped[datetime]

    __table_args__ = (
        Index("ix_articles_site_published", "site", "published_at"),
        Index("ix_articles_published", "published_at"),
    )


class ArticleVersion(Base):
    """An article's text as it was before a later crawl found it changed."""

    __tablename__ = "article_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None]
    source: Mapped[str | None] = mapped_column(String(500))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    seen_from: Mapped[datetime]
    seen_until: Mapped[datetime]

    __table_args__ = (
        Index("uq_article_versions_article_version", "article_id", "version", unique=True),
    )


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site: Mapped[str] = mapped_column(String(64))
    trigger: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    heartbeat_at: Mapped[datetime]
    pid: Mapped[int | None] = mapped_column(Integer)
    hostname: Mapped[str | None] = mapped_column(String(255))
    # Where a dispatched crawl runs: the Scrapyd node (no credentials) and its job id there.
    node: Mapped[str | None] = mapped_column(String(255))
    job_id: Mapped[str | None] = mapped_column(String(64))
    full: Mapped[bool] = mapped_column(default=False)
    pages_fetched: Mapped[int] = mapped_column(Integer, default=0)
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    articles_updated: Mapped[int] = mapped_column(Integer, default=0)
    articles_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    details: Mapped[dict[str, Any]]
    message: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_crawl_runs_site_started", "site", "started_at"),
        # The crawl lock: at most one running run per site, enforced by the database itself,
        # so a scheduled crawl and a one-off crawl in another process cannot overlap.
        Index("uq_crawl_runs_one_running", "site", unique=True,
              sqlite_where=text("status = 'running'"),
              postgresql_where=text("status = 'running'")),
    )


# ---------------------------------------------------------------- raw pages and site health

class RawPage(Base):
    """The bytes an article's current version was read from, so it can be read again later.

    One row per page of the article (``part`` 0 is the first; an article split
    over several pages has one row for each). ``body`` is zlib-compressed;
    ``sha256`` is that of the uncompressed bytes, so an unchanged page is never
    written twice. ``context`` holds what the list page said about the article
    (its link text, date and column), which extraction falls back on.
    """

    __tablename__ = "raw_pages"

    article_id: Mapped[int] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True)
    part: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048))
    content_type: Mapped[str | None] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    context: Mapped[dict[str, Any]]
    fetched_at: Mapped[datetime]


class SiteHealth(Base):
    """A site's latest health state, and the state its alert targets were last told of."""

    __tablename__ = "site_health"

    site: Mapped[str] = mapped_column(String(64), primary_key=True)
    state: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list[Any]]
    checked_at: Mapped[datetime]
    changed_at: Mapped[datetime]
    notified_state: Mapped[str | None] = mapped_column(String(16))
    notified_at: Mapped[datetime | None]


# ---------------------------------------------------------------- facts and stories

class ArticleFact(Base):
    """One fact read from an article: an amount, an organisation, an industry or an event kind.

    Amounts are kept exact as decimal strings; ``amount_key`` is the same number zero-padded
    (20 whole digits, 6 decimals), so comparing keys as text compares amounts, exactly, on
    SQLite (which has no exact decimal type) and PostgreSQL alike.
    """

    __tablename__ = "article_facts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    amount: Mapped[str | None] = mapped_column(String(48))
    amount_high: Mapped[str | None] = mapped_column(String(48))
    amount_key: Mapped[str | None] = mapped_column(String(32))
    currency: Mapped[str | None] = mapped_column(String(3))
    approximate: Mapped[bool | None]
    sentence: Mapped[str | None] = mapped_column(Text)
    # An organisation's or a zone's key, the same in Chinese and English (pipelines.crosslang).
    link_key: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (
        Index("ix_article_facts_article", "article_id"),
        Index("ix_article_facts_kind_value", "kind", "value"),
        Index("ix_article_facts_amount", "amount_key", "currency"),
        Index("ix_article_facts_link", "link_key"),
    )


class Story(Base):
    """Articles telling the same story; the representative is the earliest original."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    representative_id: Mapped[int] = mapped_column(Integer)
    newest_at: Mapped[datetime | None]
    updated_at: Mapped[datetime]

    __table_args__ = (Index("ix_stories_newest", "newest_at"),)


class StoryArticle(Base):
    """Where an article stands in the stories: its story (if any), how it is linked, and the
    MinHash signature and content hash its facts and bands were derived from."""

    __tablename__ = "story_articles"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"),
                                            primary_key=True)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"))
    link: Mapped[str | None] = mapped_column(String(8))       # "text" or "facts"
    score: Mapped[float | None] = mapped_column(Float)
    signature: Mapped[str | None] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    derived_at: Mapped[datetime]
    # The version of the rules it was derived with (pipelines.facts.RULES_VERSION).
    rules: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    __table_args__ = (Index("ix_story_articles_story", "story_id"),)


class StoryBand(Base):
    """One LSH band of an article's MinHash: articles sharing a key are candidates for one story."""

    __tablename__ = "story_bands"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[int] = mapped_column(BigInteger)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))

    __table_args__ = (
        Index("ix_story_bands_key", "key"),
        Index("ix_story_bands_article", "article_id"),
    )


# ---------------------------------------------------------------- people

class ArticlePerson(Base):
    """A name credited on an article, in one role: the credit lists of ``articles`` one name a
    row, so that a person filter reads an index instead of every article's JSON.

    The store writes these rows with the article (pipelines.people); the lists in ``articles``
    stay the record's fields.
    """

    __tablename__ = "article_people"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"),
                                            primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(Text, primary_key=True)

    __table_args__ = (Index("ix_article_people_name", "name", "article_id"),)
