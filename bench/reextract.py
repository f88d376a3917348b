"""Raw pages and re-extraction: storage per article and `zonenews reextract` throughput.

    python bench/reextract.py                 # 20,000 stored pages, SQLite and PostgreSQL
    python bench/reextract.py --articles 2000 # smaller

The generated Guangdong-cluster column (tests/gdsite.py, three detail skins) is
stored as a crawl stores it: each article with its page kept. Every stored title
is stale, so the first pass rewrites every article (a new version each); the
second pass finds nothing to change. Both run the real extraction and
normalisation through ``pipelines.reextract``, as the command does.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bench.run import pg_base, pg_schema, render, with_schema  # noqa: E402
from pipelines.db import open_database  # noqa: E402
from pipelines.dedupe import content_hash  # noqa: E402
from pipelines.models import Article, RawPage, utcnow  # noqa: E402
from pipelines.raw import ZLIB_LEVEL  # noqa: E402
from pipelines.record import ArticleRecord, PageCopy, RawCopy  # noqa: E402
from pipelines.reextract import reextract  # noqa: E402
from pipelines.store import save_articles  # noqa: E402
from scrapers.single_page import reread_record  # noqa: E402
from scrapers.sites import parse_site  # noqa: E402
from tests.gdsite import GdColumn  # noqa: E402

BASE = "http://www.gd-bench.gov.cn"
CONTENT_TYPE = "text/html; charset=utf-8"


class _Pages:
    """Where GdColumn renders its pages: path → bytes."""

    def __init__(self) -> None:
        self.pages: dict[str, bytes] = {}

    def add(self, path: str, body: str | bytes, content_type: str = CONTENT_TYPE,
            status: int = 200) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.pages[path] = data.replace(b"{base}", BASE.encode())


def store(db: str, n: int) -> None:
    pages = _Pages()
    column = GdColumn(pages, per_page=50)  # type: ignore[arg-type]
    column.publish(n)
    sessions = open_database(db)
    batch: list[ArticleRecord] = []
    for a in column.articles:
        url = BASE + a.path
        batch.append(ArticleRecord(
            url=url, site="gd-bench", title="旧标题", body_text=a.body_text,
            body_html="", timezone="Asia/Shanghai", content_hash=content_hash("旧标题", a.body_text),
            raw=RawCopy((PageCopy(url, pages.pages[a.path], CONTENT_TYPE),), {})))
        if len(batch) == 500:
            with sessions.begin() as s:
                save_articles(s, batch, utcnow())
            batch = []
    if batch:
        with sessions.begin() as s:
            save_articles(s, batch, utcnow())


def measure(db: str, n: int) -> dict[str, str]:
    store(db, n)
    sessions = open_database(db)
    with sessions() as s:
        kept = int(s.scalar(sa.select(sa.func.sum(sa.func.length(RawPage.body)))) or 0)
        raw = int(s.scalar(sa.select(sa.func.sum(RawPage.size))) or 0)
        count = int(s.scalar(sa.select(sa.func.count()).select_from(Article)) or 0)
    site = parse_site({"key": "gd-bench", "name": "gd-bench zone", "start_urls": [BASE + "/"],
                       "article_url_pattern": r"/content/post_\d+\.html$"})

    def read(copy: RawCopy, url: str, key: str) -> ArticleRecord:
        return reread_record(copy, url, site)

    started, cpu = time.perf_counter(), time.process_time()
    first = reextract(sessions, read)
    rewrite, rewrite_cpu = time.perf_counter() - started, time.process_time() - cpu
    started, cpu = time.perf_counter(), time.process_time()
    second = reextract(sessions, read)
    again, again_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert first.changed == count and second.changed == 0, (first.as_dict(), second.as_dict())
    return {
        "bytes": f"{kept / count / 1024:.1f} KiB per article ({raw / count / 1024:.1f} KiB "
                 f"uncompressed, ratio {raw / kept:.1f})",
        "per10k": f"{kept / count * 10_000 / 2**20:.0f} MiB",
        "rewrite": f"{count / rewrite:.0f} articles/s ({rewrite:.0f} s; "
                   f"{count / rewrite_cpu:.0f}/s of CPU)",
        "again": f"{count / again:.0f} articles/s ({again:.0f} s; {count / again_cpu:.0f}/s of CPU)",
    }


def fixture_pages() -> str:
    """What keeping pages costs on the real zone pages of tests/sites/ (bigger than generated ones)."""
    sizes = [(len(b), len(zlib.compress(b, ZLIB_LEVEL)))
             for b in (p.read_bytes() for p in (ROOT / "tests" / "sites").rglob("*.htm*"))]
    raw, kept = sum(s for s, _ in sizes), sum(k for _, k in sizes)
    return (f"{len(sizes)} real pages of tests/sites: {kept / len(sizes) / 1024:.1f} KiB per page "
            f"compressed ({raw / len(sizes) / 1024:.1f} KiB raw), "
            f"{kept / len(sizes) * 10_000 / 2**20:.0f} MiB per 10,000")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/reextract.py", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=20_000)
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL to use (default: ZONENEWS_TEST_PG)")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args(argv)
    results: dict[str, dict[str, str]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = measure(f"sqlite:///{Path(tmp) / 'bench.db'}", args.articles)
    pg = None if args.no_pg else pg_base(args.pg)
    if pg:
        with pg_schema(pg) as schema:
            results["PostgreSQL"] = measure(with_schema(pg, schema), args.articles)
    names = list(results)
    rows = [(label, *(results[db][key] for db in names)) for label, key in (
        ("kept page, compressed", "bytes"), ("… per 10,000 articles", "per10k"),
        ("re-extraction, every article rewritten", "rewrite"),
        ("re-extraction, nothing to change", "again"))]
    print(f"{args.articles:,} stored articles")
    print(render(("what", *names), rows))
    print(fixture_pages())
    return 0


if __name__ == "__main__":
    sys.exit(main())
