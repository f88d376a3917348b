"""Facts and stories derived from stored articles: after each save, and again on demand.

Derivation reads only the stored record (title, body, language, dates), so when the rules
improve, ``rebuild`` recomputes every article without fetching anything. An article is
derived again only when its content hash differs from the one its facts were derived from.
A failure to derive one article is logged and counted and never undoes or blocks the
storing of articles: the store calls ``derive_stored`` after its transaction committed.

Cross-language links: a Chinese original and its English translation share no 5-grams, so
an article outside any story is linked, as the weaker kind ``facts``, to an article in
another language published within ``LINK_DAYS`` days that states the same money amount in
the same currency (an amount of at least ``LINK_MIN_AMOUNT``, so a common fee or prize does
not link unrelated news).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Protocol

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session, sessionmaker

from pipelines.amounts import find_amounts
from pipelines.db import error_line, transient
from pipelines.events import find_events
from pipelines.industries import find_industries
from pipelines.models import Article, ArticleFact, StoryArticle, StoryBand, utcnow
from pipelines.organisations import find_organisations
from pipelines.stories import cluster, join, leave_story

logger = logging.getLogger(__name__)

LINK_DAYS = 3
LINK_MIN_AMOUNT = Decimal(1_000_000)
KEY_WHOLE_DIGITS = 20
KEY_DECIMALS = 6


class Stats(Protocol):
    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None: ...


@dataclass(frozen=True)
class Fact:
    """A fact before it is stored."""

    kind: str
    value: str
    amount: Decimal | None = None
    amount_high: Decimal | None = None
    currency: str | None = None
    approximate: bool | None = None
    sentence: str | None = None


def amount_key(amount: Decimal) -> str:
    """``1640000000`` → ``00000000001640000000.000000``: text that sorts like the number."""
    whole, _, frac = f"{amount:.{KEY_DECIMALS}f}".partition(".")
    return f"{whole.zfill(KEY_WHOLE_DIGITS)}.{frac}"


def read_facts(title: str, body: str) -> list[Fact]:
    """Every fact of an article: amounts and organisations of title and body, industries, events."""
    text = f"{title}\n{body}" if title else body
    facts = [Fact("amount", a.value, a.amount, a.amount_high, a.currency, a.approximate, a.sentence)
             for a in find_amounts(text)]
    facts += [Fact("organisation", o.name) for o in find_organisations(text)]
    facts += [Fact("industry", key) for key in find_industries(title, body)]
    facts += [Fact("event", kind) for kind in find_events(title, body)]
    return facts


def _row(article_id: int, fact: Fact) -> dict[str, object]:
    return {"article_id": article_id, "kind": fact.kind, "value": fact.value,
            "amount": None if fact.amount is None else str(fact.amount),
            "amount_high": None if fact.amount_high is None else str(fact.amount_high),
            "amount_key": None if fact.amount is None else amount_key(fact.amount),
            "currency": fact.currency, "approximate": fact.approximate, "sentence": fact.sentence}


def derive_article(session: Session, article: Article) -> None:
    """Replace the facts and the story place of one article with what its stored text says."""
    session.execute(delete(ArticleFact).where(ArticleFact.article_id == article.id))
    session.execute(delete(StoryBand).where(StoryBand.article_id == article.id))
    _derive(session, article, session.get(StoryArticle, article.id))


def _derive(session: Session, article: Article, row: StoryArticle | None) -> None:
    """``derive_article`` once the article's facts and bands are deleted; ``row`` is its
    ``story_articles`` row, None for an article never derived."""
    leave_story(session, row)
    facts = read_facts(article.title, article.body_text)
    if facts:
        session.execute(insert(ArticleFact), [_row(article.id, f) for f in facts])
    if row is None:
        row = StoryArticle(article_id=article.id, content_hash=article.content_hash,
                           derived_at=utcnow())
        session.add(row)
    row.content_hash = article.content_hash
    row.derived_at = utcnow()
    row.score = None
    cluster(session, article, row)
    _link_by_facts(session, article, facts)


def _link_by_facts(session: Session, article: Article, facts: Sequence[Fact]) -> None:
    """The weaker link: an article in another language, days apart, stating the same amount."""
    if article.published_at is None or not article.language:
        return
    keys = {(amount_key(f.amount), f.currency) for f in facts
            if f.kind == "amount" and f.amount is not None and f.amount >= LINK_MIN_AMOUNT}
    if not keys:
        return
    window = timedelta(days=LINK_DAYS)
    query = (select(ArticleFact.article_id, ArticleFact.amount_key, ArticleFact.currency)
             .join(Article, Article.id == ArticleFact.article_id)
             .where(ArticleFact.kind == "amount",
                    ArticleFact.amount_key.in_([k for k, _ in keys]),
                    ArticleFact.article_id != article.id,
                    Article.language.is_not(None), Article.language != article.language,
                    Article.published_at >= article.published_at - window,
                    Article.published_at <= article.published_at + window)
             .order_by(ArticleFact.article_id))
    shared: dict[int, int] = {}
    for other_id, key, currency in session.execute(query):
        if (key, currency) in keys:
            shared[other_id] = shared.get(other_id, 0) + 1
    if not shared:
        return
    other_id = max(shared, key=lambda a: (shared[a], -a))
    other = session.get(StoryArticle, other_id)
    me = session.get(StoryArticle, article.id)
    if other is None or me is None:
        return
    score = shared[other_id] / len(keys)
    # Whichever of the two was stored first, the one outside a story joins the other's; two
    # stories are never merged by this weaker link.
    if me.story_id is None:
        join(session, article.id, other_id, "facts", score)
    elif other.story_id is None:
        join(session, other_id, article.id, "facts", score)


def _failed(what: str, exc: BaseException) -> None:
    """One line, at INFO: the article is stored whatever happens here, the failure is counted
    under ``facts/failed`` (the run's details and the crawl's summary show it) and
    ``zonenews facts --rebuild`` derives it again; a database gone away mid-crawl, which fails
    every article alike, is reported once by the store. The traceback goes to the debug log."""
    logger.info("%s: %s", what, error_line(exc))
    logger.debug("%s", what, exc_info=exc)


def derive_stored(sessions: sessionmaker[Session], urls: Iterable[str],
                  stats: Stats | None = None) -> int:
    """Derive the articles just stored under ``urls`` whose text is new; how many were derived.

    Each article is derived in its own transaction; a failure is logged, counted under
    ``facts/failed`` and leaves the stored article as it is.
    """
    wanted = list(urls)
    try:
        with sessions() as session:
            pending = list(session.execute(
                select(Article.id).outerjoin(StoryArticle, StoryArticle.article_id == Article.id)
                .where(Article.url.in_(wanted))
                .where((StoryArticle.content_hash.is_(None))
                       | (StoryArticle.content_hash != Article.content_hash))).scalars())
    except Exception as exc:
        _failed("facts: could not list the articles to derive", exc)
        if stats is not None:
            stats.inc_value("facts/failed", len(wanted))
        return 0
    return _derive_ids(sessions, pending, stats)


def _derive_ids(sessions: sessionmaker[Session], ids: Sequence[int], stats: Stats | None,
                progress: Callable[[int], None] | None = None, chunk: int = 50) -> int:
    """Derive ``ids`` in transactions of ``chunk`` articles; how many were derived.

    A chunk is first derived whole, with its articles, story rows and old facts and bands read
    and deleted in one statement each: a savepoint per article costs two statements more for
    every article and is needed only when one fails. A chunk that fails is rolled back and
    derived again one article at a time, each in a savepoint of its own, so that one failing
    article is rolled back alone and one commit serves the rest.
    """
    done = 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        try:
            with sessions.begin() as session:
                derived = _derive_chunk(session, part)
            done += derived
        except Exception as exc:
            if transient(exc):     # the database is away: one by one would fail alike, slowly
                _failed(f"facts: {len(part)} articles could not be derived", exc)
                if stats is not None:
                    stats.inc_value("facts/failed", len(part))
            else:
                done += _derive_one_by_one(sessions, part, stats)
        if progress is not None:
            progress(start + len(part))
    if stats is not None and done:
        stats.inc_value("facts/derived", done)
    return done


def _derive_chunk(session: Session, ids: Sequence[int]) -> int:
    """Derive ``ids`` in order within one transaction, reading and clearing them in bulk."""
    articles = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(ids)))}
    rows = {r.article_id: r for r in session.scalars(
        select(StoryArticle).where(StoryArticle.article_id.in_(ids)))}
    session.execute(delete(ArticleFact).where(ArticleFact.article_id.in_(ids)))
    session.execute(delete(StoryBand).where(StoryBand.article_id.in_(ids)))
    derived = 0
    for article_id in ids:
        article = articles.get(article_id)
        if article is not None:
            _derive(session, article, rows.get(article_id))
            derived += 1
    return derived


def _derive_one_by_one(sessions: sessionmaker[Session], ids: Sequence[int],
                       stats: Stats | None) -> int:
    derived = 0
    try:
        with sessions.begin() as session:
            for article_id in ids:
                try:
                    with session.begin_nested():
                        article = session.get(Article, article_id)
                        if article is not None:
                            derive_article(session, article)
                            derived += 1
                except Exception as exc:
                    _failed(f"facts: article {article_id} could not be derived", exc)
                    if stats is not None:
                        stats.inc_value("facts/failed")
        return derived
    except Exception as exc:
        _failed(f"facts: {len(ids)} articles could not be derived", exc)
        if stats is not None:
            stats.inc_value("facts/failed", derived)
        return 0


def rebuild(sessions: sessionmaker[Session], site: str | None = None,
            progress: Callable[[int], None] | None = None, stats: Stats | None = None) -> int:
    """Derive every stored article again (of one site), oldest first; how many were derived.

    Oldest first, so that each story's earliest article is indexed before its republications.
    """
    with sessions() as session:
        query = select(Article.id).order_by(Article.first_seen_at, Article.id)
        if site:
            query = query.where(Article.site == site)
        ids = list(session.scalars(query))
    return _derive_ids(sessions, ids, stats, progress)
