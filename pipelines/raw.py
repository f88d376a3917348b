"""Raw pages: the bytes each stored article was read from, compressed, for re-extraction.

Only the current version's pages are kept (a changed page replaces the old
one), so the cost is one compressed page per article. ``ZONENEWS_KEEP_RAW=0``
or ``keep_raw = false`` in a site file turns it off.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from pipelines.models import RawPage
from pipelines.record import ArticleRecord, PageCopy, RawCopy

# zlib's default level: within a few per cent of level 9 on HTML, at a third of the time.
ZLIB_LEVEL = 6


def sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def save_raw_pages(session: Session, ids: Mapping[str, int], records: Iterable[ArticleRecord],
                   now: datetime) -> int:
    """Store the pages of each record that carries them under its article; pages written.

    A page whose bytes are those already stored is left alone, so a crawl that
    re-reads an unchanged article writes nothing here.
    """
    copies = {ids[r.url]: r.raw for r in records if r.raw is not None and r.url in ids}
    if not copies:
        return 0
    stored: dict[int, list[tuple[str, str]]] = {}
    for article_id, url, digest in session.execute(
            select(RawPage.article_id, RawPage.url, RawPage.sha256)
            .where(RawPage.article_id.in_(list(copies))).order_by(RawPage.part)):
        stored.setdefault(article_id, []).append((url, digest))
    rows = []
    for article_id, copy in copies.items():
        digests = [(page.url, sha256(page.body)) for page in copy.pages]
        if stored.get(article_id) == digests:
            continue
        rows += [{"article_id": article_id, "part": part, "url": page.url,
                  "content_type": page.content_type, "sha256": digest, "size": len(page.body),
                  "body": zlib.compress(page.body, ZLIB_LEVEL), "context": copy.context,
                  "fetched_at": now}
                 for part, (page, (_url, digest)) in enumerate(zip(copy.pages, digests, strict=True))]
    changed = list({row["article_id"] for row in rows})
    if changed:
        session.execute(delete(RawPage).where(RawPage.article_id.in_(changed)))
        session.execute(cast(Table, RawPage.__table__).insert(), rows)
    return len(rows)


def load_raw_pages(session: Session, article_ids: Sequence[int]) -> dict[int, RawCopy]:
    """The kept pages of these articles, decompressed; an article without any is absent."""
    pages: dict[int, list[RawPage]] = {}
    for row in session.scalars(select(RawPage).where(RawPage.article_id.in_(list(article_ids)))
                               .order_by(RawPage.article_id, RawPage.part)):
        pages.setdefault(row.article_id, []).append(row)
    return {article_id: RawCopy(
        tuple(PageCopy(r.url, zlib.decompress(r.body), r.content_type) for r in rows),
        dict(rows[0].context or {})) for article_id, rows in pages.items()}
