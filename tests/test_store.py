"""The write path: an article is stored once under its canonical URL, a changed one gets a new
version with the old text kept, and the schema the migrations build is the one the models say;
a database that goes away mid-crawl (a restart, a full disk) costs no article."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url

from pipelines.db import make_engine, open_database
from pipelines.dedupe import content_hash
from pipelines.models import Article, ArticleVersion, Base
from pipelines.record import ArticleRecord
from pipelines.search import is_search_object
from pipelines.store import save_articles
from tests.conftest import ROOT, write_site, zonenews
from tests.faultserver import FaultServer
from tests.gdsite import TWINS, GdColumn
from tests.tcpproxy import TcpProxy
from tests.waiting import wait_until


def record(url: str, body: str = "正文第一段。\n正文第二段。", title: str = "高新区项目签约") -> ArticleRecord:
    return ArticleRecord(
        url=url, site="demo", title=title, body_text=body, body_html=f"<p>{body}</p>",
        timezone="Asia/Shanghai", published_at=datetime(2024, 5, 1, 2, 0, tzinfo=UTC),
        authors=["宋雪梅"], content_hash=content_hash(title, body),
    )


def count(db_url: str) -> int:
    with open_database(db_url)() as s:
        return int(s.scalar(select(func.count()).select_from(Article)) or 0)


def test_the_same_url_written_twice_is_one_article(db_url: str) -> None:
    sessions = open_database(db_url)
    with sessions.begin() as s:
        assert save_articles(s, [record("http://a.cn/content/post_1.html")])["new"] == 1
    with sessions.begin() as s:
        counts = save_articles(s, [record("http://a.cn/content/post_1.html")])
    assert counts == {"new": 0, "updated": 0, "unchanged": 1}
    assert count(db_url) == 1


@pytest.mark.parametrize("variant", [
    "HTTP://A.CN/content/post_1.html",
    "http://a.cn:80/content/post_1.html",
    "http://a.cn/content/post_1.html#top",
    "http://a.cn/content/post%5f1.html",
    "http://a.cn/content/post_1.html?utm_source=wechat",
    " http://a.cn/content/post_1.html ",
])
def test_an_unnormalised_url_never_makes_a_duplicate(db_url: str, variant: str) -> None:
    sessions = open_database(db_url)
    with sessions.begin() as s:
        save_articles(s, [record("http://a.cn/content/post_1.html")])
    with sessions.begin() as s:
        save_articles(s, [record(variant)])
    assert count(db_url) == 1


def test_a_batch_carrying_a_url_twice_stores_it_once(db_url: str) -> None:
    sessions = open_database(db_url)
    with sessions.begin() as s:
        counts = save_articles(s, [record("http://a.cn/p/1", "甲。"), record("http://a.cn/p/1", "乙。")])
    assert counts["new"] == 1
    with sessions() as s:
        assert s.scalars(select(Article.body_text)).all() == ["乙。"]


def test_an_empty_url_is_never_stored(db_url: str) -> None:
    sessions = open_database(db_url)
    with sessions.begin() as s:
        assert save_articles(s, [record("")]) == {"new": 0, "updated": 0, "unchanged": 0}
    assert count(db_url) == 0


def test_a_changed_article_becomes_version_two_and_keeps_the_old_text(db_url: str) -> None:
    sessions = open_database(db_url)
    with sessions.begin() as s:
        save_articles(s, [record("http://a.cn/p/1", "初稿。")])
    with sessions.begin() as s:
        assert save_articles(s, [record("http://a.cn/p/1", "修订稿。")])["updated"] == 1
    with sessions.begin() as s:
        assert save_articles(s, [record("http://a.cn/p/1", "修订稿。")])["unchanged"] == 1
    with sessions() as s:
        art = s.scalars(select(Article)).one()
        assert (art.version, art.body_text) == (2, "修订稿。")
        old = s.scalars(select(ArticleVersion)).one()
        assert (old.article_id, old.version, old.body_text) == (art.id, 1, "初稿。")


def test_whitespace_alone_is_not_a_new_version() -> None:
    assert content_hash("标题", "第一段。\n第二段。") == content_hash("标题 ", "第一段。 \n 第二段。")
    assert content_hash("标题", "第一段。") != content_hash("标题", "第一段！")


def test_times_come_back_aware_in_utc(db_url: str) -> None:
    sessions = open_database(db_url)
    with sessions.begin() as s:
        save_articles(s, [record("http://a.cn/p/1")])
    with sessions() as s:
        art = s.scalars(select(Article)).one()
    assert art.published_at == datetime(2024, 5, 1, 2, 0, tzinfo=UTC)
    assert art.first_seen_at.tzinfo is not None


def test_the_migrations_build_exactly_the_models(db_url: str) -> None:
    open_database(db_url)
    engine = make_engine(db_url)
    # The search structures differ per database and are checked in tests/test_search.py.
    shared = {"include_name": lambda name, _type, _parents: not is_search_object(name)}
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts=shared), Base.metadata)
    assert diff == []


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/wal.db"
    open_database(url)
    with make_engine(url).connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


# ---------------------------------------------------------------- the database goes away mid-crawl

PATTERN = r"/content/m?post_\d{7,8}\.html$"
ARTICLES = 90
STORED_BEFORE_FAULT = 20


@pytest.fixture
def column(tmp_path: Path) -> Iterator[tuple[FaultServer, GdColumn, Path]]:
    """90 articles on 6 list pages, fetched two at a time, each in 50 ms: a crawl of seconds."""
    with FaultServer(delay=0.05) as server:
        col = GdColumn(server, per_page=15)
        col.publish(ARTICLES)
        sites = tmp_path / "sites"
        write_site(sites, "gd-store", [server.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                   "obey_robots = false\ndelay = 0\nconcurrency = 2\n")
        yield server, col, sites


@pytest.fixture
def proxied_pg(pg_url: str) -> Iterator[tuple[TcpProxy, str]]:
    """The test's PostgreSQL schema reached through a proxy that the test can take away."""
    url = make_url(pg_url)
    with TcpProxy(url.host or "127.0.0.1", url.port or 5432) as proxy:
        yield proxy, url.set(port=proxy.port).render_as_string(hide_password=False)


