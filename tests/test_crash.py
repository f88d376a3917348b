"""The database is the crawl's memory: a crawl killed with SIGKILL at any point, then crawled again,
leaves every article stored exactly once, an intact database and the dead run ``interrupted``; and
two crawls writing while the command line reads never meet "database is locked"."""

from __future__ import annotations

import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from pipelines.db import open_database
from pipelines.dedupe import content_hash
from pipelines.models import Article, ArticleVersion, CrawlRun
from pipelines.record import ArticleRecord
from pipelines.store import save_articles
from tests.conftest import ROOT, write_site, zonenews
from tests.faultserver import FaultServer
from tests.gdsite import TWINS, GdColumn
from tests.waiting import wait_until

PATTERN = r"/content/m?post_\d{7,8}\.html$"
BATCH = 6


# ---------------------------------------------------------------- helpers

def records(edition: int, n: int = 2 * BATCH) -> list[ArticleRecord]:
    """``n`` articles; a higher ``edition`` changes every body (a new version of each)."""
    out = []
    for i in range(n):
        title, body = f"高新区项目签约 第{i}号", f"正文第{i}段，第{edition}版。"
        out.append(ArticleRecord(
            url=f"http://zone.example.cn/content/post_{1000000 + i}.html", site="demo",
            title=title, body_text=body, body_html=f"<p>{body}</p>", timezone="Asia/Shanghai",
            published_at=datetime(2024, 5, 1, 2, 0, tzinfo=UTC), content_hash=content_hash(title, body)))
    return out


def integrity(db: str) -> str:
    """SQLite's own verdict on its file; PostgreSQL recovers from a dead client by itself."""
    url = make_url(db)
    if url.get_backend_name() != "sqlite":
        return "ok"
    with sqlite3.connect(str(url.database)) as conn:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])


def url_counts(db: str) -> dict[str, int]:
    with open_database(db)() as s:
        rows = s.execute(select(Article.url, func.count()).group_by(Article.url)).all()
    return {str(url): int(n) for url, n in rows}


def run_statuses(db: str) -> list[str]:
    with open_database(db)() as s:
        return list(s.scalars(select(CrawlRun.status).order_by(CrawlRun.id)))


def start_crawl(db: str, sites: Path, *keys: str) -> subprocess.Popen[bytes]:
    """``zonenews crawl`` in the background; its output goes to ``crawl-<keys>.log`` beside
    the site folder (a pipe nobody reads would stall it)."""
    env = {k: v for k, v in os.environ.items() if k not in ("ZONENEWS_DB", "ZONENEWS_SITES")}
    with (sites.parent / f"crawl-{'-'.join(keys)}.log").open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", "cli", "crawl", *keys, "--db", db,
                                 "--sites", str(sites)], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)


def log_of(sites: Path, *keys: str) -> str:
    return (sites.parent / f"crawl-{'-'.join(keys)}.log").read_text("utf-8", "replace")




# ---------------------------------------------------------------- the store, killed mid-write

CHILD = """
import os, signal, sys
from pipelines.db import open_database
from pipelines.store import save_articles
from tests.test_crash import BATCH, records

db, point = sys.argv[1], sys.argv[2]
sessions = open_database(db)
batch = records(2 if point == "inside a batch that makes new versions" else 1)
if point == "between two batches":
    with sessions.begin() as s:
        save_articles(s, batch[:BATCH])
    os.kill(os.getpid(), signal.SIGKILL)
session = sessions()
session.begin()
save_articles(session, batch[:BATCH] if point == "inside the first batch" else batch)
session.flush()
os.kill(os.getpid(), signal.SIGKILL)
"""

STORE_CRASHES = [
    # crash point, articles stored before it (edition 1 each), articles written in the next crawl
    ("inside the first batch", 0, 2 * BATCH),
    ("between two batches", BATCH, BATCH),
    ("inside a batch that makes new versions", 2 * BATCH, 0),
]


@pytest.mark.parametrize("point, survived, new_after", STORE_CRASHES,
                         ids=[p[0] for p in STORE_CRASHES])
