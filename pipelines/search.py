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
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

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

# The order of every listing: newest first, undated articles last.
NEWEST_FIRST = (Article.published_at.desc().nulls_last(), Article.id.desc())
KEY_SHIFT = 1 << 32
KEY_MASK = KEY_SHIFT - 1
# Newest rows a PostgreSQL search reads before it turns to the indexes: enough to answer a
# common word at once, few enough to cost a few milliseconds when the word is rare.
WALK_ROWS = 400
# The newest fractions of the archive searched in turn through the indexes, then all of it.
WINDOWS = (0.01, 0.1, 0.4)
# Bitmap scans only, with room for exact bitmaps: the index lookups the windows rely on.
PLANNER_SETTINGS = (("enable_indexscan", "off"), ("enable_seqscan", "off"), ("work_mem", "64MB"))
_TERM = re.compile(r'"([^"]+)"|“([^”]+)”|(\S+)')


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
    return (max(math.floor(moment.timestamp()), 0) + 1) * KEY_SHIFT


def _key_exact(moment: datetime) -> bool:
    # Keys keep whole seconds since 1970; finer or older bounds need the date itself checked.
    return moment.microsecond == 0 and moment.timestamp() > 0


def is_search_object(name: str | None) -> bool:
    """A table, trigger or index of migration 0002: they differ per database (FTS5 on SQLite,
    trigram and pair indexes on PostgreSQL), so the shared models leave them out."""
    return bool(name) and str(name).startswith("search_")


@dataclass(frozen=True)
class Scope:
    """What narrows a search besides its terms: conditions on ``Article`` and a date range."""

    conditions: tuple[ColumnElement[bool], ...] = ()
    since: datetime | None = None
    until: datetime | None = None

    def date_conditions(self) -> list[ColumnElement[bool]]:
        out = []
        if self.since is not None:
            out.append(Article.published_at >= self.since)
        if self.until is not None:
            out.append(Article.published_at < self.until)
        return out


@dataclass(frozen=True)
class Hit:
    article_id: int
    in_title: bool      # every term is in the title: the first tier


def search(session: Session, terms: Sequence[str], scope: Scope, limit: int) -> list[Hit]:
    """The matching articles, best first; ``limit`` 0 means all of them."""
    if not terms:
        return []
    finder = _sqlite_ids if session.get_bind().dialect.name == "sqlite" else _postgresql_ids
    titled = finder(session, terms, scope, limit, title_only=True)
    hits = [Hit(i, True) for i in titled]
    if limit and len(hits) >= limit:
        return hits[:limit]
    seen = set(titled)
    # Title matches are matches too: ask for enough to have ``limit`` left without them.
    rest = finder(session, terms, scope, limit + len(seen) if limit else 0, title_only=False)
    hits += [Hit(i, False) for i in rest if i not in seen]
    return hits[:limit] if limit else hits


# ---------------------------------------------------------------- conditions shared by both

def _like(col: SQLColumnExpression[str], term: str) -> ColumnElement[bool]:
    if term.lower() == term.upper():   # nothing to fold (Chinese, digits): LIKE is cheaper
        return col.contains(term, autoescape=True)
    return col.icontains(term, autoescape=True)


def _scan_match(title: SQLColumnExpression[str], body: SQLColumnExpression[str], terms: Sequence[str],
                title_only: bool) -> ColumnElement[bool]:
    """Every term in the title (or in title or body), checked on the row itself."""
    if title_only:
        return and_(*(_like(title, t) for t in terms))
    return and_(*(or_(_like(title, t), _like(body, t)) for t in terms))


# ---------------------------------------------------------------- SQLite: FTS5

def _phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def _sqlite_plan(terms: Sequence[str], title_only: bool) -> tuple[str | None, str, list[str]]:
    """The FTS table to read, its MATCH expression, and the terms left to check on the row.

    Three characters or more go to the trigram index; two letters or digits to the
    pair index (whose tokenizer keeps only letters and digits); shorter terms, and
    terms neither index can take, are checked on the article row.
    """
    long = [t for t in terms if len(t) >= 3]
    pairs = [t for t in terms if len(t) == 2 and t.isalnum()]
    chosen = long or pairs
    if not chosen:
        return None, "", list(terms)
    name = "search_trigram" if long else "search_bigram"
    if title_only:
        name += "_title"
    return name, " AND ".join(_phrase(t) for t in chosen), [t for t in terms if t not in chosen]