def url_counts(db: str) -> dict[str, int]:
    with open_database(db)() as s:
        return {str(u): int(n) for u, n in s.execute(
            select(Article.url, func.count()).group_by(Article.url))}


def start_crawl(db: str, sites: Path, retry_seconds: float | None = None
                ) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ZONENEWS_DB", "ZONENEWS_SITES")}
    if retry_seconds is not None:
        env["ZONENEWS_STORE_RETRY_SECONDS"] = str(retry_seconds)
    return subprocess.Popen([sys.executable, "-m", "cli", "crawl", "gd-store", "--db", db,
                             "--sites", str(sites)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)




def fetched(server: FaultServer) -> int:
    with server._lock:
        return sum(server.hits.values())


def runs(db: str) -> list[dict[str, object]]:
    found = json.loads(zonenews("runs", "--format", "json", db=db, check=True).stdout)
    return sorted(found, key=lambda r: r["id"])


def assert_every_article_once(db: str, server: FaultServer, col: GdColumn) -> None:
    assert url_counts(db) == {server.url(a.path): 1 for a in col.articles}


@pytest.mark.slow
def test_a_database_away_for_four_seconds_mid_crawl_costs_no_article(
        pg_url: str, proxied_pg: tuple[TcpProxy, str],
        column: tuple[FaultServer, GdColumn, Path]) -> None:
    proxy, db = proxied_pg
    server, col, sites = column
    open_database(pg_url)
    crawl = start_crawl(db, sites)
    assert wait_until(lambda: len(url_counts(pg_url)) >= STORED_BEFORE_FAULT, 60)
    before = fetched(server)
    proxy.stop()           # a restart: every connection cut, new ones refused
    time.sleep(4)
    during = fetched(server) - before
    proxy.start()
    _out, err = crawl.communicate(timeout=120)

    assert crawl.returncode == 0, err
    assert "Traceback" not in err
    (run,) = runs(pg_url)
    assert run["status"] == "succeeded"
    assert run["articles_new"] == ARTICLES and run["errors"] == 0
    store = run["details"]["store"]  # type: ignore[index]
    assert store["outages"] >= 1 and store["waited_seconds"] >= 2, store
    # fetching paused within a second (one flush): not the ~160 pages four seconds can hold
    assert during < 60, during
    assert_every_article_once(pg_url, server, col)
    again = zonenews("crawl", "gd-store", db=db, sites=sites)
    assert again.returncode == 0, again.stderr
    assert_every_article_once(pg_url, server, col)


@pytest.mark.slow
def test_a_database_that_stays_away_stops_the_crawl_in_one_line_and_loses_nothing(
        pg_url: str, proxied_pg: tuple[TcpProxy, str],
        column: tuple[FaultServer, GdColumn, Path]) -> None:
    proxy, db = proxied_pg
    server, col, sites = column
    open_database(pg_url)
    crawl = start_crawl(db, sites, retry_seconds=5)
    assert wait_until(lambda: len(url_counts(pg_url)) >= STORED_BEFORE_FAULT, 60)
    stored = len(url_counts(pg_url))
    before = fetched(server)
    proxy.stop()
    gone = time.monotonic()
    out, err = crawl.communicate(timeout=120)
    took = time.monotonic() - gone

    assert crawl.returncode == 1, err
    assert took < 5 + 15, took
    assert fetched(server) - before < 60
    assert "Traceback" not in err
    (line,) = [ln for ln in err.splitlines() if " ERROR " in ln or " WARNING " in ln]
    assert "database took no write for 5 s" in line and "not stored" in line, line
    assert "failed" in out

    proxy.start()
    again = zonenews("crawl", "gd-store", db=db, sites=sites)
    assert again.returncode == 0, again.stderr
    first, second = runs(pg_url)
    assert first["status"] in ("failed", "interrupted") and first["finished_at"]
    assert first["articles_new"] == stored
    assert second["status"] == "succeeded"
    assert second["articles_new"] == ARTICLES - stored
    assert_every_article_once(pg_url, server, col)


@pytest.mark.slow
def test_a_run_that_cannot_write_its_end_keeps_its_figures_for_the_next_crawl(
        pg_url: str, proxied_pg: tuple[TcpProxy, str],
        column: tuple[FaultServer, GdColumn, Path], state_home: Path) -> None:
    proxy, db = proxied_pg
    server, col, sites = column
    open_database(pg_url)
    crawl = start_crawl(db, sites, retry_seconds=2)
    assert wait_until(lambda: len(url_counts(pg_url)) >= STORED_BEFORE_FAULT, 60)
    proxy.stop()           # and it stays away while the crawl ends and writes its run
    _out, err = crawl.communicate(timeout=120)
    assert crawl.returncode == 1, err
    stored = len(url_counts(pg_url))
    (left,) = runs(pg_url)
    assert left["status"] == "running"      # what the database holds of it
    (journal,) = state_home.rglob("*.json")
    kept = json.loads(journal.read_text("utf-8"))
    assert "the next crawl records it" in err
    lost = kept["details"]["not_stored"]
    assert lost >= 1 and kept["figures"]["articles_new"] == stored

    proxy.start()
    again = zonenews("crawl", "gd-store", db=db, sites=sites)
    assert again.returncode == 0, again.stderr
    first, second = runs(pg_url)
    assert first["status"] == "failed" and first["finished_at"]
    assert first["details"] == kept["details"]
    assert (first["articles_new"], first["pages_fetched"], first["errors"]) == (
        stored, kept["figures"]["pages_fetched"], kept["figures"]["errors"])
    assert f"{lost} articles not stored" in first["message"]
    assert "the database was away when the crawl ended" in first["message"]
    table = zonenews("runs", db=pg_url, check=True).stdout
    assert f"not_stored={lost}" in table
    assert not journal.exists()
    # The lost articles were fetched and stored by the next crawl, each once.
    assert second["status"] == "succeeded"
    assert second["articles_new"] == ARTICLES - stored
    assert_every_article_once(pg_url, server, col)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MB filesystem of its own, to fill up; skipped where mounting one is not allowed."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mount = shutil.which("mount")
    done = subprocess.run([mount or "mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)],
                          capture_output=True, text=True) if mount else None
    if done is None or done.returncode != 0:
        pytest.skip("a full disk needs a small filesystem of its own: mount -t tmpfs failed "
                    f"({done.stderr.strip() if done else 'no mount command'})")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path) -> Path:
    """Write a file until the filesystem has no byte left; the file, to delete later."""
    ballast = disk / "ballast"
    with ballast.open("wb", buffering=0) as f:
        for size in (65536, 1):
            try:
                while f.write(b"\0" * size):
                    pass
            except OSError:
                pass
    return ballast


@pytest.mark.slow
def test_a_full_disk_stops_the_crawl_and_the_crawl_after_space_is_freed_loses_nothing(
        small_disk: Path, column: tuple[FaultServer, GdColumn, Path]) -> None:
    server, col, sites = column
    db = f"sqlite:///{small_disk / 'zonenews.db'}"
    open_database(db)
    crawl = start_crawl(db, sites, retry_seconds=4)
    assert wait_until(lambda: len(url_counts(db)) >= STORED_BEFORE_FAULT, 60)
    ballast = fill(small_disk)
    _out, err = crawl.communicate(timeout=120)

    assert crawl.returncode == 1, err
    assert "Traceback" not in err
    assert "database or disk is full" in err and "not stored" in err
    stored = len(url_counts(db))
    assert stored < ARTICLES

    ballast.unlink()
    again = zonenews("crawl", "gd-store", db=db, sites=sites)
    assert again.returncode == 0, again.stderr
    assert_every_article_once(db, server, col)
    full, freed = runs(db)
    # its own row could not be written on the full disk either: marked by the next crawl
    assert full["status"] in ("failed", "interrupted") and full["articles_new"] == stored
    assert freed["status"] == "succeeded" and freed["articles_new"] == ARTICLES - stored
