"""The benchmark runs on a fresh clone with one command and prints its figures.

Only that it works and measures what it says is checked here; the figures
themselves are the benchmark's to report, not a test's to time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def test_the_quick_bench_crawls_recrawls_and_reads_every_page_family(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    proc = subprocess.run(
        [sys.executable, "bench/run.py", "--quick", "--no-pg", "--only", "ingest,extract",
         "--json", str(figures)],
        cwd=ROOT, capture_output=True, text=True, timeout=300)

    assert proc.returncode == 0, proc.stderr
    for row in ("bare Scrapy ceiling", "zonenews crawl, end to end", "ratio to the ceiling",
                "re-crawl, unchanged site", "§1 Guangdong cluster", "§2 TRS / Hanweb",
                "§3 Zhuhai Media Group", "§4 English republishers"):
        assert row in proc.stdout
    got = json.loads(figures.read_text("utf-8"))
    ingest = got["ingest/sqlite"]
    # The re-crawl of the unchanged site asked the server for its one list page and nothing else.
    assert ingest["recrawl_pages"] == 1 and ingest["recrawl_run_pages"] == 1
    assert ingest["articles_per_s"] > 0 and ingest["ratio"] > 0
    assert got["bare"]["articles"] == 500
    assert all(got[k]["pages"] > 0 for k in got if k.startswith("extraction/"))


def test_the_accuracy_bench_scores_every_field_of_every_family() -> None:
    from bench.accuracy import FIELDS, measure, render

    names, tallies, counts = measure(others=())
    table = render(names, tallies, counts)
    for family in ("§1 Guangdong cluster", "§2 TRS / Hanweb / Ucap", "§3 Zhuhai Media Group",
                   "§4 English republishers", "other skins and portals (fixtures/people)"):
        assert family in table and counts[family] > 0
    for field in FIELDS:
        overall = tallies[("all", field, "zonenews")]
        assert overall.scored > 0
    # The pages written for credits, sources, headlines and dates are all read right.
    people = "other skins and portals (fixtures/people)"
    assert {f: tallies[(people, f, "zonenews")].misses for f in FIELDS} == {f: [] for f in FIELDS}


def _schema(engine: Any) -> set[tuple[str, ...]]:
    """Tables, indexes and triggers as the database describes them, whatever the schema's name."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("SELECT type, name, tbl_name, sql FROM sqlite_master")
            return {tuple(str(v) for v in row) for row in rows}
        indexes = conn.exec_driver_sql(
            "SELECT tablename, indexname, replace(indexdef, current_schema() || '.', '') "
            "FROM pg_indexes WHERE schemaname = current_schema()")
        columns = conn.exec_driver_sql(
            "SELECT table_name, column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_schema = current_schema()")
        storage = conn.exec_driver_sql(
            "SELECT attname, attstorage::text FROM pg_attribute "
            "WHERE attrelid = 'articles'::regclass AND attnum > 0")
        return {tuple(str(v) for v in row) for rows in (indexes, columns, storage) for row in rows}


def test_the_bulk_built_archive_is_the_one_the_migrations_leave(db_url: str) -> None:
    """The bench's archive is written in bulk with its indexes set aside; a user's archive has
    its rows written under the first migration and everything else built by the others. Both
    hold the same schema and rows and answer every search alike, before and after an edit."""
    import sqlalchemy as sa

    from bench.corpus import Corpus, _migrate, generate, load
    from pipelines.db import make_engine, open_database
    from pipelines.models import Article
    from pipelines.queries import ArticleFilter, search_articles

    corpus = Corpus(400)
    bulk_url = db_url
    if db_url.startswith("sqlite"):
        user_url = db_url.replace(".db", "-user.db")
    else:
        from tests.conftest import pg_schema

        schema = pg_schema()
        user_url = schema.__enter__()
    try:
        bulk, user = make_engine(bulk_url), make_engine(user_url)
        load(bulk, corpus)
        _migrate(user, "0001")
        with user.begin() as conn:
            conn.execute(sa.insert(Article), list(generate(corpus)))
        _migrate(user, "head")
        assert _schema(bulk) == _schema(user)
        for table in ("articles", "article_people", "alembic_version"):
            with bulk.connect() as b, user.connect() as u:
                query = f"SELECT * FROM {table} ORDER BY 1, 2, 3" if table == "article_people" \
                    else f"SELECT * FROM {table} ORDER BY 1"
                assert b.exec_driver_sql(query).all() == u.exec_driver_sql(query).all(), table
        queries = ["企业", "芯片", "高新区", "集成电路", "有限公司", "ai", "zone park", "。", "亿元",
                   "华芯"]
        for round_ in ("as built", "after an edit"):
            for query in queries:
                for flt in (ArticleFilter(query=query, limit=0),
                            ArticleFilter(query=query, site="zone-03", limit=5)):
                    found = [[f.article.id for f in search_articles(open_database(url), flt)]
                             for url in (bulk_url, user_url)]
                    assert found[0] == found[1], (round_, query)
            for engine in (bulk, user) if round_ == "as built" else ():
                with engine.begin() as conn:
                    conn.execute(sa.update(Article).where(Article.id.in_([1, 2, 3])).values(
                        title="量子芯片企业", body_text="华芯。"))
                    conn.execute(sa.delete(Article).where(Article.id.in_([4, 5])))
        bulk.dispose()
        user.dispose()
    finally:
        if not db_url.startswith("sqlite"):
            schema.__exit__(None, None, None)
