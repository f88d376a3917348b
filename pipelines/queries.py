"""The read side: what the command line and the web application ask of the store."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    cast,
    func,
    inspect,
    not_,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased, sessionmaker
from sqlalchemy.sql.util import ClauseAdapter

from pipelines.db import in_parts
from pipelines.events import EVENT_WORDS
from pipelines.facts import amount_key
from pipelines.industries import TAXONOMY, resolve_industry
from pipelines.models import Article, ArticleFact, ArticleVersion, CrawlRun, Story, StoryArticle
from pipelines.search import (
    NEWEST_FIRST,
    Hit,
    Scope,
    Snippet,
    count_found,
    list_newest,
    make_snippet,
    match_condition,
    parse_terms,
    search,
    search_counted,
    search_ids,
)
from pipelines.urls import URL_RULES, canonical_url

RECORD_FIELDS = (
    "id", "url", "site", "section", "title", "published_at", "language", "source", "authors",
    "photographers", "editors", "responsible_editors", "summary", "body_text", "images", "tags",
    "content_hash", "version", "first_seen_at", "last_seen_at",
)
RUN_FIELDS = (
    "id", "site", "trigger", "status", "started_at", "finished_at", "pages_fetched",
    "articles_new", "articles_updated", "articles_unchanged", "errors", "details", "node", "job_id",
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
    unique: bool = False                 # one article per story: the earliest one kept


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
    if f.tag:
        conditions.append(_json_contains(Article.tags, f.tag))
    conditions += _fact_conditions(f)
    scope = Scope(f.site or None, f.since, f.until, tuple(conditions), f.author or None)
    if f.unique:
        scope = replace(scope, checks=(*scope.checks, _first_of_its_story(f, scope)))
    return scope


def _first_of_its_story(f: ArticleFilter, scope: Scope) -> ColumnElement[bool]:
    """One article per story among those the filters keep: no member of its story that the
    filters also keep comes before it, in the order that picks a story's representative
    (published first, first seen when undated, the lowest id breaking ties).

    With no other filter that is the representative; within a site, or a fact filter only a
    reprint matches, it is the earliest copy the listing shows, so no story drops out of it.
    The other member is checked against the same conditions, moved onto its alias.
    """
    mine, theirs = aliased(StoryArticle), aliased(StoryArticle)
    other = aliased(Article)
    conditions = list(scope.where())
    terms = parse_terms(f.query or "")
    if terms:
        conditions.append(match_condition(terms, title_only=False))
    on_other = ClauseAdapter(inspect(other).selectable)

    def when(a: Any) -> Any:
        return func.coalesce(a.published_at, a.first_seen_at)

    earlier = (select(theirs.article_id)
               .join(mine, mine.story_id == theirs.story_id)
               .join(other, other.id == theirs.article_id)
               .where(mine.article_id == Article.id, mine.story_id.is_not(None),
                      or_(when(other) < when(Article),
                          and_(when(other) == when(Article), other.id < Article.id)),
                      *(on_other.traverse(c) for c in conditions)))
    return not_(earlier.exists())


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


def count_articles(sessions: sessionmaker[Session], f: ArticleFilter) -> int:
    """How many articles the filters other than the query text match, whatever the limit:
    what a listing cut at ``f.limit`` says it left out."""
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(Article)
                                  .where(*_scope(f).where())) or 0)


def count_runs(sessions: sessionmaker[Session], site: str | None = None) -> int:
    q = select(func.count()).select_from(CrawlRun)
    if site:
        q = q.where(CrawlRun.site == site)
    with sessions() as session:
        return int(session.scalar(q) or 0)


def _by_id(session: Session, ids: list[int]) -> dict[int, Article]:
    rows: dict[int, Article] = {}
    for part in in_parts(ids):
        rows.update((a.id, a) for a in session.scalars(select(Article).where(Article.id.in_(part))))
    return rows


def get_article(sessions: sessionmaker[Session], id_or_url: str) -> Article | None:
    with sessions() as session:
        if id_or_url.isdigit():
            return session.get(Article, int(id_or_url))
        # A site may store its articles under a form its url_rules give (a mobile twin folded
        # onto its post): the URL as typed is tried first, then that form.
        forms = list(dict.fromkeys((canonical_url(id_or_url), canonical_url(id_or_url, URL_RULES))))
        found = {a.url: a for a in session.scalars(select(Article).where(Article.url.in_(forms)))}
        return next((found[form] for form in forms if form in found), None)


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


def csv_value(value: Any) -> Any:
    """A list as its items joined with "; " (a spreadsheet shows names, not JSON); a table
    (run details, an image with its caption) as JSON. The command line and the web export alike."""
    if isinstance(value, list):
        return "; ".join(v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
                         for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def run_record(r: CrawlRun) -> dict[str, Any]:
    rec: dict[str, Any] = {name: getattr(r, name) for name in RUN_FIELDS}
    rec["started_at"] = iso(r.started_at)
    rec["finished_at"] = iso(r.finished_at)
    if r.message:
        rec["message"] = r.message
    return rec


# ---------------------------------------------------------------- pages, charts and history (web)

@dataclass(frozen=True)
class Cursor:
    """Where a page of results ended: the last row's tier, date and id, and its rank.

    Keyset paging: the next page asks for the rows after this one in the listing's
    own order, so page 5,000 costs what page 1 does (OFFSET would read every row before it).
    """

    in_title: bool
    published_at: datetime | None
    id: int
    rank: int = 0

    def encode(self) -> str:
        stamp = "-" if self.published_at is None else str(
            round(self.published_at.timestamp() * 1_000_000))
        return f"{'t' if self.in_title else 'b'}~{stamp}~{self.id}~{self.rank}"

    @classmethod
    def decode(cls, text: str) -> Cursor:
        """The cursor a page handed out; ValueError for anything else."""
        parts = text.split("~")
        if len(parts) != 4 or parts[0] not in ("t", "b"):
            raise ValueError(f"{text[:40]!r} is not a page cursor")
        tier, stamp, ident, rank = parts
        try:
            when = None if stamp == "-" else datetime.fromtimestamp(int(stamp) / 1_000_000, UTC)
            return cls(tier == "t", when, int(ident), int(rank))
        except (ValueError, OverflowError, OSError):
            raise ValueError(f"{text[:40]!r} is not a page cursor") from None


@dataclass(frozen=True)
class Page:
    """One page of a listing or a search; ``found`` carries snippets when there was a query."""

    articles: list[Article]
    found: list[Found]
    next: Cursor | None
    matches: int | None = None      # the first page of a search counts its matches ...
    more_matches: bool = False      # ... up to ``count_to``, and says whether there are more


def _continuations(scope: Scope, c: Cursor | None, *extra: ColumnElement[bool]) -> list[Scope]:
    """The parts of ``scope`` that come after ``c`` in the newest-first order, in that order.

    After a dated row come the older dated rows, bounded by date so that the indexes
    serve them, then the undated rows (listed last); after an undated row, the undated
    rows with a smaller id.
    """
    if c is None:
        return [replace(scope, checks=(*scope.checks, *extra))]
    undated = Article.published_at.is_(None)
    if c.published_at is None:
        return [replace(scope, checks=(*scope.checks, undated, Article.id < c.id, *extra))]
    bound = c.published_at + timedelta(seconds=1)
    older = replace(scope, until=bound if scope.until is None else min(scope.until, bound),
                    checks=(*scope.checks, or_(Article.published_at < c.published_at, and_(
                        Article.published_at == c.published_at, Article.id < c.id)), *extra))
    if scope.since is not None or scope.until is not None:
        return [older]          # a date range holds no undated row
    return [older, replace(scope, checks=(*scope.checks, undated, *extra))]


def _ids_after(fetch: Callable[[Scope, int], list[int]], scope: Scope, c: Cursor | None,
               limit: int, *extra: ColumnElement[bool]) -> list[int]:
    ids: list[int] = []
    for part in _continuations(scope, c, *extra):
        ids += fetch(part, limit - len(ids))
        if len(ids) >= limit:
            break
    return ids


def article_page(sessions: sessionmaker[Session], f: ArticleFilter,
                 after: Cursor | None = None, *, newest: bool = False, count_to: int = 0) -> Page:
    """``f.limit`` articles after ``after``: the listing or search of ``list_articles``, paged.

    The first page of a search is ``search_articles`` itself; later pages continue the
    same ranking (title matches, then body matches, each newest first) from the cursor.
    ``newest`` orders the matches by date alone. With ``count_to`` the first page of a
    search also counts the matches up to that many, from the same ranking that gives the page.
    """
    size = f.limit or 20
    if not (f.query and f.query.strip()):
        with sessions() as session:
            def newest_ids(part: Scope, n: int) -> list[int]:
                query = select(Article.id).where(*part.where()).order_by(*NEWEST_FIRST)
                return list(session.scalars(query.limit(n)))

            ids = _ids_after(newest_ids, _scope(f), after, size + 1)
            rows = _by_id(session, ids)
        listed = [rows[i] for i in ids]
        more = len(listed) > size
        listed = listed[:size]
        nxt = Cursor(False, listed[-1].published_at, listed[-1].id) if more else None
        return Page(listed, [], nxt)
    terms = parse_terms(f.query)
    first = 1 if after is None else after.rank + 1
    counted = None
    if after is None and not newest:
        with sessions() as session:
            hits, matched = search_counted(session, terms, _scope(f), size + 1, count_to)
            rows = _by_id(session, [h.article_id for h in hits])
        counted = matched if count_to else None
        found = [Found(rows[h.article_id], n, h.in_title,
                       make_snippet(rows[h.article_id].title, rows[h.article_id].body_text, terms))
                 for n, h in enumerate(hits, start=1)]
    else:
        with sessions() as session:
            if newest:
                hits = [Hit(i, False) for i in _ids_after(
                    _finder(session, terms, title_only=False), _scope(f), after, size + 1)]
            else:
                assert after is not None
                hits = _search_after(session, terms, _scope(f), after, size + 1)
            rows = _by_id(session, [h.article_id for h in hits])
        found = [Found(rows[h.article_id], first + n, h.in_title,
                       make_snippet(rows[h.article_id].title, rows[h.article_id].body_text, terms))
                 for n, h in enumerate(hits)]
    more = len(found) > size
    found = found[:size]
    last = found[-1] if found else None
    nxt = Cursor(last.in_title, last.article.published_at, last.article.id, last.rank) \
        if more and last else None
    if counted is None:
        return Page([x.article for x in found], found, nxt)
    return Page([x.article for x in found], found, nxt, min(counted, count_to),
                counted > count_to)


def _search_after(session: Session, terms: list[str], scope: Scope, after: Cursor,
                  limit: int) -> list[Hit]:
    """The hits after ``after`` in ``search``'s order: the rest of its tier, then the next tier."""
    in_title = match_condition(terms, title_only=True)
    hits: list[Hit] = []
    if after.in_title:
        hits = [Hit(i, True) for i in _ids_after(_finder(session, terms, title_only=True), scope,
                                                 after, limit)]
        if len(hits) >= limit:
            return hits
    body = _finder(session, terms, title_only=False)
    hits += [Hit(i, False) for i in _ids_after(body, scope, None if after.in_title else after,
                                               limit - len(hits), not_(in_title))]
    return hits


