"""A zone crawled end to end through the zonenews command: every article once, nothing fetched
twice, new articles found, edits versioned — on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipelines.db import open_database
from pipelines.models import Article, ArticleVersion
from tests.conftest import write_site, zonenews
from tests.gdsite import TWINS, GdColumn
from tests.siteserver import FixtureServer

PATTERN = r"/content/m?post_\d{7,8}\.html$"


@pytest.fixture
def column(server: FixtureServer) -> GdColumn:
    col = GdColumn(server, per_page=12)
    col.publish(36)
    return col


@pytest.fixture
def sites_dir(tmp_path: Path, server: FixtureServer) -> Path:
    folder = tmp_path / "sites"
    write_site(folder, "gd-test", [server.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
               "obey_robots = false\ndelay = 0\n")
    return folder


def stored(db: str) -> list[dict[str, object]]:
    out = zonenews("articles", "--limit", "0", "--format", "json", db=db, check=True)
    return list(json.loads(out.stdout))


def article_hits(server: FixtureServer) -> int:
    return server.article_hits("/content/")


def list_hits(server: FixtureServer) -> int:
    return sum(n for p, n in server.hits.items() if "/index" in p)


def test_first_crawl_stores_every_article_once_with_its_fields(
        column: GdColumn, sites_dir: Path, server: FixtureServer, db_url: str) -> None:
    proc = zonenews("crawl", "gd-test", db=db_url, sites=sites_dir)
    assert proc.returncode == 0, proc.stderr
    rows = stored(db_url)
    by_url = {r["url"]: r for r in rows}
    assert len(rows) == len(by_url) == 36
    for art in column.articles:
        row = by_url[server.url(art.path)]
        want = art.expected()
        assert row["title"] == want["title"]
        assert row["published_at"] == want["published_at"]
        assert row["source"] == want["source"]
        assert row["authors"] == want["authors"]
        assert row["photographers"] == want["photographers"]
        assert row["editors"] == want["editors"]
        assert row["responsible_editors"] == want["responsible_editors"]
        assert row["body_text"] == want["body_text"]
        assert row["version"] == 1 and row["site"] == "gd-test"
    # The list pages were walked to the end, each article page fetched once, twins folded.
    assert list_hits(server) == 3
    assert all(n == 1 for p, n in server.hits.items() if "/content/" in p)
    assert not any("mpost_" in str(r["url"]) for r in rows)


def test_second_crawl_fetches_no_article_page(
        column: GdColumn, sites_dir: Path, server: FixtureServer, db_url: str) -> None:
    zonenews("crawl", "gd-test", db=db_url, sites=sites_dir, check=True)
    server.reset_hits()
    proc = zonenews("crawl", "gd-test", db=db_url, sites=sites_dir)
    assert proc.returncode == 0, proc.stderr
    assert article_hits(server) == 0
    assert list_hits(server) == 1
    assert len(stored(db_url)) == 36


def test_next_crawl_fetches_exactly_the_newly_published_articles(
        column: GdColumn, sites_dir: Path, server: FixtureServer, db_url: str) -> None:
    zonenews("crawl", "gd-test", db=db_url, sites=sites_dir, check=True)
    new = column.publish(3)
    server.reset_hits()
    proc = zonenews("crawl", "gd-test", db=db_url, sites=sites_dir)
    assert proc.returncode == 0, proc.stderr
    fetched = {p for p, n in server.hits.items() if "/content/" in p}
    assert fetched == {a.path for a in new}
    assert list_hits(server) <= 2
    rows = stored(db_url)
    assert len(rows) == 39
    assert {str(r["url"]) for r in rows[:3]} == {server.url(a.path) for a in new}


def test_full_crawl_versions_an_edited_article_and_leaves_the_others(
        column: GdColumn, sites_dir: Path, server: FixtureServer, db_url: str) -> None:
    zonenews("crawl", "gd-test", db=db_url, sites=sites_dir, check=True)
    edited = column.articles[20]
    old_text = edited.body_text
    column.edit(edited, "更正：项目总投资额以最终公告为准。")
    proc = zonenews("crawl", "gd-test", "--full", db=db_url, sites=sites_dir)
    assert proc.returncode == 0, proc.stderr
    rows = {r["url"]: r for r in stored(db_url)}
    row = rows[server.url(edited.path)]
    assert row["version"] == 2
    assert row["body_text"].endswith("更正：项目总投资额以最终公告为准。")
    assert [u for u, r in rows.items() if r["version"] != 1] == [server.url(edited.path)]
    sessions = open_database(db_url)
    with sessions() as s:
        versions = s.scalars(select(ArticleVersion)).all()
        assert [(v.version, v.body_text) for v in versions] == [(1, old_text)]
        assert s.scalar(select(func.count()).select_from(Article)) == 36
    runs = json.loads(zonenews("runs", "--format", "json", db=db_url, check=True).stdout)
    assert runs[0]["articles_updated"] == 1 and runs[0]["articles_unchanged"] == 35


def test_a_crawl_of_an_unknown_site_is_a_usage_error(sites_dir: Path, db_url: str) -> None:
    proc = zonenews("crawl", "no-such-zone", db=db_url, sites=sites_dir)
    assert proc.returncode == 2
    assert "unknown site 'no-such-zone'" in proc.stderr


def test_two_sites_crawled_by_one_command_both_succeed(
        column: GdColumn, sites_dir: Path, server: FixtureServer, tmp_path: Path,
        db_url: str) -> None:
    with FixtureServer() as other:
        GdColumn(other, per_page=12, seed=11).publish(5)
        write_site(sites_dir, "gd-other", [other.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                   "obey_robots = false\ndelay = 0\n")
        proc = zonenews("crawl", "gd-test", "gd-other", db=db_url, sites=sites_dir)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    runs = json.loads(zonenews("runs", "--format", "json", db=db_url, check=True).stdout)
    assert sorted((r["site"], r["status"], r["articles_new"]) for r in runs) == [
        ("gd-other", "succeeded", 5), ("gd-test", "succeeded", 36)]
