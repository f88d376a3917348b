"""The read side: what the command line (and later HTTP) asks of the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, String, cast, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from pipelines.db import open_database
from pipelines.models import Article, CrawlRun
from scrapers.urls import canonical_url

RECORD_FIELDS = (
    "id", "url", "site", "section", "title", "published_at", "language", "source", "authors",
    "photographers", "editors", "responsible_editors", "summary", "body_text", "images", "tags",
    "content_hash", "version", "first_seen_at", "last_seen_at",
)
RUN_FIELDS = (
    "id", "site", "trigger", "status", "started_at", "finished_at", "pages_fetched",
    "articles_new", "articles_updated", "articles_unchanged", "errors", "details",
)


@dataclass(frozen=True)
class ArticleFilter:
    query: str | None = None
    site: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    section: str | None = None
    author: str | None = None
    tag: str | None = None
    limit: int = 20          # 0 means all


def known_article_urls(database_url: str, site: str) -> set[str]:
    """Every stored article URL of a site: what an incremental crawl never fetches again."""
    sessions = open_database(database_url)
    with sessions() as session:
        return set(session.scalars(select(Article.url).where(Article.site == site)))


def _json_contains(column: Any, value: str) -> Any:
    # Lists are stored as JSON text on both databases; a quoted match finds a whole name.
    return cast(column, String).contains(f'"{value}"')


def _filtered(f: ArticleFilter) -> Select[Article]:
    q = select(Article)
    if f.site:
        q = q.where(Article.site == f.site)
    if f.since:
        q = q.where(Article.published_at >= f.since)
    if f.until:
        q = q.where(Article.published_at < f.until)
    if f.section:
        q = q.where(Article.section == f.section)
    if f.author:
        q = q.where(or_(_json_contains(Article.authors, f.author),
                        _json_contains(Article.photographers, f.author),
                        _json_contains(Article.editors, f.author),
                        _json_contains(Article.responsible_editors, f.author)))
    if f.tag:
        q = q.where(_json_contains(Article.tags, f.tag))
    if f.query:
        for term in f.query.split():
            q = q.where(or_(Article.title.contains(term, autoescape=True),
                            Article.body_text.contains(term, autoescape=True)))
    return q


def list_articles(sessions: sessionmaker[Session], f: ArticleFilter) -> list[Article]:
    """Matching articles, newest first (undated ones last)."""
    q = _filtered(f).order_by(Article.published_at.desc().nulls_last(), Article.id.desc())
    if f.limit:
        q = q.limit(f.limit)
    with sessions() as session:
        return list(session.scalars(q))


def get_article(sessions: sessionmaker[Session], id_or_url: str) -> Article | None:
    with sessions() as session:
        if id_or_url.isdigit():
            return session.get(Article, int(id_or_url))
        return session.scalars(select(Article).where(
            Article.url == canonical_url(id_or_url))).first()


def list_runs(sessions: sessionmaker[Session], site: str | None = None,
              limit: int = 20) -> list[CrawlRun]:
    q = select(CrawlRun).order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
    if site:
        q = q.where(CrawlRun.site == site)
    if limit:
        q = q.limit(limit)
    with sessions() as session:
        return list(session.scalars(q))


@dataclass(frozen=True)
class SiteState:
    articles: int
    last_run: CrawlRun | None
    last_finished: CrawlRun | None


def site_states(sessions: sessionmaker[Session], keys: list[str]) -> dict[str, SiteState]:
    """Article count, latest run and latest finished run of each site."""
    with sessions() as session:
        counts = dict(session.execute(
            select(Article.site, func.count()).group_by(Article.site)).tuples().all())
        states = {}
        for key in keys:
            last = session.scalars(select(CrawlRun).where(CrawlRun.site == key)
                                   .order_by(CrawlRun.started_at.desc()).limit(1)).first()
            done = session.scalars(select(CrawlRun).where(
                CrawlRun.site == key, CrawlRun.finished_at.is_not(None))
                .order_by(CrawlRun.finished_at.desc()).limit(1)).first()
            states[key] = SiteState(counts.get(key, 0), last, done)
        return states


def iso(value: datetime | None, tz: str | None = None) -> str | None:
    if value is None:
        return None
    return value.astimezone(ZoneInfo(tz)).isoformat() if tz else value.isoformat()


def article_record(a: Article) -> dict[str, Any]:
    """The article record of CONTRACT.md: published_at in the site's offset, the rest in UTC."""
    rec: dict[str, Any] = {name: getattr(a, name) for name in RECORD_FIELDS}
    rec["published_at"] = iso(a.published_at, a.timezone)
    rec["first_seen_at"] = iso(a.first_seen_at)
    rec["last_seen_at"] = iso(a.last_seen_at)
    return rec


def run_record(r: CrawlRun) -> dict[str, Any]:
    rec: dict[str, Any] = {name: getattr(r, name) for name in RUN_FIELDS}
    rec["started_at"] = iso(r.started_at)
    rec["finished_at"] = iso(r.finished_at)
    if r.message:
        rec["message"] = r.message
    return rec