def _finder(session: Session, terms: list[str], *, title_only: bool
            ) -> Callable[[Scope, int], list[int]]:
    return lambda part, n: search_ids(session, terms, part, n, title_only=title_only)


def count_matches(sessions: sessionmaker[Session], f: ArticleFilter, cap: int = 1000
                  ) -> tuple[int, bool]:
    """How many articles ``f`` matches, counted up to ``cap``; True when there are more."""
    with sessions() as session:
        if f.query and f.query.strip():
            n = count_found(session, parse_terms(f.query), _scope(f), cap)
        else:
            inner = select(Article.id).where(*_scope(f).where()).limit(cap + 1).subquery()
            n = int(session.scalar(select(func.count()).select_from(inner)) or 0)
    return min(n, cap), n > cap


def article_versions(sessions: sessionmaker[Session], article_id: int) -> list[ArticleVersion]:
    """The earlier versions of an article, oldest first (the current one is the article itself)."""
    with sessions() as session:
        return list(session.scalars(select(ArticleVersion).where(
            ArticleVersion.article_id == article_id).order_by(ArticleVersion.version)))


def article_sections(sessions: sessionmaker[Session], site: str | None = None,
                     recent: int = 1000) -> list[str]:
    """The sections of the newest ``recent`` articles (of one site), for a filter's choices:
    the sections in use, read along the date index instead of across the whole archive."""
    newest = select(Article.section).order_by(*NEWEST_FIRST).limit(recent)
    if site:
        newest = newest.where(Article.site == site)
    inner = newest.subquery()
    with sessions() as session:
        return sorted(s for s in session.scalars(select(inner.c.section).distinct()) if s)