def _sqlite_ids(session: Session, terms: Sequence[str], scope: Scope, limit: int,
                title_only: bool) -> list[int]:
    name, expression, residual = _sqlite_plan(terms, title_only)
    if name is None:
        return _scan_ids(session, terms, scope, limit, title_only)
    fts = table(name, column("rowid", BigInteger))
    article_id = fts.c.rowid.op("&")(KEY_MASK)
    query = select(article_id).select_from(fts).where(
        literal_column(name).op("MATCH")(literal(expression, Text)))
    row_checks: list[ColumnElement[bool]] = list(scope.conditions)
    if residual:
        row_checks.append(_scan_match(Article.title, Article.body_text, residual, title_only))
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
    if limit:
        query = query.limit(limit)
    return [int(i) for i in session.scalars(query)]


def _scan_ids(session: Session, terms: Sequence[str], scope: Scope, limit: int,
              title_only: bool) -> list[int]:
    """Newest first through the date index, each row checked: for terms no index can take."""
    query = select(Article.id).where(
        _scan_match(Article.title, Article.body_text, terms, title_only),
        *scope.conditions, *scope.date_conditions()).order_by(*NEWEST_FIRST)
    if limit:
        query = query.limit(limit)
    return list(session.scalars(query))


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


def _window_bounds(session: Session) -> list[datetime]:
    """Dates after which the newest 1 %, 10 %, 40 % of articles were published (planner stats)."""
    bounds = session.execute(select(literal_column("histogram_bounds::text::timestamptz[]"))
                             .select_from(table("pg_stats", column("schemaname"),
                                                column("tablename"), column("attname")))
                             .where(literal_column("schemaname") == func.current_schema(),
                                    literal_column("tablename") == "articles",
                                    literal_column("attname") == "published_at")).scalar()
    if not bounds:
        return []
    edges = sorted(b for b in bounds if b is not None)
    return [edges[max(0, math.floor((1 - share) * (len(edges) - 1)))] for share in WINDOWS]


def _postgresql_ids(session: Session, terms: Sequence[str], scope: Scope, limit: int,
                    title_only: bool) -> list[int]:
    conditions = [*scope.conditions, *scope.date_conditions()]
    indexed = select(Article.id).where(_pg_match(terms, title_only), *conditions).order_by(
        *NEWEST_FIRST)
    if not limit or any(len(t) < 2 for t in terms):
        # Every match is wanted, or a one-character term no index holds: let the planner choose.
        return list(session.scalars(indexed.limit(limit) if limit else indexed))

    recent = select(Article.id, Article.title, Article.body_text, Article.published_at).where(
        *conditions).order_by(*NEWEST_FIRST).limit(WALK_ROWS)
    walk = recent.subquery()
    found = list(session.scalars(
        select(walk.c.id).where(_scan_match(walk.c.title, walk.c.body_text, terms, title_only))
        .order_by(walk.c.published_at.desc().nulls_last(), walk.c.id.desc()).limit(limit)))
    if len(found) >= limit:
        return found
    # Too few matches among the newest rows: the terms are rare, so the indexes' candidate
    # sets are small. Bitmap scans only, each window bounded by date, so the rows read are
    # the matches of that window and not the whole newest-first walk.
    # The settings live in a savepoint that is rolled back: nothing leaks into later queries.
    bounds = _window_bounds(session)
    savepoint = session.begin_nested()
    try:
        for name, value in PLANNER_SETTINGS:
            session.execute(select(func.set_config(name, value, True)))
        for bound in [*bounds, None]:
            query = indexed if bound is None else indexed.where(Article.published_at >= bound)
            found = list(session.scalars(query.limit(limit)))
            if len(found) >= limit:
                break
    finally:
        savepoint.rollback()
    return found


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
