"""Facts and stories derived from stored articles, after the crawl and again on demand.

Derivation reads only the stored record (title, body, language, dates), so when the rules
improve, ``rebuild`` recomputes every article without fetching anything. The crawl only
stores; ``derive_pending``, run after it in a process of its own (``pipelines.derive``), finds
the articles to derive: never derived, derived from a text that has changed since (its content
hash), or derived with older rules (``RULES_VERSION``). A failure to derive one article is
logged and leaves it pending; it never touches the stored article.

Cross-language links: a Chinese original and its English translation share no 5-grams, so
an article outside any story is linked, as the weaker kind ``facts``, to an article in
another language published within ``LINK_DAYS`` days that states the same money amount in
the same currency (an amount of at least ``LINK_MIN_AMOUNT``, so a common fee or prize does
not link unrelated news), or names the same organisation, by the key its name has in both
languages (pipelines.crosslang), and no other zone. Naming the same zone links nothing.
"""
from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, Select, delete, insert, or_, select, text
from sqlalchemy.orm import Session, sessionmaker

from pipelines.amounts import find_amounts
from pipelines.crosslang import find_zones, organisation_key
from pipelines.db import error_line, transient
from pipelines.events import find_events
from pipelines.industries import find_industries
from pipelines.models import Article, ArticleFact, StoryArticle, StoryBand, utcnow
from pipelines.organisations import find_organisations
from pipelines.stories import cluster, join, leave_story

logger = logging.getLogger(__name__)

LINK_DAYS = 3
LINK_MIN_AMOUNT = Decimal(1_000_000)
LINK_MAX_NAMING = 3
KEY_WHOLE_DIGITS = 20
KEY_DECIMALS = 6
# The version of the derivation rules: raised when they change what is derived, so that every
# article derived with older rules is pending again and the next derivation redoes it.
RULES_VERSION = 1
CHUNK = 50                        # articles derived in one transaction
# The PostgreSQL advisory lock that lets one derivation transaction run at a time.
LOCK_KEY = 0x7A6E_6465_7269_7665


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
    link_key: str | None = None


def amount_key(amount: Decimal) -> str:
    """``1640000000`` → ``00000000001640000000.000000``: text that sorts like the number."""
    whole, _, frac = f"{amount:.{KEY_DECIMALS}f}".partition(".")
    return f"{whole.zfill(KEY_WHOLE_DIGITS)}.{frac}"


def read_facts(title: str, body: str) -> list[Fact]:
    """Every fact of an article: amounts and organisations of title and body, industries, events."""
    text = f"{title}\n{body}" if title else body
    facts = [Fact("amount", a.value, a.amount, a.amount_high, a.currency, a.approximate, a.sentence)
             for a in find_amounts(text)]
    facts += [Fact("organisation", o.name, link_key=organisation_key(o.name))
              for o in find_organisations(text)]
    facts += [Fact("zone", name, link_key=key) for name, key in find_zones(text)]
    facts += [Fact("industry", key) for key in find_industries(title, body)]
    facts += [Fact("event", kind) for kind in find_events(title, body)]
    return facts


def _row(article_id: int, fact: Fact) -> dict[str, object]:
    return {"article_id": article_id, "kind": fact.kind, "value": fact.value,
            "amount": None if fact.amount is None else str(fact.amount),
            "amount_high": None if fact.amount_high is None else str(fact.amount_high),
            "amount_key": None if fact.amount is None else amount_key(fact.amount),
            "currency": fact.currency, "approximate": fact.approximate, "sentence": fact.sentence,
            "link_key": fact.link_key}


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
                           rules=RULES_VERSION, derived_at=utcnow())
        session.add(row)
    row.content_hash = article.content_hash
    row.rules = RULES_VERSION
    row.derived_at = utcnow()
    row.score = None
    cluster(session, article, row)
    _link_by_facts(session, article, facts)