def newest_published(sessions: sessionmaker[Session]) -> dict[str, datetime]:
    """Each site's newest publication date."""
    with sessions() as session:
        return {site: when for site, when in session.execute(
            select(Article.site, func.max(Article.published_at)).group_by(Article.site))
            if when is not None}


def weekly_counts(sessions: sessionmaker[Session], weeks: int = 26
                  ) -> dict[str, dict[date, int]]:
    """Articles per site per week (weeks start on Monday in the site's timezone), for the
    ``weeks`` weeks up to the newest article stored."""
    with sessions() as session:
        newest = session.scalar(select(func.max(Article.published_at)))
        if newest is None:
            return {}
        since = newest - timedelta(weeks=weeks + 1)
        out: dict[str, dict[date, int]] = {}
        if session.get_bind().dialect.name == "postgresql":
            week = func.date_trunc("week", func.timezone(Article.timezone, Article.published_at))
            rows = session.execute(select(Article.site, week, func.count()).where(
                Article.published_at >= since).group_by(Article.site, week))
            for site, start, n in rows:
                out.setdefault(site, {})[start.date()] = int(n)
        else:
            # SQLite has no time zones: count per UTC quarter hour (every zone offset is a
            # multiple of one), then give each quarter to the week of its local time.
            quarter = func.strftime("%Y-%m-%dT%H:", Article.published_at).op("||")(func.printf(
                "%02d", cast(func.strftime("%M", Article.published_at), Integer) / 15 * 15))
            rows = session.execute(select(Article.site, Article.timezone, quarter, func.count())
                                   .where(Article.published_at >= since)
                                   .group_by(Article.site, Article.timezone, quarter))
            for site, tz, stamp, n in rows:
                local = datetime.fromisoformat(stamp).replace(tzinfo=UTC).astimezone(ZoneInfo(tz))
                start = local.date() - timedelta(days=local.weekday())
                counts = out.setdefault(site, {})
                counts[start] = counts.get(start, 0) + int(n)
    # The query reads a week more than asked, so that every week kept is whole in any zone.
    first = (newest - timedelta(weeks=weeks)).date()
    return {site: dict(sorted((w, n) for w, n in counts.items() if w >= first))
            for site, counts in sorted(out.items())}