def test_a_write_killed_at_any_point_leaves_whole_batches_and_the_rewrite_stores_each_once(
        db_url: str, point: str, survived: int, new_after: int) -> None:
    sessions = open_database(db_url)
    if point == "inside a batch that makes new versions":
        with sessions.begin() as s:
            save_articles(s, records(1))
    child = subprocess.run([sys.executable, "-c", CHILD, db_url, point], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert integrity(db_url) == "ok"
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == survived
        assert s.scalar(select(func.count()).select_from(ArticleVersion)) == 0
        assert set(s.scalars(select(Article.version))) <= {1}
    with sessions.begin() as s:
        counts = save_articles(s, records(1))
    assert counts["new"] == new_after
    assert set(url_counts(db_url).values()) == {1} and len(url_counts(db_url)) == 2 * BATCH


# ---------------------------------------------------------------- a crawl, killed and crawled again

@pytest.fixture
def column(tmp_path: Path) -> Iterator[tuple[FaultServer, GdColumn, Path]]:
    with FaultServer() as server:
        col = GdColumn(server, per_page=12)  # 3 list pages of 12 articles
        col.publish(36)
        sites = tmp_path / "sites"
        write_site(sites, "gd-crash", [server.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                   "obey_robots = false\ndelay = 0\n")
        yield server, col, sites


def assert_every_article_once(db: str, server: FaultServer, col: GdColumn) -> None:
    counts = url_counts(db)
    assert counts == {server.url(a.path): 1 for a in col.articles}
    assert integrity(db) == "ok"
    with open_database(db)() as s:
        assert s.scalar(select(func.count()).select_from(ArticleVersion)) == 0


CRASH_POINTS = [
    # the crawler is killed when it asks for one of these pages, once this many articles are stored
    ("asking for the first list page", lambda col: ["/gxxw/gxdt/index.html"], 0),
    ("asking for the second list page, the first one's articles stored",
     lambda col: ["/gxxw/gxdt/index_2.html"], 12),
    ("asking for an article of the last list page, two pages of articles stored",
     lambda col: [a.path for a in col.articles[24:]], 24),
]


@pytest.mark.parametrize("point, paths, stored", CRASH_POINTS, ids=[p[0] for p in CRASH_POINTS])
def test_a_crawl_killed_at_a_known_point_is_completed_by_the_next_crawl(
        tmp_path: Path, column: tuple[FaultServer, GdColumn, Path], point: str,
        paths: Callable[[GdColumn], list[str]], stored: int) -> None:
    server, col, sites = column
    db = f"sqlite:///{tmp_path / 'z.db'}"
    open_database(db)   # the schema, so the server can count what is stored
    proc = start_crawl(db, sites, "gd-crash")
    server.kill_on(paths(col), proc.pid, when=lambda: len(url_counts(db)) >= stored)
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    stored_before = set(url_counts(db))
    assert len(stored_before) >= stored
    assert run_statuses(db) == ["running"]
    server.reset_hits()

    again = zonenews("crawl", "gd-crash", db=db, sites=sites)
    assert again.returncode == 0, again.stderr
    assert run_statuses(db) == ["interrupted", "succeeded"]
    assert_every_article_once(db, server, col)
    refetched = {server.url(p) for p, n in server.hits.items() if "/content/" in p and n}
    assert not refetched & stored_before, "an article stored before the kill was fetched again"


def test_a_real_crawl_killed_three_times_then_crawled_again_stores_each_article_once(
        db_url: str, tmp_path: Path) -> None:
    with FaultServer(delay=0.12) as server:
        col = GdColumn(server, per_page=12)
        col.publish(36)
        sites = tmp_path / "sites"
        write_site(sites, "gd-slow", [server.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                   "obey_robots = false\ndelay = 0\nconcurrency = 2\n")
        open_database(db_url)
        stored = [0]
        # Each crawl is killed once it has stored something, a little later each time, so the
        # kill lands at a different point of the next batch.
        for extra in (0.0, 0.3, 0.6):
            proc = start_crawl(db_url, sites, "gd-slow")
            assert wait_until(lambda: len(url_counts(db_url)) > stored[-1], 30, step=0.01)
            time.sleep(extra)
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            assert proc.returncode == -signal.SIGKILL
            stored.append(len(url_counts(db_url)))
        final = zonenews("crawl", "gd-slow", db=db_url, sites=sites, timeout=120)
        assert final.returncode == 0, final.stderr
        assert_every_article_once(db_url, server, col)
        assert stored == sorted(stored) and stored[-1] < 36, stored
        assert run_statuses(db_url) == ["interrupted"] * 3 + ["succeeded"]
        runs = json.loads(zonenews("runs", "--format", "json", db=db_url, check=True).stdout)
        assert all(r["finished_at"] for r in runs)
        assert "ended without finishing" in runs[1]["message"]
        # each killed run shows what it stored, though it died between two heartbeats
        killed = sorted(runs[1:], key=lambda r: r["id"])
        assert [r["articles_new"] for r in killed] == [b - a for a, b in itertools.pairwise(stored)]
        assert runs[0]["articles_new"] == 36 - stored[-1]


# ---------------------------------------------------------------- writers side by side, readers too

def test_two_crawls_write_at_once_while_the_command_line_reads(db_url: str, tmp_path: Path) -> None:
    with FaultServer(delay=0.01) as one, FaultServer(delay=0.01) as two:
        sites = tmp_path / "sites"
        columns = []
        for key, server in (("zone-one", one), ("zone-two", two)):
            col = GdColumn(server, per_page=12)
            col.publish(36)
            columns.append((server, col))
            write_site(sites, key, [server.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                       "obey_robots = false\ndelay = 0\n")
        open_database(db_url)   # the schema exists before the race starts
        crawls = [start_crawl(db_url, sites, key) for key in ("zone-one", "zone-two")]
        readers: list[subprocess.CompletedProcess[str]] = []
        while any(c.poll() is None for c in crawls):
            readers.append(zonenews("articles", "--limit", "5", db=db_url))
            readers.append(zonenews("runs", "--format", "json", db=db_url))
        for crawl, key in zip(crawls, ("zone-one", "zone-two"), strict=True):
            assert crawl.wait(timeout=60) == 0, log_of(sites, key)
            assert "locked" not in log_of(sites, key)
        assert len(readers) >= 2
        for reader in readers:
            assert reader.returncode == 0, reader.stderr
            assert "locked" not in reader.stderr
        counts = url_counts(db_url)
        assert counts == {s.url(a.path): 1 for s, col in columns for a in col.articles}
        assert integrity(db_url) == "ok"
