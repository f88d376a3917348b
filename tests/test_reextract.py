"""Raw pages and re-extraction: a crawl keeps each article's pages, and `zonenews reextract`
reads them again with today's rules — fields corrected, a new version only when the text
changed, nothing fetched, and a run killed half-way loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipelines.db import open_database
from pipelines.dedupe import content_hash
from pipelines.models import Article, ArticleVersion, RawPage
from pipelines.record import ArticleRecord, PageCopy, RawCopy
from pipelines.reextract import reextract
from pipelines.store import save_articles
from scrapers.single_page import reread_record
from scrapers.sites import load_catalog
from tests.conftest import ROOT, write_site, zonenews
from tests.gdsite import TWINS, GdColumn
from tests.siteserver import FixtureServer

PATTERN = r"/content/m?post_\d{7,8}\.html$"
BASE = "obey_robots = false\ndelay = 0\n"


def articles(db: str, site: str) -> dict[str, Article]:
    with open_database(db)() as s:
        return {a.url: a for a in s.scalars(select(Article).where(Article.site == site))}


@pytest.mark.slow
def test_a_selector_fixed_after_the_crawl_corrects_the_stored_articles(
        server: FixtureServer, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'z.db'}"
    column = GdColumn(server, per_page=12)
    column.publish(6)
    sites = tmp_path / "sites"
    start = [server.url("/gxxw/gxdt/index.html")]
    # The site file's rules are wrong: the breadcrumb is taken for the title, the footer for the
    # source. A second site keeps no raw pages.
    write_site(sites, "gd-test", start, PATTERN, TWINS +
               BASE + '[selectors]\ntitle = ".position"\nsource = ".footer"\n')
    zonenews("crawl", "gd-test", db=db_url, sites=sites, check=True)
    with FixtureServer() as other:
        GdColumn(other, per_page=12).publish(6)
        write_site(sites, "gd-bare", [other.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                   BASE + "keep_raw = false\n")
        zonenews("crawl", "gd-bare", db=db_url, sites=sites, check=True)
    stored = articles(db_url, "gd-test")
    assert len(stored) == 6 and all(a.title.startswith("当前位置") for a in stored.values())

    with open_database(db_url)() as s:
        raw = s.scalars(select(RawPage).join(Article).where(Article.site == "gd-test")).all()
        assert len(raw) == 6
        assert {r.content_type for r in raw} == {"text/html; charset=utf-8"}
        page = next(r for r in raw if r.url.endswith(column.articles[0].path))
        assert column.articles[0].title.encode() in zlib.decompress(page.body)
        assert s.scalar(select(func.count()).select_from(RawPage).join(Article)
                        .where(Article.site == "gd-bare")) == 0

    hits = sum(server.hits.values())
    # The source rule is fixed first: the text is the same, so the fields change in place.
    write_site(sites, "gd-test", start, PATTERN, TWINS + BASE + '[selectors]\ntitle = ".position"\n')
    dry = zonenews("reextract", "--dry-run", "--format", "json", db=db_url, sites=sites,
                   check=True)
    summary = json.loads(dry.stdout)
    assert summary["changed"] == 6 and summary["fields"] == {"source": 6}
    assert summary["new_versions"] == 0 and summary["without_raw"] == 6
    assert all(a.source == stored[u].source for u, a in articles(db_url, "gd-test").items())

    out = zonenews("reextract", "gd-test", db=db_url, sites=sites, check=True).stdout
    assert "changed 6" in out and "source" in out
    by_path = {a.path: a for a in column.articles}
    for url, a in articles(db_url, "gd-test").items():
        truth = by_path["/" + url.split("/", 3)[3]].expected()
        assert a.source == truth["source"] and a.version == 1
        assert a.last_seen_at == stored[url].last_seen_at     # not seen on the site again

    # Then the title rule: the text changes, so each article gets a second version.
    write_site(sites, "gd-test", start, PATTERN, TWINS + BASE)
    out = zonenews("reextract", "gd-test", db=db_url, sites=sites, check=True).stdout
    assert "changed 6 (6 with new text" in out
    for url, a in articles(db_url, "gd-test").items():
        truth = by_path["/" + url.split("/", 3)[3]].expected()
        assert {k: a.authors if k == "authors" else getattr(a, k)
                for k in ("title", "source", "authors", "body_text")} == {
            k: truth[k] for k in ("title", "source", "authors", "body_text")}
        assert a.version == 2
    with open_database(db_url)() as s:
        old = s.scalars(select(ArticleVersion.title)).all()
    assert len(old) == 6 and all(t.startswith("当前位置") for t in old)

    catalog = load_catalog([sites])
    again = reextract(open_database(db_url),
                      lambda copy, url, key: reread_record(copy, url, catalog.sites[key]))
    assert again.changed == 0 and again.articles == 6
    assert sum(server.hits.values()) == hits                # nothing was fetched


def test_a_split_article_is_read_again_from_all_its_parts(server: FixtureServer,
                                                          tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'z.db'}"
    server.add("/news/index.html", '<html><body><ul><li><a href="/news/content/post_1001.html">'
               "高新区发布产业政策解读</a><span>2024-05-06</span></li></ul></body></html>")
    first = "本次政策围绕集成电路与生物医药两大产业，提出了十项具体措施。" * 3
    second = "第二部分说明了申报流程，企业可于六月底前通过园区服务平台提交材料。" * 3
    server.add("/news/content/post_1001.html",
               "<html><head><title>高新区发布产业政策解读</title></head><body>"
               "<h1>高新区发布产业政策解读</h1><div>发布时间：2024-05-06 10:00</div>"
               f'<div id="zoom"><p>{first}</p></div>'
               '<a href="post_1001_2.html">下一页</a></body></html>')
    server.add("/news/content/post_1001_2.html",
               "<html><head><title>高新区发布产业政策解读</title></head><body>"
               f'<h1>高新区发布产业政策解读</h1><div id="zoom"><p>{second}</p></div></body></html>')
    sites = tmp_path / "sites"
    write_site(sites, "split", [server.url("/news/index.html")], r"/content/post_\d+\.html$",
               BASE)
    zonenews("crawl", "split", db=db_url, sites=sites, check=True)
    with open_database(db_url)() as s:
        (art,) = s.scalars(select(Article)).all()
        parts = s.scalars(select(RawPage.url).order_by(RawPage.part)).all()
    assert first in art.body_text and second in art.body_text
    assert [p.rsplit("/", 1)[1] for p in parts] == ["post_1001.html", "post_1001_2.html"]
    # The stored text is damaged; re-reading both kept parts restores the whole article.
    with open_database(db_url).begin() as s:
        s.get(Article, art.id).source = "错误来源"  # type: ignore[union-attr]
    summary = json.loads(zonenews("reextract", "--format", "json", db=db_url, sites=sites,
                                  check=True).stdout)
    assert summary["fields"] == {"source": 1}
    with open_database(db_url)() as s:
        again = s.get(Article, art.id)
        assert again is not None and again.source is None and again.body_text == art.body_text


def test_no_page_is_kept_when_the_environment_says_so(server: FixtureServer, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    db_url = f"sqlite:///{tmp_path / 'z.db'}"
    GdColumn(server, per_page=12).publish(3)
    sites = tmp_path / "sites"
    write_site(sites, "gd-test", [server.url("/gxxw/gxdt/index.html")], PATTERN, TWINS + BASE)
    monkeypatch.setenv("ZONENEWS_KEEP_RAW", "0")
    zonenews("crawl", "gd-test", db=db_url, sites=sites, check=True)
    with open_database(db_url)() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 3
        assert s.scalar(select(func.count()).select_from(RawPage)) == 0
    out = zonenews("reextract", db=db_url, sites=sites, check=True).stdout
    assert "3 articles have no kept page" in out and "0 articles read again" in out


def _stored_with_wrong_titles(db: str, n: int) -> None:
    """``n`` articles whose kept pages say the right title while the row says an old one."""
    with FixtureServer() as server:
        column = GdColumn(server, per_page=n)
        column.publish(n)
        pages = {a.path: server.pages[a.path].body for a in column.articles}
        sessions = open_database(db)
        records = []
        for a in column.articles:
            body = a.body_text
            records.append(ArticleRecord(
                url=server.url(a.path), site="gd-test", title="旧标题", body_text=body,
                body_html=f"<p>{body}</p>", timezone="Asia/Shanghai",
                published_at=datetime(2024, 5, 1, tzinfo=UTC),
                content_hash=content_hash("旧标题", body),
                raw=RawCopy((PageCopy(server.url(a.path), pages[a.path],
                                      "text/html; charset=utf-8"),), {})))
        for i in range(0, n, 100):
            with sessions.begin() as s:
                save_articles(s, records[i:i + 100])


@pytest.mark.slow
def test_a_reextraction_killed_mid_way_loses_nothing_and_a_second_run_finishes(
        db_url: str, tmp_path: Path) -> None:
    n = 300
    _stored_with_wrong_titles(db_url, n)
    sites = tmp_path / "sites"
    write_site(sites, "gd-test", ["http://127.0.0.1:9/gxxw/gxdt/index.html"], PATTERN, TWINS + BASE)
    env = {k: v for k, v in os.environ.items() if k not in ("ZONENEWS_DB", "ZONENEWS_SITES")}
    proc = subprocess.Popen([sys.executable, "-m", "cli", "reextract", "--db", db_url,
                             "--sites", str(sites)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    line = proc.stderr.readline()            # the first batch is committed
    assert line.startswith("reextract:"), line
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)

    with open_database(db_url)() as s:
        rows = s.execute(select(Article.title, Article.version)).all()
        versions = s.scalar(select(func.count()).select_from(ArticleVersion))
    done = [r for r in rows if r.version == 2]
    assert 0 < len(done) < n, "the kill came after the first batch and before the last"
    assert all(r.title != "旧标题" for r in done)
    assert all(r.title == "旧标题" for r in rows if r.version == 1)
    assert versions == len(done)

    zonenews("reextract", db=db_url, sites=sites, check=True, timeout=300)
    with open_database(db_url)() as s:
        rows = s.execute(select(Article.title, Article.version)).all()
        versions = s.scalar(select(func.count()).select_from(ArticleVersion))
    assert len(rows) == n and all(r.version == 2 and r.title != "旧标题" for r in rows)
    assert versions == n