def runs_by_day(sessions: sessionmaker[Session], days: int = 60) -> dict[date, dict[str, int]]:
    """Runs started per UTC day and status, for the ``days`` days up to the latest run."""
    with sessions() as session:
        latest = session.scalar(select(func.max(CrawlRun.started_at)))
        if latest is None:
            return {}
        if session.get_bind().dialect.name == "postgresql":
            day: Any = func.date(func.timezone("UTC", CrawlRun.started_at))
        else:
            day = func.date(CrawlRun.started_at)
        rows = session.execute(select(day, CrawlRun.status, func.count()).where(
            CrawlRun.started_at >= latest - timedelta(days=days)).group_by(day, CrawlRun.status))
        out: dict[date, dict[str, int]] = {}
        for when, status, n in rows:
            key = when if isinstance(when, date) else date.fromisoformat(str(when))
            out.setdefault(key, {})[status] = int(n)
    return dict(sorted(out.items()))


def recent_runs(sessions: sessionmaker[Session], limit: int = 200) -> list[CrawlRun]:
    """The latest finished runs, oldest first: the new articles each one found."""
    with sessions() as session:
        runs = list(session.scalars(select(CrawlRun).where(CrawlRun.finished_at.is_not(None))
                                    .order_by(CrawlRun.started_at.desc(), CrawlRun.id.desc())
                                    .limit(limit)))
    return runs[::-1]


