"""Facts derived from stored articles: the goals on the hand-labelled sets, industries and events,
derivation of what is new or changed (apart from storing, which it never blocks), re-derivation,
and the command line."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from scrapy.utils.test import get_crawler
from sqlalchemy import func, select

from bench.facts import GOALS, Score, score
from cli import main
from pipelines.dedupe import content_hash
from pipelines.events import find_events
from pipelines.facts import amount_key, derive_pending, pending_ids
from pipelines.industries import find_industries, resolve_industry
from pipelines.models import Article, ArticleFact
from pipelines.record import ArticleRecord
from pipelines.store import StorePipeline, save_articles

LABELLED = Path(__file__).parent / "facts"


@pytest.mark.parametrize("name", ["labelled.jsonl", "heldout.jsonl"])
def test_precision_and_recall_meet_the_goals_on_the_labelled_sets(name: str) -> None:
    result = score(LABELLED / name)
    for kind, (precision, recall) in GOALS.items():
        s = result[kind]
        assert isinstance(s, Score)
        assert s.precision >= precision, (kind, s.precision, s.misses)
        assert s.recall >= recall, (kind, s.recall, s.misses)


def test_the_labelled_sets_are_large_and_varied() -> None:
    items = [json.loads(line) for name in ("labelled.jsonl", "heldout.jsonl")
             for line in (LABELLED / name).read_text("utf-8").splitlines() if line.strip()]
    assert len(items) >= 200
    currencies = {a[2] for item in items for a in item["amounts"]}
    assert {"CNY", "USD", "HKD", "EUR", "MOP"} <= currencies
    assert sum(1 for i in items if not i["amounts"] and not i["orgs"]) >= 30
    assert sum(1 for i in items if len(i["orgs"]) >= 2) >= 20
    assert sum(1 for i in items if i["text"].isascii()) >= 60


@pytest.mark.parametrize("low, high", [
    ("0", "0.5"), ("999999999", "1000000000"), ("1640000000", "16400000000"), ("12.5", "12.75"),
    ("1200000000000", "1200000000000.01"),
])
def test_amount_keys_sort_like_the_amounts(low: str, high: str) -> None:
    assert amount_key(Decimal(low)) < amount_key(Decimal(high))


@pytest.mark.parametrize("title, body, industries", [
    ("越亚半导体二期项目签约", "", ["semiconductors"]),
    ("高新区举办招商推介会", "会上，多家集成电路企业签约。芯片设计企业代表发言。", ["semiconductors"]),
    ("高新区举办招商推介会", "一家芯片企业参加。", []),       # one passing mention is not the subject
    ("珠海低空经济产业园揭牌", "无人机企业入驻。", ["low-altitude"]),
    ("Zhuhai launches humanoid robot center", "", ["ai-robotics"]),
    ("New energy storage plant opens", "The lithium battery plant ...", ["new-energy"]),
    ("Seminar held", "A chipmaker and a wafer fab sent people.", ["semiconductors"]),
    ("Port logistics improve", "", ["marine-economy", "modern-services"]),
    ("信创适配中心启用", "", ["xinchuang"]),
    ("生物医药产业园开园", "", ["biomedicine"]),
])
def test_industries(title: str, body: str, industries: list[str]) -> None:
    assert find_industries(title, body) == industries


@pytest.mark.parametrize("name, key", [
    ("semiconductors", "semiconductors"), ("集成电路与半导体", "semiconductors"), ("芯片", "semiconductors"),
    ("Low-Altitude Economy", "low-altitude"), ("信创", "xinchuang"), ("bakery", None),
])
def test_an_industry_is_named_by_key_label_or_keyword(name: str, key: str | None) -> None:
    assert resolve_industry(name) == key


@pytest.mark.parametrize("title, body, events", [
    ("珠海冠宇新项目开工", "", ["groundbreaking"]),
    ("高新区与越亚半导体签约", "", ["signing"]),
    ("英诺赛科氮化镓项目投产", "", ["production"]),
    ("机器人研究院落户高新区", "", ["settlement"]),
    ("高新区印发支持集成电路产业发展若干措施", "", ["policy"]),
    ("亿智电子完成近5亿元C轮融资", "", ["funding"]),
    ("金山办公荣获省科技进步奖", "", ["award"]),
    ("Zhuhai CosMX breaks ground on battery project", "", ["groundbreaking"]),
    ("Zone signs agreements with 15 companies", "", ["signing"]),
    ("高新区召开安全生产工作会议", "会议部署了下一阶段工作。", []),
    ("高新区召开工作会议", "会议部署了下一阶段工作。第二句。第三句。去年签约的项目已投产。", []),
])
def test_events_are_read_from_the_title_and_lead(title: str, body: str, events: list[str]) -> None:
    assert find_events(title, body) == events


def record(url: str, title: str, body: str) -> ArticleRecord:
    return ArticleRecord(url=url, site="demo", title=title, body_text=body, body_html=f"<p>{body}</p>",
                         timezone="Asia/Shanghai", published_at=datetime(2024, 11, 18, 2, tzinfo=UTC),
                         language="zh", content_hash=content_hash(title, body))


def facts_of(sessions: sa.orm.sessionmaker[sa.orm.Session], kind: str) -> list[tuple[str, str | None]]:
    with sessions() as s:
        return [(f.value, f.amount) for f in s.scalars(
            select(ArticleFact).where(ArticleFact.kind == kind).order_by(ArticleFact.id))]


def test_the_store_only_stores_and_the_derivation_does_what_is_new_or_changed(db_url: str) -> None:
    from pipelines.db import open_database

    crawler = get_crawler()
    store = StorePipeline(db_url, crawler.stats)
    store.open_spider()
    asyncio.run(store.process_item(record("http://a.cn/p/1.html", "冠宇项目开工",
                                          "珠海冠宇电池股份有限公司新项目总投资约16亿元。")))
    store.close_spider()
    sessions = open_database(db_url)
    assert facts_of(sessions, "amount") == []       # stored, left to the derivation
    assert len(pending_ids(sessions)) == 1
    assert derive_pending(sessions).derived == 1
    assert facts_of(sessions, "amount") == [("约16亿元", "1600000000")]
    assert facts_of(sessions, "organisation") == [("珠海冠宇电池股份有限公司", None)]
    assert pending_ids(sessions) == []
    assert derive_pending(sessions).derived == 0    # nothing new: nothing done again

    store.open_spider()
    asyncio.run(store.process_item(record("http://a.cn/p/1.html", "冠宇项目开工",
                                          "珠海冠宇电池股份有限公司新项目总投资增至20亿元。")))
    asyncio.run(store.process_item(record("http://a.cn/p/2.html", "会议", "会议部署了工作。")))
    store.close_spider()
    assert len(pending_ids(sessions)) == 2          # the changed text and the new article
    assert derive_pending(sessions).derived == 2
    assert facts_of(sessions, "amount") == [("20亿元", "2000000000")]


def test_a_failing_derivation_loses_no_article_and_leaves_them_pending(db_url: str) -> None:
    from pipelines.db import open_database

    sessions = open_database(db_url)
    with sessions.begin() as s:
        save_articles(s, [record(f"http://a.cn/p/{n}.html", "项目签约", f"第{n}篇，总投资{n + 1}亿元。")
                          for n in range(3)])
        s.execute(sa.text("DROP TABLE article_facts"))   # a real fault: the table is gone
    tally = derive_pending(sessions)                      # ends, whatever the fault
    assert tally.derived == 0
    assert tally.failed or tally.stopped
    with sessions() as s:
        assert s.scalar(select(func.count()).select_from(Article)) == 3
    assert len(pending_ids(sessions)) == 3


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(list(args))
    return code, out.getvalue()


def test_facts_rebuild_derives_the_whole_archive_and_the_table_shows_them(tmp_path: Path) -> None:
    from pipelines.db import open_database

    db = f"sqlite:///{tmp_path / 'z.db'}"
    with open_database(db).begin() as s:   # stored without the store's derivation
        save_articles(s, [record("http://a.cn/p/1.html", "签约", "总投资3.5亿美元，由珠海华发集团有限公司投资。"),
                          record("http://a.cn/p/2.html", "会议", "会议部署了工作。")])
    assert run("facts", "--db", db, "--format", "json") == (0, "[]\n")
    assert run("facts", "--rebuild", "--db", db)[0] == 0
    code, out = run("facts", "--db", db, "--format", "json", "--kind", "amount")
    assert [(f["value"], f["amount"], f["currency"], f["approximate"]) for f in json.loads(out)] == [
        ("3.5亿美元", "350000000", "USD", False)]
    code, out = run("facts", "--db", db, "--format", "csv")
    # A spreadsheet's CSV: a byte-order mark, then the header.
    assert out.splitlines()[0] == "\ufeffarticle_id,kind,value,amount,amount_high,currency,approximate,sentence"
    code, table = run("facts", "--db", db)
    assert code == 0 and "珠海华发集团有限公司" in table and "350000000" in table
    code, out = run("articles", "--db", db, "--min-amount", "1e8", "--format", "jsonl")
    assert code == 0
    assert [json.loads(line)["url"] for line in out.splitlines()] == ["http://a.cn/p/1.html"]


def test_facts_lists_the_four_kinds_and_zones_only_when_asked(tmp_path: Path) -> None:
    from pipelines.db import open_database

    db = f"sqlite:///{tmp_path / 'z.db'}"
    with open_database(db).begin() as s:
        save_articles(s, [record("http://a.cn/p/1.html", "珠海高新区项目签约",
                                 "珠海高新区与珠海华发集团有限公司签约，总投资16亿元。")])
    assert run("facts", "--rebuild", "--db", db)[0] == 0
    listed = {f["kind"] for f in json.loads(run("facts", "--db", db, "--format", "json")[1])}
    assert listed == {"amount", "organisation", "event"}
    zones = json.loads(run("facts", "--db", db, "--format", "json", "--kind", "zone")[1])
    assert [f["kind"] for f in zones] and {f["kind"] for f in zones} == {"zone"}


@pytest.mark.parametrize("args, message", [
    (["articles", "--industry", "bakery"], "unknown industry 'bakery'"),
    (["articles", "--event", "party"], "unknown event 'party'"),
    (["articles", "--min-amount", "lots"], "is not an amount"),
    (["facts", "--kind", "colour"], "invalid choice"),
])
def test_bad_fact_filters_are_usage_errors_in_one_line(args: list[str], message: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main([*args, "--db", f"sqlite:///{tmp_path / 'z.db'}"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err