def _link_by_facts(session: Session, article: Article, facts: Sequence[Fact]) -> None:
    """The weaker link: an article in another language, days apart, that states the same amount
    in the same currency, or names the same organisation (by its key in both languages) and
    no other zone. A shared zone alone links nothing: it is what every story of a zone shares.
    """
    if article.published_at is None or not article.language:
        return
    amounts = {(amount_key(f.amount), f.currency) for f in facts
               if f.kind == "amount" and f.amount is not None and f.amount >= LINK_MIN_AMOUNT}
    orgs = {f.link_key for f in facts if f.kind == "organisation" and f.link_key}
    zones = {f.link_key for f in facts if f.kind == "zone" and f.link_key}
    if not amounts and not orgs:
        return
    window = timedelta(days=LINK_DAYS)
    near = (Article.language.is_not(None), Article.language != article.language,
            Article.published_at >= article.published_at - window,
            Article.published_at <= article.published_at + window,
            ArticleFact.article_id != article.id)
    shared: Counter[int] = Counter()
    if amounts:
        for other_id, key, currency in session.execute(
                select(ArticleFact.article_id, ArticleFact.amount_key, ArticleFact.currency)
                .join(Article, Article.id == ArticleFact.article_id)
                .where(ArticleFact.kind == "amount",
                       ArticleFact.amount_key.in_([k for k, _ in amounts]), *near)):
            if (key, currency) in amounts:
                shared[other_id] += 1
    shared.update(_shared_organisations(session, orgs, zones, near))
    if not shared:
        return
    other_id = max(shared, key=lambda a: (shared[a], -a))
    other = session.get(StoryArticle, other_id)
    me = session.get(StoryArticle, article.id)
    if other is None or me is None:
        return
    score = shared[other_id] / (len(amounts) + len(orgs))
    # Whichever of the two was stored first, the one outside a story joins the other's; two
    # stories are never merged by this weaker link.
    if me.story_id is None:
        join(session, article.id, other_id, "facts", score)
    elif other.story_id is None:
        join(session, other_id, article.id, "facts", score)


def _shared_organisations(session: Session, orgs: set[str], zones: set[str],
                          near: Sequence[ColumnElement[bool]]) -> dict[int, int]:
    """Articles ``near`` that name one of ``orgs``, with how many, unless both name zones and
    none is the same (one company's news from two zones are two stories). A name that more
    than ``LINK_MAX_NAMING`` of them state is a zone's boilerplate (its standard paragraph, its
    partners), not a sign of one story, and counts for none."""
    if not orgs:
        return {}
    named: dict[str | None, set[int]] = {}
    for other_id, key in session.execute(
            select(ArticleFact.article_id, ArticleFact.link_key)
            .join(Article, Article.id == ArticleFact.article_id)
            .where(ArticleFact.kind == "organisation", ArticleFact.link_key.in_(orgs), *near)):
        named.setdefault(key, set()).add(other_id)
    shared: dict[int, int] = {}
    for ids in named.values():
        if len(ids) <= LINK_MAX_NAMING:     # more is a name in boilerplate, not in one story
            for other_id in ids:
                shared[other_id] = shared.get(other_id, 0) + 1
    if not shared or not zones:
        return shared
    their_zones: dict[int, set[str | None]] = {}
    for other_id, key in session.execute(
            select(ArticleFact.article_id, ArticleFact.link_key)
            .where(ArticleFact.kind == "zone", ArticleFact.article_id.in_(list(shared)))):
        their_zones.setdefault(other_id, set()).add(key)
    return {a: n for a, n in shared.items() if a not in their_zones or their_zones[a] & zones}


def _failed(what: str, exc: BaseException) -> None:
    """One line, at INFO: the article stays stored and pending whatever happens here, and the
    next derivation tries it again. The traceback goes to the debug log."""
    logger.info("%s: %s", what, error_line(exc))
    logger.debug("%s", what, exc_info=exc)


@dataclass
class Tally:
    """What one derivation did: how many articles it derived, which failed (they stay pending
    for the next derivation) and, when the database went away, why it stopped early."""

    derived: int = 0
    failed: set[int] = field(default_factory=set)
    stopped: str | None = None