# ---------------------------------------------------------------- facts and stories

FACT_FIELDS = ("article_id", "kind", "value", "amount", "amount_high", "currency", "approximate",
               "sentence")
# What `zonenews facts` lists unless asked for a kind; zones are read to link stories across
# languages and are listed when asked for (``kinds=("zone",)``).
LISTED_FACT_KINDS = ("amount", "organisation", "industry", "event")
STORY_FIELDS = ("id", "article_ids", "linked_by_facts", "sites", "representative_id", "newest_at")


class BadFilter(ValueError):
    """A fact filter no article could ever match: said to the user in one line, never run."""


def parse_amount(text: str) -> Decimal:
    """An amount of money as a user types it: ``1e9``, ``500000000``, ``1,000,000``."""
    try:
        amount = Decimal(text.replace(",", "").replace("_", ""))
    except InvalidOperation:
        raise BadFilter(f"{text[:40]!r} is not an amount (e.g. 1e9 or 500000000)") from None
    if not amount.is_finite() or amount < 0:
        raise BadFilter(f"{text[:40]!r} is not an amount of money")
    return amount


def fact_filters(industry: str | None = None, min_amount: str | Decimal | None = None,
                 org: str | None = None, event: str | None = None,
                 unique: bool = False) -> dict[str, Any]:
    """The fact fields of an ``ArticleFilter`` from what a user typed, checked once for the command
    line and the web alike: an industry by key, label or keyword; a known event kind."""
    key = None
    if industry:
        key = resolve_industry(industry)
        if key is None:
            raise BadFilter(f"unknown industry {industry[:40]!r} (known: "
                            f"{', '.join(i.key for i in TAXONOMY)})")
    if event and event not in EVENT_WORDS:
        raise BadFilter(f"unknown event {event[:40]!r} (known: {', '.join(EVENT_WORDS)})")
    if isinstance(min_amount, str):
        min_amount = parse_amount(min_amount) if min_amount.strip() else None
    return {"industry": key, "min_amount": min_amount, "org": org or None, "event": event or None,
            "unique": unique}


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
    query = query.where(ArticleFact.kind.in_(kinds or LISTED_FACT_KINDS))
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
        for part in in_parts(ids):
            for story_id, article_id, site, link in session.execute(
                    select(StoryArticle.story_id, Article.id, Article.site, StoryArticle.link)
                    .join(Article, Article.id == StoryArticle.article_id)
                    .where(StoryArticle.story_id.in_(part))
                    .order_by(Article.id)):
                members.setdefault(story_id or 0, []).append((article_id, site, link))
    records: list[dict[str, Any]] = []
    for story in stories:
        rows = members.get(story.id, [])
        records.append({
            "id": story.id,
            "article_ids": [a for a, _, _ in rows],
            # Members joined by facts only, the weaker link; the representative is the one
            # they were linked to, whichever of the two was derived first.
            "linked_by_facts": [a for a, _, link in rows
                                if link == "facts" and a != story.representative_id],
            "sites": sorted({site for _, site, _ in rows}),
            "representative_id": story.representative_id,
            "newest_at": iso(story.newest_at),
        })
    return records
