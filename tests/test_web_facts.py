"""What was read from the articles, through the web application: ``/api/articles`` with the fact
filters of ``zonenews articles`` (in json pages, walked by cursor, and in csv/jsonl exports),
``/api/facts`` and ``/api/stories`` as ``zonenews facts`` and ``zonenews stories`` print them, the
same one-line errors, and the industry and event choices of the articles page — on SQLite and on
PostgreSQL."""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cli import main
from pipelines.db import open_database
from pipelines.facts import derive_pending
from tests.conftest import write_site
from tests.test_facts import record
from tests.test_web import _article, _check_error, _walk, cli_json, cli_text
from web.app import create_app

# Stated amounts, named companies and one story told by two sites (the second copy edited),
# beside the plain archive of the web tests, whose titles report signings in five industries.
EXTRA = [
    ("zone-a", "http://zone-a.example.cn/content/post_900.html", "冠宇电池项目签约落户高新区",
     "珠海冠宇电池股份有限公司新能源电池项目总投资约16亿元，主要生产锂电池。项目建成后年产值可达30亿元。"
     "\n园区将全力做好项目服务保障工作，推动项目早日投产。", 3),
    ("zone-b", "http://zone-b.example.cn/content/post_901.html", "16亿元新能源电池项目签约",
     "珠海冠宇电池股份有限公司新能源电池项目总投资约16亿元，主要生产锂电池。项目建成后年产值可达30亿元。"
     "\n园区将全力做好项目服务保障工作，推动项目早日投产。记者从签约仪式上获悉上述消息。", 4),
    ("zone-a", "http://zone-a.example.cn/content/post_902.html", "集成电路封测基地开工",
     "珠海华发集团有限公司投资3.5亿美元建设集成电路封装测试基地，项目今日开工建设。", 5),
    ("zone-ny", "http://zone-ny.example.cn/content/post_903.html", "人才补贴政策发布",
     "高新区发布人才新政，对新引进的博士给予50万元安家补贴。", 6),
]


@pytest.fixture
def archive(db_url: str, tmp_path: Path) -> tuple[str, Path]:
    """The records stored as a crawl's store does, then derived as the derivation after it does."""
    from pipelines.store import save_articles

    records = [_article(n) for n in range(45)]
    records += [replace(record(url, title, body), site=site,
                        published_at=datetime(2024, 4, day, 2, tzinfo=UTC))
                for site, url, title, body, day in EXTRA]
    sessions = open_database(db_url)
    with sessions.begin() as session:
        save_articles(session, records)
    assert derive_pending(sessions).derived == len(records)
    sessions.kw["bind"].dispose()
    folder = tmp_path / "sites"
    for site in ("zone-a", "zone-b", "zone-ny"):
        write_site(folder, site, [f"http://{site}.example.cn/news/"], r"/post_\d+\.html$")
    return db_url, folder


@pytest.fixture
def client(archive: tuple[str, Path]) -> TestClient:
    db, folder = archive
    return TestClient(create_app(db, [str(folder)]), raise_server_exceptions=False)


def run_text(db: str, *args: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*args, "--db", db]) == 0
    return out.getvalue()


def run_json(db: str, *args: str) -> list[dict[str, object]]:
    found: list[dict[str, object]] = json.loads(run_text(db, *args, "--format", "json"))
    return found


FILTER_CASES = [
    ({"industry": "semiconductors"}, ["--industry", "semiconductors"]),
    ({"industry": "新能源"}, ["--industry", "新能源"]),
    ({"event": "signing", "site": "zone-b"}, ["--event", "signing", "--site", "zone-b"]),
    ({"event": "groundbreaking"}, ["--event", "groundbreaking"]),
    ({"min_amount": "1e9"}, ["--min-amount", "1e9"]),
    ({"min_amount": "1,000,000", "org": "华发"}, ["--min-amount", "1,000,000", "--org", "华发"]),
    ({"org": "冠宇", "unique": "true"}, ["--org", "冠宇", "--unique"]),
    ({"query": "签约", "industry": "biomedicine"}, ["--query", "签约", "--industry", "biomedicine"]),
    ({"org": "冠宇", "site": "zone-b", "unique": "true"}, ["--org", "冠宇", "--site", "zone-b", "--unique"]),
    ({"query": "记者从签约仪式", "unique": "true"}, ["--query", "记者从签约仪式", "--unique"]),
]


