"""The write path: an article is stored once under its canonical URL, a changed one gets a new
version with the old text kept, and the schema the migrations build is the one the models say."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select, text

from pipelines.db import make_engine, open_database
from pipelines.dedupe import content_hash
from pipelines.models import Article, ArticleVersion, Base
from pipelines.record import ArticleRecord
from pipelines.search import is_search_object
from pipelines.store import save_articles


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
    "http://a.cn/content/mpost_1.html",
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
