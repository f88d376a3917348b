"""The read side: what the command line (and later HTTP) asks of the store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from pipelines.db import open_database
from pipelines.facts import amount_key
from pipelines.models import Article, ArticleFact, CrawlRun, Story, StoryArticle
from pipelines.search import NEWEST_FIRST, Scope, Snippet, list_newest, make_snippet, parse_terms, search
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
    industry: str | None = None          # a key of pipelines.industries.TAXONOMY
    min_amount: Decimal | None = None    # states an amount (or a range reaching) at least this
    org: str | None = None               # names an organisation whose name contains this
    event: str | None = None             # reports this event kind (pipelines.events)
    unique: bool = False                 # one article per story: its representative


def known_article_urls(database_url: str, site: str) -> set[str]:
    """Every stored article URL of a site: what an incremental crawl never fetches again."""
    sessions = open_database(database_url)
    with sessions() as session:
        return set(session.scalars(select(Article.url).where(Article.site == site)))


def _json_contains(column: Any, value: str) -> Any:
    """A whole name in a list stored as JSON text, written with \\u escapes or without."""
    stored = cast(column, String)
    return or_(*(stored.contains(json.dumps(value, ensure_ascii=ascii), autoescape=True)
                 for ascii in (True, False)))


def _scope(f: ArticleFilter) -> Scope:
    """The filters other than the query text."""
    conditions = []
    if f.section:
        conditions.append(Article.section == f.section)
    if f.author:
        conditions.append(or_(_json_contains(Article.authors, f.author),
                              _json_contains(Article.photographers, f.author),
                              _json_contains(Article.editors, f.author),
                              _json_contains(Article.responsible_editors, f.author)))
    if f.tag:
        conditions.append(_json_contains(Article.tags, f.tag))
    conditions += _fact_conditions(f)
    return Scope(f.site or None, f.since, f.until, tuple(conditions))


@dataclass(frozen=True)
class Found:
    """An article a query matched: its place in the ranking and where the terms are."""

    article: Article
    rank: int               # 1 is the best match
    in_title: bool          # every term is in the title
    snippet: Snippet


def search_articles(sessions: sessionmaker[Session], f: ArticleFilter) -> list[Found]:
    """Articles matching ``f.query`` within the other filters, best first (see pipelines.search)."""
    terms = parse_terms(f.query or "")
    with sessions() as session:
        hits = search(session, terms, _scope(f), f.limit)
        rows = _by_id(session, [h.article_id for h in hits])
    return [Found(rows[h.article_id], n, h.in_title,
                  make_snippet(rows[h.article_id].title, rows[h.article_id].body_text, terms))
            for n, h in enumerate(hits, start=1)]


def list_articles(sessions: sessionmaker[Session], f: ArticleFilter) -> list[Article]:
    """Matching articles: newest first (undated ones last), or best first with a query."""
    if f.query and f.query.strip():
        return [found.article for found in search_articles(sessions, f)]
    scope = _scope(f)
    with sessions() as session:
        if not f.limit:
            return list(session.scalars(select(Article).where(*scope.where())
                                        .order_by(*NEWEST_FIRST)))
        ids = list_newest(session, scope, f.limit)
        rows = _by_id(session, ids)
    return [rows[i] for i in ids]


def _by_id(session: Session, ids: list[int], chunk: int = 1000) -> dict[int, Article]:
    # In chunks: SQLite takes at most 32,766 parameters in one statement.
    rows: dict[int, Article] = {}
    for start in range(0, len(ids), chunk):
        rows.update((a.id, a) for a in session.scalars(
            select(Article).where(Article.id.in_(ids[start:start + chunk]))))
    return rows


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
        counts: dict[str, int] = {site: n for site, n in session.execute(
            select(Article.site, func.count()).group_by(Article.site))}
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


# ---------------------------------------------------------------- facts and stories

FACT_FIELDS = ("article_id", "kind", "value", "amount", "amount_high", "currency", "approximate",
               "sentence")
FACT_KINDS = ("amount", "organisation", "industry", "event")


def _fact_conditions(f: ArticleFilter) -> list[ColumnElement[bool]]:
    """The filters on what was read from the articles (see pipelines.facts)."""
    conditions: list[ColumnElement[bool]] = []

    def having(*where: ColumnElement[bool]) -> ColumnElement[bool]:
        return Article.id.in_(select(ArticleFact.article_id).where(*where))

    if f.industry:
        conditions.append(having(ArticleFact.kind == "industry", ArticleFact.value == f.industry))
    if f.event:
        conditions.append(having(ArticleFact.kind == "event", ArticleFact.value == f.event))
    if f.org:
        conditions.append(having(ArticleFact.kind == "organisation",
                                 ArticleFact.value.contains(f.org, autoescape=True)))
    if f.min_amount is not None:
        key = amount_key(f.min_amount)
        conditions.append(having(ArticleFact.kind == "amount", ArticleFact.amount_key >= key))
    if f.unique:
        conditions.append(Article.id.not_in(
            select(StoryArticle.article_id).join(Story, Story.id == StoryArticle.story_id)
            .where(StoryArticle.article_id != Story.representative_id)))
    return conditions


def list_facts(sessions: sessionmaker[Session], site: str | None = None,
               since: datetime | None = None, kinds: tuple[str, ...] = (),
               limit: int = 0) -> list[dict[str, Any]]:
    """One record per fact, newest articles first, in the order the article states them."""
    query = (select(ArticleFact).join(Article, Article.id == ArticleFact.article_id)
             .order_by(*NEWEST_FIRST, ArticleFact.id))
    if site:
        query = query.where(Article.site == site)
    if since is not None:
        query = query.where(Article.published_at >= since)
    if kinds:
        query = query.where(ArticleFact.kind.in_(kinds))
    if limit:
        query = query.limit(limit)
    with sessions() as session:
        return [{name: getattr(fact, name) for name in FACT_FIELDS}
                for fact in session.scalars(query)]


def list_stories(sessions: sessionmaker[Session], since: datetime | None = None,
                 limit: int = 0) -> list[dict[str, Any]]:
    """Stories newest first: every member, those linked only by facts (weaker), their sites."""
    query = select(Story).order_by(Story.newest_at.desc().nulls_last(), Story.id.desc())
    if since is not None:
        query = query.where(Story.newest_at >= since)
    if limit:
        query = query.limit(limit)
    with sessions() as session:
        stories = list(session.scalars(query))
        members: dict[int, list[tuple[int, str, str | None]]] = {}
        ids = [s.id for s in stories]
        for start in range(0, len(ids), 1000):
            for story_id, article_id, site, link in session.execute(
                    select(StoryArticle.story_id, Article.id, Article.site, StoryArticle.link)
                    .join(Article, Article.id == StoryArticle.article_id)
                    .where(StoryArticle.story_id.in_(ids[start:start + 1000]))
                    .order_by(Article.id)):
                members.setdefault(story_id or 0, []).append((article_id, site, link))
    records: list[dict[str, Any]] = []
    for story in stories:
        rows = members.get(story.id, [])
        records.append({
            "id": story.id,
            "article_ids": [a for a, _, _ in rows],
            "linked_by_facts": [a for a, _, link in rows if link == "facts"],
            "sites": sorted({site for _, site, _ in rows}),
            "representative_id": story.representative_id,
            "newest_at": iso(story.newest_at),
        })
    return records
