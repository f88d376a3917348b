"""Migration 0008: an archive whose URLs were stored in an older form is rewritten in the form the
crawl computes, articles stored twice under two forms become one, and the next crawl stores
nothing twice."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pipelines import db
from pipelines.db import HEAD_REVISION, alembic_config, current_revision, database_url, make_engine
from pipelines.models import (
    Article,
    ArticleFact,
    ArticlePerson,
    ArticleVersion,
    RawPage,
    Story,
    StoryArticle,
)
from pipelines.urls import canonical_url
from tests.conftest import write_site, zonenews
from tests.siteserver import FixtureServer

T0 = datetime(2024, 5, 1, tzinfo=UTC)


def archive_at_0007(url: str) -> sessionmaker[Session]:
    """Sessions on a database built by the migrations up to 0007, as an older zonenews left it."""
    engine = make_engine(database_url(url))
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0007")
    db._ready.clear()
    return sessionmaker(engine, expire_on_commit=False)


def upgrade(sessions: sessionmaker[Session]) -> None:
    engine = sessions.kw["bind"]
    db._ready.clear()
    db.ensure_schema(engine)
    assert current_revision(engine) == HEAD_REVISION


def article(url: str, text: str, first_seen: datetime, last_seen: datetime,
            site: str = "demo", **fields: object) -> Article:
    return Article(
        url=url, site=site, title=f"标题{text}", published_at=T0, timezone="Asia/Shanghai",
        authors=[], photographers=[], editors=[], responsible_editors=[], images=[], tags=[],
        body_text=f"正文{text}", body_html=f"<p>正文{text}</p>", content_hash=f"hash-{text}",
        first_seen_at=first_seen, last_seen_at=last_seen, changed_at=first_seen, **fields)


def version(article_id: int, number: int, text: str, seen: datetime) -> ArticleVersion:
    return ArticleVersion(article_id=article_id, version=number, title=f"标题{text}",
                          body_text=f"正文{text}", body_html=f"<p>正文{text}</p>",
                          content_hash=f"hash-{text}", seen_from=seen,
                          seen_until=seen + timedelta(days=1))


def raw_page(article_id: int, url: str, body: bytes) -> RawPage:
    return RawPage(article_id=article_id, part=0, url=url, content_type="text/html",
                   sha256="0" * 64, size=len(body), body=zlib.compress(body), context={},
                   fetched_at=T0)


# ---------------------------------------------------------------- merging

def test_rows_stored_under_two_forms_of_one_url_become_one_article_that_keeps_everything(
        db_url: str) -> None:
    sessions = archive_at_0007(db_url)
    old = "http://zone.example.cn/news/content/新闻_4.html"          # raw non-ASCII: the old form
    new = canonical_url(old)
    same_old = "http://zone.example.cn/news/content/post_%e6%96%87_5.html"   # lower-case hex
    with sessions.begin() as s:
        first = article(old, "甲", T0, T0 + timedelta(days=2), version=2)
        second = article(new, "乙", T0 + timedelta(days=3), T0 + timedelta(days=4))
        twin_a = article(same_old, "同", T0 + timedelta(days=1), T0 + timedelta(days=1))
        twin_b = article(canonical_url(same_old), "同", T0, T0 + timedelta(days=5))
        neighbour = article("http://zone.example.cn/news/content/other.html", "邻", T0, T0)
        s.add_all([first, second, twin_a, twin_b, neighbour])
        s.flush()
        s.add_all([
            version(first.id, 1, "甲旧", T0 - timedelta(days=9)),
            version(second.id, 1, "甲旧", T0 - timedelta(days=9)),   # a text both have: once
            ArticlePerson(article_id=second.id, role="authors", name="李明"),
            ArticleFact(article_id=second.id, kind="industry", value="集成电路"),
            ArticlePerson(article_id=first.id, role="authors", name="旧名"),
            raw_page(second.id, new, b"<p>second</p>"),
            raw_page(first.id, old, b"<p>first</p>"),
            raw_page(twin_a.id, same_old, b"<p>twin</p>"),
        ])
        story = Story(representative_id=twin_a.id, updated_at=T0)
        s.add(story)
        s.flush()
        for member in (twin_a, neighbour):
            s.add(StoryArticle(article_id=member.id, story_id=story.id, link="text", score=0.9,
                               content_hash=member.content_hash, derived_at=T0, rules=1))
        s.add(StoryArticle(article_id=twin_b.id, story_id=None, content_hash="hash-同",
                           derived_at=T0, rules=1))
        ids = {"first": first.id, "second": second.id, "twin_a": twin_a.id, "twin_b": twin_b.id,
               "neighbour": neighbour.id, "story": story.id}

    upgrade(sessions)

    with sessions() as s:
        urls = {url: i for url, i in s.execute(select(Article.url, Article.id))}
        assert urls == {new: ids["first"], canonical_url(same_old): ids["twin_b"],
                        "http://zone.example.cn/news/content/other.html": ids["neighbour"]}
        # Seen first under the old form, its id kept; the text seen last is the current one.
        kept = s.get(Article, ids["first"])
        assert kept is not None
        assert (kept.title, kept.first_seen_at, kept.last_seen_at) == (
            "标题乙", T0, T0 + timedelta(days=4))
        history = s.scalars(select(ArticleVersion).where(ArticleVersion.article_id == kept.id)
                            .order_by(ArticleVersion.version)).all()
        assert [(v.version, v.title) for v in history] == [(1, "标题甲旧"), (2, "标题甲")]
        assert kept.version == 3
        assert s.scalars(select(ArticlePerson.name).where(
            ArticlePerson.article_id == kept.id)).all() == ["李明"]
        assert s.scalars(select(ArticleFact.value).where(
            ArticleFact.article_id == kept.id)).all() == ["集成电路"]
        assert [zlib.decompress(p.body) for p in s.scalars(select(RawPage).where(
            RawPage.article_id == kept.id))] == [b"<p>second</p>"]
        # One text told twice: one article, in the story the other copy was in, with its page.
        twin = s.get(Article, ids["twin_b"])
        assert twin is not None and twin.version == 1
        assert (twin.first_seen_at, twin.last_seen_at) == (T0, T0 + timedelta(days=5))
        membership = s.get(StoryArticle, ids["twin_b"])
        assert membership is not None and membership.story_id == ids["story"]
        assert s.get(Story, ids["story"]).representative_id in (ids["twin_b"], ids["neighbour"])
        assert s.scalar(select(func.count()).select_from(RawPage).where(
            RawPage.article_id == ids["twin_b"])) == 1
        assert s.scalar(select(func.count()).select_from(ArticleVersion)) == 2
    sessions.kw["bind"].dispose()


def test_an_archive_in_the_current_form_is_left_as_it_is(db_url: str) -> None:
    sessions = archive_at_0007(db_url)
    urls = [canonical_url(f"http://zone.example.cn/news/content/post_{n}.html?b=1&a={n}")
            for n in range(30)]
    with sessions.begin() as s:
        s.add_all(article(u, str(n), T0, T0) for n, u in enumerate(urls))
    upgrade(sessions)
    with sessions() as s:
        assert sorted(s.scalars(select(Article.url))) == sorted(urls)
    sessions.kw["bind"].dispose()


def test_a_url_whose_canonical_form_outgrows_the_column_is_kept_and_the_rest_rewritten(
        db_url: str) -> None:
    sessions = archive_at_0007(db_url)
    long = "http://zone.example.cn/" + "新" * 700 + ".html"     # 2,100 characters encoded
    short = "http://zone.example.cn/新.html"
    with sessions.begin() as s:
        s.add_all([article(long, "长", T0, T0), article(short, "短", T0, T0)])
    upgrade(sessions)
    with sessions() as s:
        assert sorted(s.scalars(select(Article.url))) == sorted([long, canonical_url(short)])
    sessions.kw["bind"].dispose()


# ---------------------------------------------------------------- the next crawl

def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="PubDate" content="2024-05-01 09:30"></head><body>'
            f'<div class="article"><h1>{title}</h1><p class="info">发布时间：2024-05-01 09:30</p>'
            f'<div id="zoom"><p>{body}</p><p>{body}园区建设持续推进。</p></div></div></body></html>')


# (link on the list page, the form an older zonenews stored it under)
LINKS = [
    ("content/中文_1.html", "/news/content/中文_1.html"),
    ("show.asp?id=2&cat=新闻", "/news/show.asp?id=2&cat=%E6%96%B0%E9%97%BB"),
    ("content/post_%e6%96%87_3.html", "/news/content/post_%e6%96%87_3.html"),
    ("content/新闻_4.html", "/news/content/新闻_4.html"),
    ("content/post_5.html", None),   # published since: not stored yet
]


@pytest.fixture
def site(server: FixtureServer, tmp_path: Path) -> Iterator[Path]:
    items = "".join(f'<li><a href="{href}">文章{n}</a><span>2024-05-01</span></li>'
                    for n, (href, _old) in enumerate(LINKS, 1))
    server.add("/news/index.html", '<!DOCTYPE html><html><head><meta charset="utf-8">'
               f"<title>新闻</title></head><body><ul class=\"list\">{items}</ul></body></html>")
    for n, (href, _old) in enumerate(LINKS, 1):
        path = canonical_url(server.url("/news/" + href)).removeprefix(server.base)
        server.add(path, page(f"高新区新闻第{n}篇", f"高新区第{n}个项目签约落地"))
    sites = tmp_path / "sites"
    write_site(sites, "demo", [server.url("/news/index.html")],
               r"/news/(content/.+\.html|show\.asp\?.+)$", "obey_robots = false\ndelay = 0\n")
    yield sites


def test_after_the_upgrade_a_crawl_stores_nothing_twice_and_finds_either_form(
        db_url: str, server: FixtureServer, site: Path) -> None:
    sessions = archive_at_0007(db_url)
    stored = [(n, server.url(old)) for n, (_href, old) in enumerate(LINKS, 1) if old]
    with sessions.begin() as s:
        for n, old in stored:
            assert canonical_url(old) != old
            s.add(article(old, str(n), T0 + timedelta(hours=n), T0 + timedelta(hours=n)))
        # The duplicate an upgraded crawl made before this migration: the same article again.
        s.add(article(canonical_url(server.url(LINKS[3][1] or "")), "4",
                      T0 + timedelta(days=1), T0 + timedelta(days=1)))
    sessions.kw["bind"].dispose()
    db._ready.clear()

    crawl = zonenews("crawl", "demo", db=db_url, sites=site)
    assert crawl.returncode == 0, crawl.stderr
    assert "merged into article" in crawl.stderr
    assert server.article_hits("_1.html") == server.article_hits("_4.html") == 0
    assert server.article_hits("/news/content/post_5.html") == 1
    again = zonenews("crawl", "demo", "--full", db=db_url, sites=site)
    assert again.returncode == 0, again.stderr

    listed = json.loads(zonenews("articles", "--limit", "0", "--format", "json",
                                 db=db_url, check=True).stdout)
    assert sorted(a["url"] for a in listed) == sorted(
        canonical_url(server.url("/news/" + href)) for href, _old in LINKS)
    for _n, old in stored:
        by_old = json.loads(zonenews("article", old, "--format", "json", db=db_url,
                                     check=True).stdout)
        by_new = json.loads(zonenews("article", canonical_url(old), "--format", "json",
                                     db=db_url, check=True).stdout)
        assert by_old["id"] == by_new["id"] and by_old["url"] == canonical_url(old)