def _lock(session: Session) -> None:
    """One derivation transaction at a time across processes, so that each chunk clusters
    against every article derived before it, as a single derivation would.

    On SQLite every transaction begins with ``BEGIN IMMEDIATE``, which is already that lock;
    on PostgreSQL a transaction-level advisory lock, released at commit or rollback.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})


def _stale() -> Select[int]:
    """Articles never derived, derived from a text that has changed since, or derived with
    older rules."""
    return (select(Article.id).outerjoin(StoryArticle, StoryArticle.article_id == Article.id)
            .where(or_(StoryArticle.article_id.is_(None),
                       StoryArticle.content_hash != Article.content_hash,
                       StoryArticle.rules != RULES_VERSION)))


def pending_ids(sessions: sessionmaker[Session]) -> list[int]:
    """The articles a derivation has to do, oldest first (as ``rebuild`` goes)."""
    with sessions() as session:
        return list(session.scalars(_stale().order_by(Article.first_seen_at, Article.id)))


def derive_pending(sessions: sessionmaker[Session], progress: Callable[[int], None] | None = None,
                   chunk: int = CHUNK) -> Tally:
    """Derive every stored article whose facts are missing or outdated, oldest first.

    This is what runs after a crawl, in a process of its own (``pipelines.derive``): the crawl
    only stores. Nothing is marked beforehand, so nothing can be lost: a derivation killed
    mid-way leaves its current chunk rolled back and those articles still pending, and the
    next one picks them up. Articles stored while it runs are picked up by its next pass; it
    ends when a pass finds nothing left but the articles that failed.
    """
    tally = Tally()
    while tally.stopped is None:
        ids = [i for i in pending_ids(sessions) if i not in tally.failed]
        before = (tally.derived, len(tally.failed))
        _derive_ids(sessions, ids, tally, progress, chunk, recheck=True)
        if (tally.derived, len(tally.failed)) == before:
            break
    return tally


def _derive_ids(sessions: sessionmaker[Session], ids: Sequence[int], tally: Tally,
                progress: Callable[[int], None] | None, chunk: int, *, recheck: bool) -> None:
    """Derive ``ids`` in transactions of ``chunk`` articles, counting into ``tally``.

    A chunk is first derived whole, with its articles, story rows and old facts and bands read
    and deleted in one statement each: a savepoint per article costs two statements more for
    every article and is needed only when one fails. A chunk that fails is rolled back and
    derived again one article at a time, each in a savepoint of its own, so that one failing
    article is rolled back alone and one commit serves the rest. With ``recheck``, only the
    articles of a chunk still pending once the lock is held are derived: another derivation
    may have done them meanwhile.
    """
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        try:
            with sessions.begin() as session:
                _lock(session)
                derived = _derive_chunk(session, _still_pending(session, part) if recheck else part)
            tally.derived += derived
        except Exception as exc:
            if transient(exc):     # the database is away: one by one would fail alike, slowly
                _failed(f"facts: {len(part)} articles could not be derived", exc)
                tally.stopped = error_line(exc)
                return
            _derive_one_by_one(sessions, part, tally, recheck=recheck)
        if progress is not None:
            progress(tally.derived)


def _still_pending(session: Session, ids: Sequence[int]) -> list[int]:
    stale = set(session.scalars(_stale().where(Article.id.in_(ids))))
    return [i for i in ids if i in stale]


def _derive_chunk(session: Session, ids: Sequence[int]) -> int:
    """Derive ``ids`` in order within one transaction, reading and clearing them in bulk."""
    if not ids:
        return 0
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


def _derive_one_by_one(sessions: sessionmaker[Session], ids: Sequence[int], tally: Tally, *,
                       recheck: bool) -> None:
    derived = 0
    failed: set[int] = set()
    try:
        with sessions.begin() as session:
            _lock(session)
            for article_id in _still_pending(session, ids) if recheck else ids:
                try:
                    with session.begin_nested():
                        article = session.get(Article, article_id)
                        if article is not None:
                            derive_article(session, article)
                            derived += 1
                except Exception as exc:
                    _failed(f"facts: article {article_id} could not be derived", exc)
                    failed.add(article_id)
    except Exception as exc:
        _failed(f"facts: {len(ids)} articles could not be derived", exc)
        tally.failed.update(ids)
        if transient(exc):
            tally.stopped = error_line(exc)
        return
    tally.derived += derived
    tally.failed |= failed


def rebuild(sessions: sessionmaker[Session], site: str | None = None,
            progress: Callable[[int], None] | None = None, chunk: int = CHUNK) -> Tally:
    """Derive every stored article again (of one site), oldest first.

    Oldest first, so that each story's earliest article is indexed before its republications.
    """
    with sessions() as session:
        query = select(Article.id).order_by(Article.first_seen_at, Article.id)
        if site:
            query = query.where(Article.site == site)
        ids = list(session.scalars(query))
    tally = Tally()
    _derive_ids(sessions, ids, tally, progress, chunk, recheck=False)
    return tally
