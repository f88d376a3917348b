"""The people table: a person filter finds exactly the articles whose credit lists hold that
name, on archives written by the store and on archives filled by migration 0005."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command

from cli import main
from pipelines import db as dbmodule
from pipelines.db import alembic_config, database_url, make_engine, open_database
from pipelines.dedupe import content_hash
from pipelines.models import Article, ArticlePerson
from pipelines.people import CREDIT_ROLES, people_rows
from pipelines.queries import ArticleFilter, list_articles
from pipelines.record import ArticleRecord
from pipelines.store import save_articles

# Names a LIKE on JSON text could get wrong: one inside another, LIKE's own wildcards, JSON's
# escapes, spaces, Latin letters in two cases, and names of one character.
NAMES = ["宋雪梅", "宋雪", "雪梅", "李明", "李明明", "欧阳明月", "Hu Jieting", "hu jieting", "Hu",
         "50%", "5_0", 'Lee "Kim"', "back\\slash", "O'Neil", "张", "Zhang Wei / 王伟"]
ABSENT = ["宋", "明", "Jieting", "%", "_", '"', "\\", "宋雪梅 ", "nobody"]


def _records(n: int, seed: int = 7) -> list[ArticleRecord]:
    rng = random.Random(seed)
    records = []
    for i in range(n):
        credits = {role: rng.sample(NAMES, rng.choice((0, 0, 1, 1, 2))) for role in CREDIT_ROLES}
        title = f"园区新闻 {i}"
        body = f"第{i}篇：集成电路产业园{'芯片' if i % 3 else '论坛'}项目。"
        records.append(ArticleRecord(
            url=f"http://zone-{i % 3}.cn/content/post_{i}.html", site=f"zone-{i % 3}",
            title=title, body_text=body, body_html=f"<p>{body}</p>", timezone="Asia/Shanghai",
            published_at=datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=i) if i % 7 else None,
            content_hash=content_hash(title, body), **credits))
    return records


def _expected(records: list[Any], name: str, site: str | None = None) -> set[str]:
    return {r.url for r in records
            if any(name in getattr(r, role) for role in CREDIT_ROLES)
            and (site is None or r.site == site)}


def _found(url: str, **filters: Any) -> set[str]:
    return {a.url for a in list_articles(open_database(url), ArticleFilter(limit=0, **filters))}


def _found_first(url: str, limit: int, **filters: Any) -> list[str]:
    return [a.url for a in list_articles(open_database(url), ArticleFilter(limit=limit, **filters))]


def test_a_person_filter_finds_exactly_the_articles_crediting_that_whole_name(db_url: str) -> None:
    records = _records(90)
    with open_database(db_url).begin() as session:
        save_articles(session, records)
    for name in NAMES + ABSENT:
        assert _found(db_url, author=name) == _expected(records, name), name
        assert _found(db_url, author=name, site="zone-1") == _expected(records, name, "zone-1")
        # Through a search, which checks the filter on each row its index gives.
        assert _found(db_url, author=name, query="芯片") == {
            r.url for r in records if r.url in _expected(records, name) and "芯片" in r.body_text}
    # A page of the listing is the newest of those articles, as before.
    by_url = {r.url: r for r in records}
    newest = sorted(_expected(records, "李明"), key=lambda u: (
        by_url[u].published_at is not None, by_url[u].published_at or datetime.min.replace(
            tzinfo=UTC)), reverse=True)
    assert _found_first(db_url, 5, author="李明") == newest[:5]


def test_the_command_line_takes_person_as_a_name_for_author(
        db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    records = _records(30)
    with open_database(db_url).begin() as session:
        save_articles(session, records)
    capsys.readouterr()
    assert main(["articles", "--db", db_url, "--person", "欧阳明月", "--limit", "0",
                 "--format", "jsonl"]) == 0
    printed = capsys.readouterr().out
    assert printed.count("\n") == len(_expected(records, "欧阳明月")) > 0
    assert main(["articles", "--db", db_url, "--author", "欧阳明月", "--limit", "0",
                 "--format", "jsonl"]) == 0
    assert capsys.readouterr().out == printed


def test_a_changed_credit_changes_who_finds_the_article(db_url: str) -> None:
    sessions = open_database(db_url)
    first = _records(3)
    for r in first:
        r.authors, r.photographers, r.editors, r.responsible_editors = ["宋雪梅"], ["李明"], [], []
    with sessions.begin() as session:
        save_articles(session, first)
    assert len(_found(db_url, author="宋雪梅")) == 3

    # A new version of one article credits someone else.
    changed = _records(3)[0]
    changed.body_text += "（更新）"
    changed.content_hash = content_hash(changed.title, changed.body_text)
    changed.authors, changed.photographers, changed.editors = ["周楠"], [], []
    changed.responsible_editors = []
    with sessions.begin() as session:
        assert save_articles(session, [changed])["updated"] == 1
    assert _found(db_url, author="周楠") == {changed.url}
    assert changed.url not in _found(db_url, author="宋雪梅")
    assert changed.url not in _found(db_url, author="李明")
    assert len(_found(db_url, author="宋雪梅")) == 2

    # Read again from its kept pages: same text, a credit corrected in place.
    reread = _records(3)[1]
    reread.authors, reread.photographers, reread.editors = ["宋雪梅"], [], ["陈白虹"]
    reread.responsible_editors = []
    with sessions.begin() as session:
        assert save_articles(session, [reread], reread=True)["updated"] == 1
    assert _found(db_url, author="陈白虹") == {reread.url}
    assert reread.url not in _found(db_url, author="李明")

    # Seen again unchanged: its rows stay as they were, once each.
    again = _records(3)[2]
    again.authors, again.photographers, again.editors = ["周楠"], [], []
    with sessions.begin() as session:
        assert save_articles(session, [again])["unchanged"] == 1
    with sessions() as session:
        rows = session.execute(sa.select(ArticlePerson.role, ArticlePerson.name).join(
            Article, Article.id == ArticlePerson.article_id).where(
            Article.url == _records(3)[2].url)).all()
    assert sorted(rows) == [("authors", "宋雪梅"), ("photographers", "李明")]


def test_migration_0005_fills_the_table_for_articles_stored_before_it(db_url: str) -> None:
    engine = make_engine(database_url(db_url))
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0004")
    records = _records(60)
    # Odd lists an older store may have left: a name twice, an empty name, a number.
    records[0].authors = ["宋雪梅", "宋雪梅", ""]
    records[1].editors = [7, "李明"]  # type: ignore[list-item]
    now = datetime(2025, 1, 1, tzinfo=UTC)
    # Ids on both sides of the migration's batch boundaries.
    ids = [1, 2, 49_999, 50_000, 50_001, 100_000, 100_001, 250_000, *range(3, 55)]
    with engine.begin() as conn:
        conn.execute(sa.insert(Article), [
            {"id": i, "url": r.url, "site": r.site, "section": None, "title": r.title,
             "published_at": r.published_at, "timezone": r.timezone, "language": "zh",
             "source": None, "summary": None, "body_text": r.body_text,
             "body_html": r.body_html, "images": [], "tags": [], "content_hash": r.content_hash,
             "version": 1, "first_seen_at": now, "last_seen_at": now, "changed_at": now,
             **{role: getattr(r, role) for role in CREDIT_ROLES}}
            for i, r in zip(ids, records, strict=True)])
    dbmodule._ready.clear()     # a new process: it finds the archive one migration behind

    sessions = open_database(db_url)
    with sessions() as session:
        stored = {(row.article_id, row.role, row.name) for row in session.scalars(
            sa.select(ArticlePerson))}
    expected = {(row["article_id"], row["role"], row["name"])
                for i, r in zip(ids, records, strict=True)
                for row in people_rows(i, {role: getattr(r, role) for role in CREDIT_ROLES})}
    assert stored == expected
    assert (ids[0], "authors", "宋雪梅") in stored and (ids[1], "editors", "李明") in stored
    for name in NAMES:
        assert _found(db_url, author=name) == _expected(records, name), name
    engine.dispose()
