"""What clustering costs per new article as the archive grows.

    python bench/stories.py                        # 10,000 then 100,000 stored, SQLite
    python bench/stories.py --sizes 10000,1000000  # as large as you have minutes for
    python bench/stories.py --pg URL               # PostgreSQL as well

The archive is filled with the LSH bands and signatures of stored articles (random
signatures: the signatures of different texts are as good as random to each other), written
in bulk straight into ``story_bands`` and ``story_articles`` with the foreign-key check off,
since only those tables are read when a new article is clustered. At each size, new articles
(a third of them reprints of another new one, so that joins are timed too) are derived one
by one exactly as the derivation after a crawl derives them — facts, bands, candidate lookup,
story — and the time per article is printed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
from sqlalchemy.schema import CreateIndex

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipelines.db import open_database  # noqa: E402
from pipelines.dedupe import content_hash  # noqa: E402
from pipelines.facts import Tally, _derive_ids  # noqa: E402
from pipelines.models import Article, StoryBand, utcnow  # noqa: E402
from pipelines.stories import BANDS, NUM_PERM, _encode  # noqa: E402
from tests.storysites import STORIES  # noqa: E402

FILLER_BASE = 10_000_000     # filler ids, far above the real articles' ids
CHUNK = 20_000
# Set aside during the fill and built again after it, as the model defines them.
INDEXES = sorted(StoryBand.metadata.tables[StoryBand.__tablename__].indexes,
                 key=lambda i: str(i.name))
PHRASES = [p for _, paras in STORIES.values() for p in paras]


def _fill(sessions: object, start: int, stop: int, rng: np.random.Generator) -> None:
    """Bands and signatures of stored articles ``start`` … ``stop`` - 1, in bulk.

    The band keys are drawn at random, not hashed from the signatures: a band key is a 64-bit
    hash, so the keys of unrelated texts are as good as random, and none of them meets a new
    article's keys; drawing them keeps a 1,000,000-article fill within minutes. The two
    ``story_bands`` indexes are dropped during the fill and built again after it, as a bulk
    load does; the archive then has the shape of one built article by article.
    """
    now = utcnow().replace(tzinfo=None).isoformat(sep=" ")
    engine = sessions.kw["bind"]  # type: ignore[attr-defined]
    sqlite = engine.dialect.name == "sqlite"
    mark = "?" if sqlite else "%s"
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if sqlite:
            cur.execute("PRAGMA foreign_keys=OFF")
            cur.execute("BEGIN")
        else:
            cur.execute("SET session_replication_role = replica")
        for index in INDEXES:
            cur.execute(f"DROP INDEX IF EXISTS {index.name}")
        for lo in range(start, stop, CHUNK):
            hi = min(lo + CHUNK, stop)
            sigs = rng.integers(0, 2**32, size=(hi - lo, NUM_PERM), dtype=np.uint64)
            keys = rng.integers(-2**63, 2**63 - 1, size=(hi - lo, BANDS), dtype=np.int64)
            ids = np.arange(FILLER_BASE + lo, FILLER_BASE + hi, dtype=np.int64)
            cur.executemany("INSERT INTO story_articles (article_id, signature, content_hash, "
                            f"derived_at) VALUES ({mark}, {mark}, {mark}, {mark})",
                            [(int(aid), _encode(sig), "f" * 64, now)
                             for aid, sig in zip(ids, sigs, strict=True)])
            cur.executemany(f"INSERT INTO story_bands (key, article_id) VALUES ({mark}, {mark})",
                            zip(keys.ravel().tolist(), np.repeat(ids, BANDS).tolist(),
                                strict=True))
        for index in INDEXES:
            cur.execute(str(CreateIndex(index).compile(dialect=engine.dialect)))
        raw.commit() if not sqlite else cur.execute("COMMIT")
    finally:
        raw.close()


def _new_articles(sessions: object, n: int, round_no: int, rng: random.Random) -> list[int]:
    """``n`` new stored articles; every third reprints the one before it with an edit."""
    ids = []
    when = datetime(2024, 11, 1, tzinfo=UTC) + timedelta(days=round_no)
    with sessions.begin() as session:  # type: ignore[attr-defined]
        body = ""
        for i in range(n):
            if i % 3 == 2:
                body = "记者获悉，" + body + "目前项目进展顺利。"
            else:
                body = "\n".join(rng.sample(PHRASES, 5)) + f"\n第{round_no}-{i}号项目总投资{i + 2}亿元。"
            title = f"项目签约 {round_no}-{i}"
            article = Article(url=f"http://bench.test/{round_no}/{i}.html", site="bench",
                              title=title, timezone="Asia/Shanghai", published_at=when,
                              language="zh", authors=[], photographers=[], editors=[],
                              responsible_editors=[], body_text=body, body_html="", images=[],
                              tags=[], content_hash=content_hash(title, body), version=1,
                              first_seen_at=when, last_seen_at=when, changed_at=when)
            session.add(article)
            session.flush()
            ids.append(article.id)
    return ids


def measure(url: str, sizes: list[int], per_size: int) -> list[tuple[int, float, float]]:
    sessions = open_database(url)
    rng = np.random.default_rng(7)
    text_rng = random.Random(7)
    rows = []
    filled = 0
    for round_no, size in enumerate(sizes):
        t0 = time.perf_counter()
        _fill(sessions, filled, size, rng)
        filled = size
        print(f"  filled to {size:,} stored in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
        ids = _new_articles(sessions, per_size, round_no, text_rng)
        times = []
        for article_id in ids:
            t = time.perf_counter()
            _derive_ids(sessions, [article_id], Tally(), None, 1, recheck=False)
            times.append((time.perf_counter() - t) * 1000)
        rows.append((size, statistics.median(times), sorted(times)[int(len(times) * 0.95) - 1]))
        print(f"{size:>12,} stored   {rows[-1][1]:7.1f} ms median   {rows[-1][2]:7.1f} ms p95 "
              "per new article", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="stored sizes, comma-separated")
    parser.add_argument("--per-size", type=int, default=60, help="new articles timed at each size")
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL database to use as well (emptied)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        print("SQLite")
        measure(f"sqlite:///{tmp}/stories.db", sizes, args.per_size)
    if args.pg:
        print("PostgreSQL")
        measure(args.pg, sizes, args.per_size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
