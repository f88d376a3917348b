"""Story clusters: articles telling the same story, found by MinHash/LSH over their text.

Each article's body is reduced to what its story says: credit, source and furniture lines
are dropped, the rest is NFKC-normalised, lower-cased and stripped of spaces and punctuation,
then cut into character 5-grams (the unit that works for Chinese, which has no spaces).
datasketch's MinHash (128 permutations) summarises the 5-grams; the signature is cut into
32 bands of 4 rows, and each band's hash is stored in ``story_bands``. An indexed lookup of
an article's 32 keys finds the stored articles that share a band; their signatures give the
estimated Jaccard similarity, and the article joins the story of its best match when that
is at least ``THRESHOLD``. With 32 bands of 4 rows, a pair at Jaccard 0.5 shares a band
with probability 1 - (1 - 0.5⁴)³² ≈ 0.87 and a pair at 0.3 with ≈ 0.23, which the
signature comparison then turns away. Because the bands live in the database, this works
on SQLite and PostgreSQL and across processes, at the cost of one index lookup per article.

An article with fewer than ``MIN_SHINGLES`` 5-grams (a caption, a notice of a few lines)
is never clustered: its text is too short to tell a republication from a common phrase.
Stories that merely share boilerplate (a zone's standard introduction, a disclaimer) do not
merge: the shared part is a small share of each body's 5-grams, so their similarity stays low.

The representative of a story is its earliest original: the member published first (first
seen, when undated), the lowest id breaking ties.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from pipelines.furniture import is_page_line
from pipelines.models import Article, Story, StoryArticle, StoryBand, utcnow

if TYPE_CHECKING:
    from datasketch import MinHash

SHINGLE = 5
NUM_PERM = 128
BANDS = 32
ROWS = NUM_PERM // BANDS
THRESHOLD = 0.5
MIN_SHINGLES = 60
CANDIDATES = 20          # best-sharing candidates whose signatures are compared
SEED = 1

_DROP = re.compile(r"[\W_]+", re.UNICODE)


def story_text(body: str) -> str:
    """The body as the story tells it: furniture lines dropped, normalised, no spaces or marks."""
    kept = [line for line in body.splitlines() if line.strip() and not is_page_line(line)]
    text = unicodedata.normalize("NFKC", "\n".join(kept)).lower()
    return _DROP.sub("", text)


def shingles(body: str) -> set[str]:
    text = story_text(body)
    return {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def _crc32(data: bytes) -> int:
    return zlib.crc32(data)


@cache
def _permutations() -> tuple[Any, Any]:
    """The permutations, which depend only on the seed: drawn once, not for every article.

    datasketch is imported here, at the first signature, not with the store: it loads SciPy,
    half a second that every crawl would otherwise spend before its first page.
    """
    from datasketch import MinHash

    template = MinHash(num_perm=NUM_PERM, seed=SEED)
    return template.permutations, template.scheme


def signature(grams: Iterable[str]) -> MinHash:
    """The MinHash of a set of 5-grams; CRC-32 hashes them (stable across processes, and a
    fraction of SHA-1's cost; the permutations spread its values)."""
    from datasketch import MinHash

    permutations, scheme = _permutations()
    sketch = MinHash(num_perm=NUM_PERM, seed=SEED, hashfunc=_crc32, permutations=permutations,
                     scheme=scheme)
    sketch.update_batch([g.encode("utf-8") for g in grams])
    return sketch


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (band number included), as BigInteger columns hold."""
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS:(band + 1) * ROWS].astype("<u8").tobytes()
        digest = hashlib.blake2b(band.to_bytes(2, "little") + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def _encode(values: np.ndarray) -> str:
    return values.astype("<u4").tobytes().hex()


def _decode(text: str) -> np.ndarray:
    return np.frombuffer(bytes.fromhex(text), dtype="<u4")


def _similarity(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.count_nonzero(a == b)) / len(a)


def leave_story(session: Session, row: StoryArticle | None) -> None:
    """Take an article out of its story (before re-deriving it, its bands deleted)."""
    if row is None or row.story_id is None:
        return
    story_id = row.story_id
    row.story_id = None
    row.link = None
    session.flush()
    refresh_story(session, story_id)


def refresh_story(session: Session, story_id: int) -> None:
    """Representative and newest date of a story; a story left with one member is dissolved."""
    # Counted and chosen by the database, not by loading the members: a story is refreshed at
    # every join, and loading every member each time grows with the square of its size.
    in_story = StoryArticle.story_id == story_id
    size, newest = session.execute(
        select(func.count(), func.max(Article.published_at))
        .join(StoryArticle, StoryArticle.article_id == Article.id).where(in_story)).one()
    story = session.get(Story, story_id)
    if story is None:
        return
    if size < 2:
        session.execute(update(StoryArticle).where(in_story)
                        .values(story_id=None, link=None))
        session.delete(story)
        return
    first = (select(Article.id).join(StoryArticle, StoryArticle.article_id == Article.id)
             .where(in_story).order_by(func.coalesce(Article.published_at, Article.first_seen_at),
                                       Article.id).limit(1))
    story.representative_id = session.execute(first).scalar_one()
    story.newest_at = newest
    story.updated_at = utcnow()


def join(session: Session, article_id: int, other_id: int, link: str, score: float) -> int:
    """Put ``article_id`` into the story of ``other_id`` (a new story when it has none)."""
    other = session.get(StoryArticle, other_id)
    me = session.get(StoryArticle, article_id)
    assert other is not None and me is not None
    if other.story_id is None:
        story = Story(representative_id=other_id, updated_at=utcnow())
        session.add(story)
        session.flush()
        other.story_id = story.id
        other.link = link
    # "text" marks an article whose text matched another member; "facts" one linked only by
    # facts. A text match makes both ends text members, whatever linked them before.
    if link == "text":
        other.link = "text"
    me.story_id = other.story_id
    me.link = link
    me.score = score
    session.flush()
    assert other.story_id is not None
    refresh_story(session, other.story_id)
    return other.story_id


def cluster(session: Session, article: Article, row: StoryArticle) -> int | None:
    """Index ``article``'s bands and join it to the story of its best text match; the story id.

    ``row`` is the article's ``story_articles`` row, already added to the session (the
    session's autoflush writes it before the band lookup).
    """
    grams = shingles(article.body_text)
    if len(grams) < MIN_SHINGLES:
        row.signature = None
        return None
    values = signature(grams).hashvalues
    row.signature = _encode(values)
    keys = band_keys(values)
    shared = (select(StoryBand.article_id, func.count().label("n"))
              .where(StoryBand.key.in_(keys), StoryBand.article_id != article.id)
              .group_by(StoryBand.article_id).order_by(func.count().desc(), StoryBand.article_id)
              .limit(CANDIDATES).subquery())
    best: tuple[float, int] | None = None
    for other_id, sig in session.execute(
            select(StoryArticle.article_id, StoryArticle.signature)
            .join(shared, shared.c.article_id == StoryArticle.article_id)):
        if not sig:
            continue
        score = _similarity(values, _decode(sig))
        if score >= THRESHOLD and (best is None or (score, -other_id) > (best[0], -best[1])):
            best = (score, other_id)
    # Core executemany: 32 rows an article, no identities needed back (the ORM costs 10x more).
    session.execute(insert(StoryBand), [{"key": k, "article_id": article.id} for k in keys])
    if best is None:
        return None
    return join(session, article.id, best[1], "text", best[0])
