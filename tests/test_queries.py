"""``zonenews articles`` as a user sees it: newest first, filters that combine, and ``--query`` with
ranked matches, a highlighted snippet in the table and ``rank``/``snippet`` in JSON —
on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import pytest

from cli import main
from pipelines.db import open_database
from pipelines.dedupe import content_hash
from pipelines.queries import RECORD_FIELDS
from pipelines.record import ArticleRecord
from pipelines.store import save_articles
from tests.conftest import zonenews

# (slug, site, section, published (UTC), title, body, authors, photographers, tags)
ARTICLES = [
    ("a1", "zone-a", "高新动态", datetime(2024, 5, 1, 2, 0), "集成电路产业园开园",
     "高新区集成电路产业园今日开园，首批芯片企业入驻。", ["宋雪梅"], [], ["集成电路"]),
    ("a2", "zone-a", "招商引资", datetime(2024, 5, 20, 1, 0), "新能源项目签约",
     "总投资50亿元的新能源项目签约落地，涉及芯片封装测试。", ["李明"], ["宋雪梅"], ["新能源"]),
    ("b1", "zone-b", "高新动态", datetime(2024, 6, 2, 16, 30), "芯片设计企业座谈会",
     "管委会召开芯片设计企业座谈会，听取园区企业意见。", ["周楠"], [], ["集成电路", "人才"]),
    ("b2", "zone-b", "招商引资", datetime(2023, 12, 31, 15, 59), "人工智能论坛举行",
     "人工智能与机器人产业论坛在唐家湾举行。", ["陈白虹"], [], []),
    ("b3", "zone-b", "高新动态", None, "园区通知",
     "关于园区道路施工的通知，芯片产业园周边交通管制。", [], [], []),
    ("c1", "zone-c", "高新动态", datetime(2024, 1, 1, 0, 0), "Semiconductor park opens",
     "The integrated circuit park opened in the High-tech Zone.", ["Hu Jieting"], [], []),
]


def _record(row: tuple) -> ArticleRecord:  # type: ignore[type-arg]
    slug, site, section, published, title, body, authors, photographers, tags = row
    return ArticleRecord(
        url=f"http://{site}.cn/content/post_{slug}.html", site=site, title=title, body_text=body,
        body_html=f"<p>{body}</p>", timezone="Asia/Shanghai",
        published_at=published.replace(tzinfo=UTC) if published else None, section=section,
        authors=authors, photographers=photographers, tags=tags,
        content_hash=content_hash(title, body))


@pytest.fixture
def db(db_url: str) -> str:
    sessions = open_database(db_url)
    with sessions.begin() as session:
        save_articles(session, [_record(r) for r in ARTICLES])
    sessions.kw["bind"].dispose()
    return db_url


def articles(db: str, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["articles", "--db", db, *args]) == 0
    return capsys.readouterr().out


def slugs(db: str, capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    records = json.loads(articles(db, capsys, "--format", "json", *args))
    return [r["url"].split("post_")[1].removesuffix(".html") for r in records]


@pytest.mark.parametrize("args, expected", [
    ((), ["b1", "a2", "a1", "c1", "b2", "b3"]),                     # newest first, undated last
    (("--limit", "2"), ["b1", "a2"]),
    (("--limit", "0"), ["b1", "a2", "a1", "c1", "b2", "b3"]),
    (("--site", "zone-b"), ["b1", "b2", "b3"]),
    (("--since", "2024-05-01"), ["b1", "a2", "a1"]),              # days in Beijing time
    (("--until", "2024-01-01"), ["c1", "b2"]),                    # the whole last day
    (("--since", "2024-01-01", "--until", "2024-05-20"), ["a2", "a1", "c1"]),
    (("--section", "招商引资"), ["a2", "b2"]),
    (("--author", "宋雪梅"), ["a2", "a1"]),                        # any credit role
    (("--author", "Hu Jieting"), ["c1"]),
    (("--tag", "集成电路"), ["b1", "a1"]),
    (("--site", "zone-a", "--section", "高新动态", "--tag", "集成电路"), ["a1"]),
    (("--site", "zone-c", "--author", "宋雪梅"), []),
])
def test_listing_is_newest_first_and_filters_combine(db: str, capsys: pytest.CaptureFixture[str],
                                                    args: tuple[str, ...],
                                                    expected: list[str]) -> None:
    assert slugs(db, capsys, *args) == expected


@pytest.mark.parametrize("args, expected", [
    (("--query", "芯片"), ["b1", "a2", "a1", "b3"]),              # the title match first
    (("--query", "集成电路"), ["a1"]),
    (("--query", "芯片 园区"), ["b1", "b3"]),             # both words, anywhere
    (("--query", "芯片", "--site", "zone-a"), ["a2", "a1"]),
    (("--query", "芯片", "--since", "2024-05-02", "--until", "2024-06-30"), ["b1", "a2"]),
    (("--query", "芯片", "--tag", "集成电路", "--author", "宋雪梅"), ["a1"]),
    (("--query", "SEMICONDUCTOR"), ["c1"]),
    (("--query", '"integrated circuit"'), ["c1"]),
    (("--query", "量子"), []),
    (("--query", "   "), ["b1", "a2", "a1", "c1", "b2", "b3"]),  # blank: a plain listing
])
def test_query_ranks_matches_within_the_filters(db: str, capsys: pytest.CaptureFixture[str],
                                                args: tuple[str, ...], expected: list[str]) -> None:
    assert slugs(db, capsys, *args) == expected


def test_query_records_add_rank_and_snippet_to_the_contract_fields(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    records = json.loads(articles(db, capsys, "--query", "芯片", "--format", "json"))
    assert [r["rank"] for r in records] == [1, 2, 3, 4]
    assert records[0]["snippet"] == "管委会召开[芯片]设计企业座谈会，听取园区企业意见。"
    assert all(set(r) == {*RECORD_FIELDS, "rank", "snippet"} for r in records)
    plain = json.loads(articles(db, capsys, "--format", "json"))
    assert all(set(r) == set(RECORD_FIELDS) for r in plain)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_other_formats_carry_rank_and_snippet_too(db: str, capsys: pytest.CaptureFixture[str],
                                                  fmt: str) -> None:
    out = articles(db, capsys, "--query", "唐家湾", "--format", fmt)
    rows = ([json.loads(line) for line in out.splitlines()] if fmt == "jsonl"
            else list(csv.DictReader(io.StringIO(out))))
    assert [(str(r["rank"]), r["snippet"]) for r in rows] == [
        ("1", "人工智能与机器人产业论坛在[唐家湾]举行。")]


def test_the_table_shows_each_match_with_its_snippet_highlighted(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    lines = articles(db, capsys, "--query", "芯片").splitlines()
    # Times are labelled with their zone: the site's own unless --utc.
    assert lines[0].split() == ["id", "published", "(site", "time)", "site", "title", "source"]
    assert len(lines) == 2 + 2 * 4
    assert "芯片设计企业座谈会" in lines[2]
    assert lines[3] == "    管委会召开[芯片]设计企业座谈会，听取园区企业意见。"
    assert "新能源项目签约" in lines[4]
    assert lines[5] == "    总投资50亿元的新能源项目签约落地，涉及[芯片]封装测试。"


def test_a_match_in_the_title_alone_shows_the_title_as_snippet(
        db: str, capsys: pytest.CaptureFixture[str]) -> None:
    lines = articles(db, capsys, "--query", "opens").splitlines()
    assert lines[3] == "    Semiconductor park [opens]"


def test_the_command_searches_chinese_without_spaces(db: str) -> None:
    proc = zonenews("articles", "--query", "园区企业", "--format", "json", db=db, check=True)
    assert [r["title"] for r in json.loads(proc.stdout)] == ["芯片设计企业座谈会"]