def test_fact_filters_answer_the_records_of_the_command_line(
        archive: tuple[str, Path], client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    db, folder = archive
    sizes = []
    for params, cli_args in FILTER_CASES:
        answer = client.get("/api/articles", params={**params, "limit": 100})
        assert answer.status_code == 200, answer.text
        want = cli_json(db, folder, capsys, "--limit", "100", *cli_args)
        assert answer.json() == want, params
        assert isinstance(want, list)
        sizes.append(len(want))
    # Each filter keeps some articles and drops others; unique keeps one of the two copies.
    assert all(0 < n < 49 for n in sizes), sizes
    assert sizes[6] == 1
    # Within a site, or a query only the reprint matches, the story is shown by that copy.
    reprint = "http://zone-b.example.cn/content/post_901.html"
    for api_params, _cli_args in FILTER_CASES[8:]:
        shown = client.get("/api/articles", params={**api_params, "limit": 100}).json()
        assert [r["url"] for r in shown] == [reprint], api_params
    everyone = client.get("/api/articles", params={"org": "冠宇", "limit": 100}).json()
    assert len(everyone) == 2


def test_fact_filters_hold_across_cursor_pages_and_streamed_exports(
        archive: tuple[str, Path], client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    db, folder = archive
    want = cli_json(db, folder, capsys, "--limit", "0", "--event", "signing", "--unique")
    assert isinstance(want, list) and len(want) > 6
    walked = _walk(client, {"event": "signing", "unique": "true", "limit": 4})
    assert [r["id"] for r in walked] == [r["id"] for r in want]
    for fmt in ("csv", "jsonl"):
        answer = client.get("/api/articles", params={"event": "signing", "unique": "true",
                                                     "limit": 0, "format": fmt})
        assert answer.status_code == 200
        text = cli_text(db, folder, capsys, "--limit", "0", "--format", fmt, "--event", "signing",
                        "--unique")
        assert answer.text.replace("\r\n", "\n") == text.replace("\r\n", "\n")


def test_facts_and_stories_are_those_of_the_command_line(archive: tuple[str, Path],
                                                          client: TestClient) -> None:
    db, _ = archive
    for params, cli_args in (
            ({}, []),
            ({"site": "zone-a", "since": "2024-04-04"}, ["--site", "zone-a", "--since", "2024-04-04"]),
            ({"kind": ["amount", "organisation"], "limit": 3},
             ["--kind", "amount", "--kind", "organisation", "--limit", "3"])):
        answer = client.get("/api/facts", params=params)
        assert answer.status_code == 200, answer.text
        want = run_json(db, "facts", *cli_args)
        assert answer.json() == want and want, params
    amounts = [(f["value"], f["amount"]) for f in run_json(db, "facts", "--kind", "amount")]
    assert ("3.5亿美元", "350000000") in amounts and ("50万元", "500000") in amounts

    stories = client.get("/api/stories").json()
    assert stories == run_json(db, "stories")
    pair = [s for s in stories if len(s["article_ids"]) > 1]
    assert len(pair) == 1 and pair[0]["sites"] == ["zone-a", "zone-b"]
    assert client.get("/api/stories", params={"limit": 1}).json() == run_json(db, "stories",
                                                                               "--limit", "1")
    assert client.get("/api/stories", params={"since": "2030-01-01"}).json() == []

    table = client.get("/api/facts", params={"format": "csv", "kind": "amount"})
    assert table.headers["content-type"].startswith("text/csv")
    assert table.text.replace("\r\n", "\n") == \
        run_text(db, "facts", "--kind", "amount", "--format", "csv").replace("\r\n", "\n")
    lines = table.text.splitlines()
    assert lines[0] == "\ufeffarticle_id,kind,value,amount,amount_high,currency,approximate,sentence"
    assert len(lines) == 1 + len(amounts)
    rows = client.get("/api/stories", params={"format": "jsonl"}).text.splitlines()
    assert [json.loads(x) for x in rows] == stories


BAD_FILTERS = [
    ("/api/articles?industry=bakery", "unknown industry 'bakery'"),
    ("/api/articles?event=party&format=csv", "unknown event 'party'"),
    ("/api/articles?min_amount=lots", "'lots' is not an amount"),
    ("/api/articles?min_amount=-5", "is not an amount of money"),
    ("/?industry=bakery", "unknown industry 'bakery'"),
]


def test_bad_fact_filters_are_400_with_the_command_lines_line(
        archive: tuple[str, Path], client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    db, _ = archive
    for url, message in BAD_FILTERS:
        _check_error(client, url, 400)
        answer = client.get(url)
        assert message in (answer.json()["error"] if url.startswith("/api/")
                           else html.unescape(answer.text))
    # The same words as the command line, which checks them in the same place.
    with pytest.raises(SystemExit):
        main(["articles", "--db", db, "--industry", "bakery"])
    assert client.get("/api/articles?industry=bakery").json()["error"] in capsys.readouterr().err
    for url, status in (("/api/facts?kind=colour", 422), ("/api/facts?since=soon", 422),
                        ("/api/stories?limit=-1", 422), ("/api/facts?format=xml", 422)):
        _check_error(client, url, status)


def test_articles_page_filters_by_industry_and_event(client: TestClient) -> None:
    page = client.get("/", params={"industry": "semiconductors", "event": "groundbreaking"})
    assert page.status_code == 200
    ids = [int(i) for i in re.findall(r'<a class="title" href="/articles/(\d+)">', page.text)]
    api = client.get("/api/articles", params={"industry": "semiconductors",
                                              "event": "groundbreaking"}).json()
    assert ids == [r["id"] for r in api] and len(ids) == 1
    assert re.search(r'<option value="semiconductors" selected>', page.text)
    assert re.search(r"<option selected>groundbreaking</option>", page.text)
    export = re.search(r'href="(/api/articles\?[^"]*format=csv[^"]*)"', page.text)
    assert export and "industry=semiconductors" in export.group(1).replace("&amp;", "&")
