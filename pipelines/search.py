"""Text search on SQLite and PostgreSQL: which stored articles match a query, best first.

An article matches when every term of the query occurs in its title or body as a
substring, ignoring case — Chinese has no spaces between words, so substrings
are the only honest unit. Articles whose title holds every term rank first;
within each tier the newest come first, undated ones last, as in any listing.

The indexes come from migration 0002. On SQLite the FTS rowid is a key that
sorts newest first, so the first rows an index gives are the answer. On
PostgreSQL a GIN index cannot hand rows back in date order, so the search walks
the newest rows first and, only when they hold too few matches, asks the
indexes for matches within widening windows of time: a common word costs a
short walk, a rare one a small index lookup, and neither reads the archive.
SQLite walks the newest rows first too when a site, a person or a row check
narrows the search, as such a scope can make a common word rare among the
index's rows. A person's articles come from the people table (pipelines.people).
"""

from __future__ import annotations

import bisect
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import (
    ARRAY,
    BigInteger,
    ColumnElement,
    SQLColumnExpression,
    Text,
    and_,
    column,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.orm import Session

from pipelines.models import Article
from pipelines.people import credited

# The order of every listing: newest first, undated articles last.
NEWEST_FIRST = (Article.published_at.desc().nulls_last(), Article.id.desc())
KEY_SHIFT = 1 << 32
KEY_MASK = KEY_SHIFT - 1
_KEY_MAX = 2**63 - 1     # SQLite's largest rowid: a bound past it means "no bound"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)   # a stand-in date for sorting undated rows last
# Newest rows a PostgreSQL search reads before it turns to the indexes: enough to answer a
# common word at once, few enough to cost a few milliseconds when the word is rare.
WALK_ROWS = 400
WALK_MAX_ROWS = 3000
# Matches counted at most per term to pick the rarest one on SQLite.
PROBE_ROWS = 2000
# How PostgreSQL must run each step. The walk: row by row along the newest-first index, never
# a bitmap of every match of a term the planner wrongly believes rare. The windows: bitmap scans
# of the term indexes only, with room for exact bitmaps.
WALK_PLAN = {"enable_bitmapscan": "off", "enable_hashjoin": "off", "enable_mergejoin": "off"}
WINDOW_PLAN = {"enable_indexscan": "off", "enable_seqscan": "off", "work_mem": "64MB"}
_TERM = re.compile(r'"([^"]+)"|“([^”]+)”|(\S+)')
# Each term adds a few levels to the SQL expression, and SQLite refuses a tree 1,000 deep
# (about 500 terms); no reader types more than this.
MAX_TERMS = 64


def parse_terms(query: str) -> list[str]:
    """The terms of a query: words split on spaces, or "quoted phrases" kept whole."""
    terms: list[str] = []
    for match in _TERM.finditer(query):
        term = next(g for g in match.groups() if g is not None).strip()
        if term and term.casefold() not in (t.casefold() for t in terms):
            terms.append(term)
    return terms


def search_key(published_at: datetime | None, article_id: int) -> int:
    """The SQLite index key of an article, as migration 0002's triggers compute it."""
    if published_at is None:
        return article_id
    return (max(math.floor(published_at.timestamp()), 0) + 1) * KEY_SHIFT + article_id


def _first_key(moment: datetime) -> int:
    """The smallest key an article published at ``moment`` or later can have."""
    return min((max(math.floor(moment.timestamp()), 0) + 1) * KEY_SHIFT, _KEY_MAX)


def _key_exact(moment: datetime) -> bool:
    # Keys keep whole seconds from 1970 to 2038; finer or other bounds need the date itself checked.
    return moment.microsecond == 0 and 0 < moment.timestamp() < _KEY_MAX // KEY_SHIFT - 1


def is_search_object(name: str | None) -> bool:
    """A table, trigger or index of migration 0002: they differ per database (FTS5 on SQLite,
    trigram and pair indexes on PostgreSQL), so the shared models leave them out."""
    return bool(name) and str(name).startswith("search_")


@dataclass(frozen=True)
class Scope:
    """What narrows a search or a listing besides its terms.

    ``site`` and the dates are what the "newest first" indexes serve, and ``person`` what
    the people index serves (a few thousand articles at most, sorted at once); ``checks``
    are conditions on ``Article`` that only the row itself can answer (section, tags, facts).
    """

    site: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    checks: tuple[ColumnElement[bool], ...] = ()
    person: str | None = None

    def indexed(self) -> list[ColumnElement[bool]]:
        out = []
        if self.person is not None:
            out.append(credited(self.person))
        if self.site is not None:
            # With a person, the person's few articles are read first and their site checked:
            # an index on the site would have the planner walk the whole site probing them.
            site = Article.site + "" if self.person is not None else Article.site
            out.append(site == self.site)
        if self.since is not None:
            out.append(Article.published_at >= self.since)
        if self.until is not None:
            out.append(Article.published_at < self.until)
        return out

    def where(self) -> list[ColumnElement[bool]]:
        return [*self.indexed(), *self.checks]


@dataclass(frozen=True)
class Hit:
    article_id: int
    in_title: bool      # every term is in the title: the first tier


def search(session: Session, terms: Sequence[str], scope: Scope, limit: int) -> list[Hit]:
    """The matching articles, best first; ``limit`` 0 means all of them."""
    return search_counted(session, terms, scope, limit)[0]


def search_counted(session: Session, terms: Sequence[str], scope: Scope, limit: int,
                   count_to: int = 0) -> tuple[list[Hit], int]:
    """``search``, and how many articles match, counted up to ``count_to + 1`` (with ``count_to``).

    The count needs no order. On SQLite the index gives rows newest first anyway, so the walk
    of the title-or-body index that fills the page counts as well, asked for ``count_to + 1``
    rows. On PostgreSQL the count walks the newest rows for ``count_to + 1`` matches, and
    only when they hold fewer asks the indexes, in no order; the ranked walks stop at the
    page. The title tier stops at ``limit`` on both, as the page needs no more of it.
    """
    if not terms:
        return [], 0
    if len(terms) > MAX_TERMS:
        raise ValueError(f"more than {MAX_TERMS} terms; search for fewer words")
    sqlite = session.get_bind().dialect.name == "sqlite"
    if not sqlite and count_to and limit and all(len(t) > 1 for t in terms):
        return _postgresql_counted(session, terms, scope, limit, count_to + 1)
    finder = _sqlite_ids if sqlite else _postgresql_ids
    titled = finder(session, terms, scope, limit, title_only=True)
    hits = [Hit(i, True) for i in titled]
    counted = 0
    if count_to and not sqlite:
        counted = _postgresql_count(session, terms, scope, count_to + 1)
    if limit and len(hits) >= limit and not (count_to and sqlite):
        return hits[:limit], counted
    seen = set(titled)
    # Ask for enough to have ``limit`` left without the title matches (and, on SQLite, to count).
    wanted = limit + len(seen) if limit else 0
    if count_to and sqlite and limit:
        wanted = max(wanted, count_to + 1)
    rest = finder(session, terms, scope, wanted, title_only=False)
    if count_to and sqlite:
        counted = len(rest)
    if not limit or len(hits) < limit:
        hits += [Hit(i, False) for i in rest if i not in seen]
    return (hits[:limit] if limit else hits), counted


def count_found(session: Session, terms: Sequence[str], scope: Scope, count_to: int) -> int:
    """How many articles match, counted up to ``count_to + 1``, whatever the ranking."""
    if len(terms) > MAX_TERMS:
        raise ValueError(f"more than {MAX_TERMS} terms; search for fewer words")
    if not terms:
        return 0
    if session.get_bind().dialect.name == "postgresql":
        return _postgresql_count(session, terms, scope, count_to + 1)
    return len(search_ids(session, terms, scope, count_to + 1, title_only=False))


def list_newest(session: Session, scope: Scope, limit: int) -> list[int]:
    """Ids of the newest articles within ``scope`` (a listing); ``limit`` 0 means all."""
    if limit and scope.checks and session.get_bind().dialect.name == "postgresql":
        # PostgreSQL cannot estimate how many rows a check on JSON text passes, and guessing
        # "few" it sorts the whole table; the newest rows usually answer at once.
        with _planned(session, WALK_PLAN):
            walked = _walk(session, scope, None, limit)
        if len(walked.found) >= limit or walked.complete:
            return walked.found
    query = select(Article.id).where(*scope.where()).order_by(*NEWEST_FIRST)
    return list(session.scalars(query.limit(limit) if limit else query))


def search_ids(session: Session, terms: Sequence[str], scope: Scope, limit: int, *,
               title_only: bool) -> list[int]:
    """One tier of ``search``: matches in the title only, or in title or body, newest first.

    For paging, which continues a tier from where a page ended instead of starting over.
    """
    finder = _sqlite_ids if session.get_bind().dialect.name == "sqlite" else _postgresql_ids
    return finder(session, terms, scope, limit, title_only=title_only)


def match_condition(terms: Sequence[str], *, title_only: bool) -> ColumnElement[bool]:
    """Every term in the title (or in title or body), as a condition on the row."""
    return _scan_match(terms, title_only)


# ---------------------------------------------------------------- conditions shared by both

def _like(col: SQLColumnExpression[str], term: str) -> ColumnElement[bool]:
    if term.lower() == term.upper():   # nothing to fold (Chinese, digits): LIKE is cheaper
        return col.contains(term, autoescape=True)
    return col.icontains(term, autoescape=True)


def _scan_match(terms: Sequence[str], title_only: bool) -> ColumnElement[bool]:
    """Every term in the title (or in title or body), checked on the row itself."""
    if title_only:
        return and_(*(_like(Article.title, t) for t in terms))
    return and_(*(or_(_like(Article.title, t), _like(Article.body_text, t)) for t in terms))


# ---------------------------------------------------------------- SQLite: FTS5

def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _sqlite_table(term: str, title_only: bool) -> str | None:
    """The FTS table that can find ``term``: trigrams for three characters or more, pairs for
    two letters or digits (the pair tokenizer keeps only those); none for the rest."""
    if len(term) >= 3:
        name = "search_trigram"
    elif len(term) == 2 and term.isalnum():
        name = "search_bigram"
    else:
        return None
    return name + "_title" if title_only else name


def _fts_rows(session: Session, name: str, expression: str, limit: int) -> int:
    fts = table(name, column("rowid", BigInteger))
    first = select(fts.c.rowid).where(literal_column(name).op("MATCH")(literal(expression, Text)))
    return int(session.scalar(select(func.count()).select_from(first.limit(limit).subquery()))
               or 0)


def _sqlite_plan(session: Session, terms: Sequence[str], title_only: bool
                 ) -> tuple[str | None, str, list[str]]:
    """The FTS table to read, its MATCH expression, and the terms left to check on the row.

    The index walked is the one holding the rarest term, its other terms joining the
    MATCH: a rare term keeps the walk short, whatever else the query asks. How rare is
    learned by counting at most PROBE_ROWS matches of each term, which costs little.
    """
    tables = {t: _sqlite_table(t, title_only) for t in terms}
    indexed = [t for t in terms if tables[t] is not None]
    if not indexed:
        return None, "", list(terms)
    rarest = indexed[0]
    if len(indexed) > 1:
        rarest = min(indexed, key=lambda t: _fts_rows(session, str(tables[t]), _phrase(t),
                                                       PROBE_ROWS))
    name = str(tables[rarest])
    chosen = [t for t in indexed if tables[t] == name]
    return name, " AND ".join(_phrase(t) for t in chosen), [t for t in terms if t not in chosen]


def _sqlite_ids(session: Session, terms: Sequence[str], scope: Scope, limit: int,
                title_only: bool) -> list[int]:
    if limit and (scope.site is not None or scope.person is not None or scope.checks):
        # A site, a person or a row check can make a common term rare among the index's rows,
        # so that walking them for ``limit`` matches in the scope reads thousands; the scope's
        # own newest rows answer such a term at once, and cost little when they do not.
        walked = _walk(session, scope, _scan_match(terms, title_only), limit)
        if len(walked.found) >= limit or walked.complete:
            return walked.found
    name, expression, residual = _sqlite_plan(session, terms, title_only)
    if name is None:
        # Only one-character terms: newest first through the date index, each row checked.
        query = select(Article.id).where(_scan_match(terms, title_only), *scope.where())
        query = query.order_by(*NEWEST_FIRST)
        return list(session.scalars(query.limit(limit) if limit else query))
    fts = table(name, column("rowid", BigInteger))
    article_id = fts.c.rowid.op("&")(KEY_MASK)
    query = select(article_id).select_from(fts).where(
        literal_column(name).op("MATCH")(literal(expression, Text)))
    row_checks: list[ColumnElement[bool]] = list(scope.checks)
    if scope.site is not None:
        row_checks.append(Article.site == scope.site)
    if scope.person is not None:
        row_checks.append(credited(scope.person))
    if residual:
        row_checks.append(_scan_match(residual, title_only))
    for moment, is_since in ((scope.since, True), (scope.until, False)):
        if moment is None:
            continue
        bound = fts.c.rowid >= _first_key(moment) if is_since else fts.c.rowid < _first_key(moment)
        query = query.where(bound)
        if not _key_exact(moment):
            row_checks.append(Article.published_at >= moment if is_since
                              else Article.published_at < moment)
    if row_checks:
        # A correlated EXISTS keeps the index in the driving seat: rows come in key order
        # and the walk stops at ``limit``.
        query = query.where(select(literal(1)).where(Article.id == article_id, *row_checks)
                            .exists())
    query = query.order_by(fts.c.rowid.desc())
    return [int(i) for i in session.scalars(query.limit(limit) if limit else query)]


# ---------------------------------------------------------------- PostgreSQL: pg_trgm and pairs

def _pg_term(col: SQLColumnExpression[str], term: str) -> ColumnElement[bool]:
    """A condition on one column that one of migration 0002's indexes can answer."""
    if len(term) == 2:
        # The same expression as the index, or the planner cannot use it.
        pairs = func.search_bigrams(col, type_=ARRAY(Text))
        return pairs.op("@>")(literal([term.lower()], ARRAY(Text)))
    return _like(col, term)


def _pg_match(terms: Sequence[str], title_only: bool) -> ColumnElement[bool]:
    if title_only:
        return and_(*(_pg_term(Article.title, t) for t in terms))
    return and_(*(or_(_pg_term(Article.title, t), _pg_term(Article.body_text, t)) for t in terms))


@dataclass(frozen=True)
class _Walked:
    found: list[int]                # matches among the walked rows, newest first
    complete: bool                  # the walk saw every row the scope allows
    oldest: datetime | None         # publication date of the oldest row walked
    flagged: list[int] = field(default_factory=list)  # those of ``found`` the flag holds for


def _walk(session: Session, scope: Scope, check: ColumnElement[bool] | None,
          limit: int, most: int | None = None, flag: ColumnElement[bool] | None = None
          ) -> _Walked:
    """Check the newest rows of the scope's site and dates one by one, stopping at ``limit``.

    WALK_ROWS rows first; when they hold some matches but too few, as many more as they
    promise to need (up to ``most``, else WALK_MAX_ROWS): a filter that only the row can
    check makes even a common term look rare, and walking on is cheaper than the index's
    whole candidate set.
    ``flag``, when given, is checked on the matches too, so that one walk serves two tiers.
    """
    walked = _walk_rows(session, scope, check, limit, WALK_ROWS, flag)
    if walked.complete or len(walked.found) >= limit or not walked.found:
        return walked
    promised = math.ceil(WALK_ROWS * limit / len(walked.found) * 1.25)
    if promised > (WALK_MAX_ROWS if most is None else most):
        return walked
    return _walk_rows(session, scope, check, limit, promised, flag)


def _walk_budget(session: Session, limit: int) -> int:
    """How many newest rows a PostgreSQL walk for ``limit`` matches may read before the indexes.

    Walking costs about ``limit / density`` rows, an index about its term's share of the
    archive (``rows · density`` candidates, each fetched and rechecked): they cost the same
    at a density of √(limit / rows), after √(limit · rows) walked rows. So the walk may go
    that far: 4,600 rows for a page of 21 at a million articles, 14,000 for a count of 201.
    """
    rows = _planner_stats(session).rows
    return max(WALK_MAX_ROWS, math.isqrt(int(limit * max(rows, 0.0))))


def _walk_rows(session: Session, scope: Scope, check: ColumnElement[bool] | None, limit: int,
               rows: int, flag: ColumnElement[bool] | None = None) -> _Walked:
    recent = select(Article.id, Article.published_at).where(*scope.indexed()).order_by(
        *NEWEST_FIRST).limit(rows).subquery()
    # Ordered by the subquery's own columns, the join keeps the index order and the outer
    # LIMIT stops the walk as soon as enough rows pass. The scope's checks come before the
    # terms: PostgreSQL keeps the written order of conditions that cost the same.
    query = (select(Article.id, literal(True) if flag is None else flag)
             .select_from(recent.join(Article, Article.id == recent.c.id))
             .where(*(c for c in (*scope.checks, check) if c is not None))
             .order_by(recent.c.published_at.desc().nulls_last(), recent.c.id.desc()).limit(limit))
    rows_found = session.execute(query).all()
    found, flagged = [r[0] for r in rows_found], [r[0] for r in rows_found if r[1]]
    if len(found) >= limit:
        return _Walked(found, False, None, flagged)
    last = session.execute(select(Article.published_at).where(*scope.indexed()).order_by(
        *NEWEST_FIRST).offset(rows - 1).limit(1)).first()
    return _Walked(found, last is None, last.published_at if last is not None else None, flagged)


def _read_scope(session: Session, scope: Scope, check: ColumnElement[bool],
                flag: ColumnElement[bool]) -> _Walked:
    """Every match of ``check`` within a person's articles, newest first, in one statement.

    A person has a few thousand articles at most, read once by their ids and sorted: cheaper
    than a staged walk, which reads them again at each stage and for each tier.
    """
    rows = session.execute(select(Article.id, flag).where(*scope.where(), check)
                           .order_by(*NEWEST_FIRST)).all()
    return _Walked([r[0] for r in rows], True, None, [r[0] for r in rows if r[1]])


@dataclass(frozen=True)
class _PlannerStats:
    rows: float                     # the planner's estimate of the archive's size
    edges: list[datetime]           # its quantiles of publication dates, oldest first


_STATS_KEY = "zonenews.planner_stats"


def _planner_stats(session: Session) -> _PlannerStats:
    """What the planner knows of the archive, read once per session in one statement.

    A counted search walks up to three times and may widen windows twice; each would
    otherwise ask pg_class and pg_stats again for figures only ANALYZE changes.
    """
    cached = session.info.get(_STATS_KEY)
    if isinstance(cached, _PlannerStats):
        return cached
    pages = table("pg_class", column("oid"), column("reltuples"))
    stats = table("pg_stats", column("schemaname"), column("tablename"), column("attname"))
    rows = select(pages.c.reltuples).where(
        pages.c.oid == func.to_regclass(Article.__tablename__)).scalar_subquery()
    bounds = (select(literal_column("histogram_bounds::text::timestamptz[]"))
              .select_from(stats)
              .where(stats.c.schemaname == func.current_schema(),
                     stats.c.tablename == Article.__tablename__,
                     stats.c.attname == "published_at").limit(1).scalar_subquery())
    found = session.execute(select(rows, bounds)).one()
    read = _PlannerStats(float(found[0] or 0),
                         sorted(b for b in found[1] or () if b is not None))
    session.info[_STATS_KEY] = read
    return read


def _share_newer(edges: list[datetime], moment: datetime) -> float:
    """About what share of dated articles were published after ``moment``."""
    at = bisect.bisect_left(edges, moment)
    return max(1 - at / (len(edges) - 1), 1 / (len(edges) - 1) / 4)


def _moment_for(edges: list[datetime], share: float) -> datetime:
    return edges[min(len(edges) - 1, max(0, math.floor((1 - share) * (len(edges) - 1))))]


@contextmanager
def _planned(session: Session, settings: dict[str, str]) -> Iterator[None]:
    """Planner settings for the statements inside, undone with the savepoint that holds them."""
    savepoint = session.begin_nested()
    try:
        session.execute(select(*(func.set_config(name, value, True)
                                 for name, value in settings.items())))
        yield
    finally:
        savepoint.rollback()


def _postgresql_ids(session: Session, terms: Sequence[str], scope: Scope, limit: int,
                    title_only: bool) -> list[int]:
    indexed = select(Article.id).where(_pg_match(terms, title_only), *scope.where()).order_by(
        *NEWEST_FIRST)
    if not limit or any(len(t) < 2 for t in terms):
        # Every match is wanted, or a one-character term no index holds: let the planner choose.
        return list(session.scalars(indexed.limit(limit) if limit else indexed))
    if scope.person is not None:
        return _read_scope(session, scope, _scan_match(terms, title_only), literal(True)
                           ).found[:limit]
    with _planned(session, WALK_PLAN):
        walked = _walk(session, scope, _scan_match(terms, title_only), limit,
                       _walk_budget(session, limit))
    if len(walked.found) >= limit or walked.complete:
        return walked.found
    # The newest rows hold too few matches, so the terms are rare there and the indexes'
    # candidate sets small. Ask the indexes for the matches of a window of recent dates,
    # sized from the density seen so far to hold about twice ``limit``; widen until it does.
    edges = _planner_stats(session).edges
    share, found = 0.0, len(walked.found)
    if len(edges) > 2 and walked.oldest is not None:
        share = _share_newer(edges, walked.oldest)
    with _planned(session, WINDOW_PLAN):
        while True:
            share = min(1.0, 2 * limit * share / max(found, 0.5)) if share else 1.0
            query = indexed if share >= 1 else indexed.where(
                Article.published_at >= _moment_for(edges, share))
            ids = list(session.scalars(query.limit(limit)))
            if len(ids) >= limit or share >= 1:
                return ids
            found = len(ids)


def _postgresql_count(session: Session, terms: Sequence[str], scope: Scope, limit: int) -> int:
    """Matches up to ``limit``, in no order.

    The newest rows are walked first, as for the page: a common term fills ``limit`` among
    them at once, where its index would hand over a bitmap of most of the archive before a
    single row is counted. Only a term too rare for the walk is counted through the indexes,
    whose candidate sets are then small; the planner picks which and stops at ``limit``.
    A person's articles are few, and read once.
    """
    if scope.person is not None:
        return min(limit, len(_read_scope(session, scope, _scan_match(terms, title_only=False),
                                          literal(True)).found))
    with _planned(session, WALK_PLAN):
        walked = _walk(session, scope, _scan_match(terms, title_only=False), limit,
                       _walk_budget(session, limit))
    if len(walked.found) >= limit or walked.complete:
        return len(walked.found)
    inner = select(Article.id).where(_indexed_match(terms), *scope.where()).limit(limit)
    return int(session.scalar(select(func.count()).select_from(inner.subquery())) or 0)


def _indexed_match(terms: Sequence[str]) -> ColumnElement[bool]:
    """Every term in title or body, as the indexes answer it in no order: for terms too rare
    for a walk to count."""

    def counted(col: SQLColumnExpression[str], term: str) -> ColumnElement[bool]:
        # LIKE first: a row is checked left to right, so a scan computes the costly pairs of
        # a two-character term only for the rows that hold it; the pair index still serves.
        return and_(_like(col, term), _pg_term(col, term)) if len(term) == 2 else _pg_term(col, term)

    return and_(*(or_(counted(Article.title, t), counted(Article.body_text, t)) for t in terms))


def _postgresql_counted(session: Session, terms: Sequence[str], scope: Scope, limit: int,
                        count_to: int) -> tuple[list[Hit], int]:
    """``search_counted`` on PostgreSQL, with as few reads of the archive as the answer allows.

    The walk that counts (or, with a person, the one read of the person's articles) holds
    every match among the newest rows it saw, in order, and marks those whose title holds
    every term: any prefix of either list is that tier's answer. A term too rare for the
    walk is counted through the indexes, and when it has fewer matches than the count asks
    for, that one statement hands over all of them for both tiers. Only a tier neither saw
    enough of is looked up on its own, as ``search`` would.
    """
    check, in_title = _scan_match(terms, title_only=False), _scan_match(terms, title_only=True)
    if scope.person is not None:
        walked = _read_scope(session, scope, check, in_title)
    else:
        with _planned(session, WALK_PLAN):
            walked = _walk(session, scope, check, count_to, _walk_budget(session, count_to),
                           flag=in_title)
    if walked.complete or len(walked.found) >= count_to:
        counted = min(count_to, len(walked.found))
    else:
        rows = list(session.execute(select(Article.id, Article.published_at, in_title).where(
            _indexed_match(terms), *scope.where()).limit(count_to)))
        counted = len(rows)
        if counted < count_to:
            # Fewer than asked for: these are every match, and both tiers are theirs, sorted.
            rows.sort(key=lambda r: (r[1] is not None, r[1] or _EPOCH, r[0]), reverse=True)
            walked = _Walked([r[0] for r in rows], True, None, [r[0] for r in rows if r[2]])
    if walked.complete or len(walked.flagged) >= limit:
        titled = walked.flagged[:limit]
    else:
        titled = _postgresql_ids(session, terms, scope, limit, title_only=True)
    hits = [Hit(i, True) for i in titled]
    if len(hits) >= limit:
        return hits, counted
    wanted = limit + len(titled)
    if walked.complete or len(walked.found) >= wanted:
        rest = walked.found[:wanted]
    else:
        rest = _postgresql_ids(session, terms, scope, wanted, title_only=False)
    seen = set(titled)
    hits += [Hit(i, False) for i in rest if i not in seen]
    return hits[:limit], counted


# ---------------------------------------------------------------- snippets

@dataclass(frozen=True)
class Snippet:
    """An excerpt around the first match and where each term sits in it."""

    text: str
    spans: tuple[tuple[int, int], ...]

    def highlighted(self, start: str = "[", end: str = "]") -> str:
        out, at = [], 0
        for lo, hi in self.spans:
            out += [self.text[at:lo], start, self.text[lo:hi], end]
            at = hi
        out.append(self.text[at:])
        return "".join(out)


def _spans(text: str, terms: Sequence[str]) -> list[tuple[int, int]]:
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)),
                         re.IGNORECASE)
    return [m.span() for m in pattern.finditer(text)]


def make_snippet(title: str, body: str, terms: Sequence[str], width: int = 36) -> Snippet:
    """About ``width`` characters of the body around its first match (the title if none)."""
    flat = " ".join(body.split())
    spans = _spans(flat, terms) if terms else []
    if not spans:
        title_spans = _spans(title, terms) if terms else []
        if title_spans:
            return Snippet(title, tuple(title_spans))
        return Snippet(flat[:width] + ("…" if len(flat) > width else ""), ())
    first_lo, first_hi = spans[0]
    start = max(0, first_lo - width // 3)
    end = max(start + width, first_hi)
    if end > len(flat):
        end = len(flat)
        start = max(0, min(start, end - width))
    lead = "…" if start > 0 else ""
    tail = "…" if end < len(flat) else ""
    shift = len(lead) - start
    inside = tuple((max(lo, start) + shift, min(hi, end) + shift) for lo, hi in spans
                   if lo < end and hi > start)
    return Snippet(lead + flat[start:end] + tail, inside)
