"""Re-extraction: today's extraction over the kept raw pages, stored as a crawl would store it.

Nothing is fetched. The caller passes the function that turns an article's
kept pages into a record (the crawl's own extraction and normalisation), so
this module knows nothing of selectors or sites. Articles are read in batches
of ascending id, each batch written and committed on its own: a run that is
killed loses at most the batch in hand, and a second run finds the finished
articles already equal and completes the rest.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from pipelines.models import Article, RawPage
from pipelines.normalize import Unusable
from pipelines.raw import load_raw_pages
from pipelines.record import ArticleRecord, RawCopy
from pipelines.store import RECORD_COLUMNS, save_articles

logger = logging.getLogger(__name__)

# Reads one article's kept pages (copy, canonical URL, site key) into the record a crawl would
# store; None when the site is no longer configured.
Reader = Callable[[RawCopy, str, str], ArticleRecord | None]

BATCH_SIZE = 200
EXAMPLES_KEPT = 3
EXAMPLE_CHARS = 80
# The hash follows from the title and text, which are compared themselves.
NOT_COMPARED = frozenset({"content_hash"})


@dataclass
class Example:
    article_id: int
    before: str
    after: str


@dataclass
class ReextractSummary:
    """What a re-extraction found; with ``dry_run`` nothing of it was written."""

    dry_run: bool = False
    articles: int = 0             # articles with kept pages that were read
    changed: int = 0              # articles with at least one field changed
    new_versions: int = 0         # of those, whose text changed (a new version)
    without_raw: int = 0          # articles in scope with no kept page: skipped
    unknown_site: int = 0         # articles of a site no site file names any more: skipped
    unusable: Counter[str] = field(default_factory=Counter)   # pages that no longer make one
    fields: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[Example]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run, "articles": self.articles, "changed": self.changed,
            "new_versions": self.new_versions, "without_raw": self.without_raw,
            "unknown_site": self.unknown_site, "unusable": dict(self.unusable),
            "fields": dict(self.fields.most_common()),
            "examples": {name: [vars(e) for e in found] for name, found in self.examples.items()},
        }


def _shown(value: Any) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    text = "" if value is None else str(value)
    return text if len(text) <= EXAMPLE_CHARS else text[:EXAMPLE_CHARS - 1] + "…"


def _differences(article: Article, record: ArticleRecord) -> dict[str, tuple[Any, Any]]:
    out = {}
    for name in RECORD_COLUMNS:
        if name in NOT_COMPARED:
            continue
        before, after = getattr(article, name), getattr(record, name)
        if before != after:
            out[name] = (before, after)
    return out


def reextract(sessions: sessionmaker[Session], read: Reader, *,
              sites: Collection[str] = (), since: datetime | None = None,
              dry_run: bool = False, batch_size: int = BATCH_SIZE,
              progress: Callable[[ReextractSummary], None] | None = None) -> ReextractSummary:
    """Read every article in scope again from its kept pages; store what changed unless dry.

    Scope: the ``sites`` named (all when empty), published (or, undated, first
    seen) on or after ``since``.
    """
    summary = ReextractSummary(dry_run=dry_run)
    scope: list[ColumnElement[bool]] = []
    if sites:
        scope.append(Article.site.in_(list(sites)))
    if since is not None:
        scope.append(or_(Article.published_at >= since,
                         (Article.published_at.is_(None)) & (Article.first_seen_at >= since)))
    kept = exists().where(RawPage.article_id == Article.id)
    with sessions() as session:
        summary.without_raw = int(session.scalar(
            select(func.count()).select_from(Article).where(*scope, ~kept)) or 0)
    last_id = 0
    while True:
        with sessions() as session:
            batch = list(session.scalars(
                select(Article).where(*scope, kept, Article.id > last_id)
                .order_by(Article.id).limit(batch_size)))
            if not batch:
                break
            last_id = batch[-1].id
            records = _read_batch(session, batch, read, summary)
            if records and not dry_run:
                save_articles(session, records, reread=True)
                session.commit()
        if progress is not None:
            progress(summary)
    return summary


def _read_batch(session: Session, batch: list[Article], read: Reader,
                summary: ReextractSummary) -> list[ArticleRecord]:
    copies = load_raw_pages(session, [a.id for a in batch])
    records = []
    for article in batch:
        copy = copies.get(article.id)
        if copy is None:
            continue  # its pages went between the two queries; counted next time
        try:
            record = read(copy, article.url, article.site)
        except Unusable as exc:
            summary.unusable[str(exc)] += 1
            logger.warning("article %s (%s): its kept pages are no longer an article: %s",
                           article.id, article.url, exc)
            continue
        if record is None:
            summary.unknown_site += 1
            continue
        summary.articles += 1
        diff = _differences(article, record)
        if not diff:
            continue
        summary.changed += 1
        if article.content_hash != record.content_hash:
            summary.new_versions += 1
        for name, (before, after) in diff.items():
            summary.fields[name] += 1
            found = summary.examples.setdefault(name, [])
            if len(found) < EXAMPLES_KEPT:
                found.append(Example(article.id, _shown(before), _shown(after)))
        records.append(record)
    return records
