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
from pipelines.events import find_events
from pipelines.industries import find_industries
from pipelines.models import Article, ArticleFact, StoryArticle, utcnow
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
    leave_story(session, article.id)
    facts = read_facts(article.title, article.body_text)
    if facts:
        session.execute(insert(ArticleFact), [_row(article.id, f) for f in facts])
    row = session.get(StoryArticle, article.id)
    if row is None:
        row = StoryArticle(article_id=article.id, content_hash=article.content_hash,
                           derived_at=utcnow())
        session.add(row)
    row.content_hash = article.content_hash
    row.derived_at = utcnow()
    row.score = None
    session.flush()
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
    except Exception:
        logger.exception("facts: could not list the articles to derive")
        if stats is not None:
            stats.inc_value("facts/failed", len(wanted))
        return 0
    return _derive_ids(sessions, pending, stats)


def _derive_ids(sessions: sessionmaker[Session], ids: Sequence[int], stats: Stats | None,
                progress: Callable[[int], None] | None = None, chunk: int = 50) -> int:
    """Derive ``ids`` in transactions of ``chunk`` articles, each article in a savepoint of its
    own: one failing article is rolled back alone, one commit serves the rest."""
    done = 0
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        derived = 0
        try:
            with sessions.begin() as session:
                for article_id in part:
                    try:
                        with session.begin_nested():
                            article = session.get(Article, article_id)
                            if article is not None:
                                derive_article(session, article)
                                derived += 1
                    except Exception:
                        logger.exception("facts: article %s could not be derived", article_id)
                        if stats is not None:
                            stats.inc_value("facts/failed")
            done += derived
        except Exception:
            logger.exception("facts: %d articles could not be derived", len(part))
            if stats is not None:
                stats.inc_value("facts/failed", derived)
        if progress is not None:
            progress(start + len(part))
    if stats is not None and done:
        stats.inc_value("facts/derived", done)
    return done


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
