"""What a crawl asks of the store before and while it runs, bound to one database.

The crawl side (``scrapers/``) never opens a session: the runner builds a
``CrawlStore`` and hands it to the check before the crawl and to the spider,
which only call these methods.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipelines.db import in_parts, open_database
from pipelines.models import Article
from pipelines.runs import previous_run, stopped_short


@dataclass(frozen=True)
class PreviousCrawl:
    run_id: int
    finished: bool   # walked its lists to their end; when not, the next crawl walks them all


@dataclass(frozen=True)
class CrawlStore:
    sessions: sessionmaker[Session]

    @classmethod
    def at(cls, database_url: str) -> CrawlStore:
        return cls(open_database(database_url))

    def known_urls(self, site: str) -> set[str]:
        """Every stored article URL of a site: what an incremental crawl never fetches again."""
        with self.sessions() as session:
            return set(session.scalars(select(Article.url).where(Article.site == site)))

    def stored_urls(self, site: str, urls: Collection[str]) -> set[str]:
        """Those of ``urls`` that are stored articles of the site."""
        wanted = list(urls)
        found: set[str] = set()
        with self.sessions() as session:
            for part in in_parts(wanted):
                found.update(session.scalars(select(Article.url).where(
                    Article.site == site, Article.url.in_(part))))
        return found

    def previous_crawl(self, site: str, current_run: int | None = None) -> PreviousCrawl | None:
        """The site's last crawl before ``current_run``, if it has one."""
        last = previous_run(self.sessions, site, current_run)
        return None if last is None else PreviousCrawl(last.id, not stopped_short(last))
