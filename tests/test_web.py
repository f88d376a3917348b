"""The web application through FastAPI's test client: every page and API route, its statuses and
errors, the same records and ranking as ``zonenews articles`` — on SQLite and on PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from cli import main
from pipelines.db import DatabaseError, open_database, open_read_only
from pipelines.dedupe import content_hash
from pipelines.queries import weekly_counts
from pipelines.record import ArticleRecord
from pipelines.runs import dispatched, finish_run, start_run
from pipelines.runstats import RunFigures
from pipelines.store import save_articles
from tests.conftest import write_site
from web.app import create_app

SUBJECTS = ["集成电路", "生物医药", "人工智能", "新能源", "数字经济"]
PEOPLE = ["宋雪梅", "李明", "周楠", "陈白虹"]
START = datetime(2024, 3, 1, 1, 0, tzinfo=UTC)


def _article(n: int) -> ArticleRecord:
    """A varied archive: three sites (one in New York), two sections, one undated article,
    titles and bodies that share some words and not others."""
    site = ("zone-a", "zone-b", "zone-ny")[n % 3]
    subject = SUBJECTS[n % len(SUBJECTS)]
    other = SUBJECTS[(n + 2) % len(SUBJECTS)]
    title = f"{subject}项目签约 第{n}号"
    body = f"高新区{other}产业持续发展，第{n}批企业入驻。\n园区将做好服务保障工作。"
    published = None if n == 7 else START + timedelta(hours=17 * n)
    return ArticleRecord(
        url=f"http://{site}.example.cn/content/post_{n}.html", site=site, title=title,
        body_text=body, body_html="".join(f"<p>{p}</p>" for p in body.split("\n")),
        timezone="America/New_York" if site == "zone-ny" else "Asia/Shanghai",
        published_at=published, section=("高新动态", "招商引资")[n % 2], source="本网",
        authors=[PEOPLE[n % 4]], photographers=[PEOPLE[(n + 1) % 4]] if n % 5 == 0 else [],
        editors=["杨子薇"], responsible_editors=["苏芳"] if n % 2 else [],
        images=[{"url": f"http://{site}.example.cn/pic/{n}.jpg", "caption": f"签约现场{n}"}],
        content_hash=content_hash(title, body))


ARTICLES = 45


@pytest.fixture
def archive(db_url: str, tmp_path: Path) -> tuple[str, Path]:
    sessions = open_database(db_url)
    with sessions.begin() as session:
        save_articles(session, [_article(n) for n in range(ARTICLES)])
    # Article 12 is edited once: a paragraph changes and one is added; its body carries
    # markup that must never run.
    edited = _article(12)
    edited.body_text = edited.body_text.replace("第12批", "第13批") + "\n更正：投资额以公告为准。"
    edited.body_html = ("".join(f"<p>{p}</p>" for p in edited.body_text.split("\n"))
                        + '<script>alert(1)</script><img src="http://zone-a.example.cn/pic/12.jpg"'
                          ' onerror="alert(2)"><p onclick="alert(3)">图为签约现场</p>')
    edited.content_hash = content_hash(edited.title, edited.body_text)
    with sessions.begin() as session:
        save_articles(session, [edited])
    for site, status, details in (
            ("zone-a", "succeeded", {"errors": {}, "dropped": {"no_title": 2}}),
            ("zone-b", "failed", {"errors": {"http_500": 3, "timeout": 1}}),
            ("zone-a", "succeeded", {})):
        run = start_run(sessions, site, "manual")
        finish_run(sessions, run, status, RunFigures(pages_fetched=9, articles_new=4, errors=4
                                                     if status == "failed" else 0), details)
    sessions.kw["bind"].dispose()
    folder = tmp_path / "sites"
    write_site(folder, "zone-a", ["http://zone-a.example.cn/news/"], r"/post_\d+\.html$",
               '[schedule]\ninterval = "6h"\n')
    write_site(folder, "zone-b", ["http://zone-b.example.cn/news/"], r"/post_\d+\.html$",
               '[schedule]\ncron = "30 8 * * *"\n')
    write_site(folder, "zone-ny", ["http://zone-ny.example.cn/news/"], r"/post_\d+\.html$",
               'timezone = "America/New_York"\n')
    return db_url, folder


@pytest.fixture
def client(archive: tuple[str, Path]) -> TestClient:
    db, folder = archive
    return TestClient(create_app(db, [str(folder)]), raise_server_exceptions=False)


def cli_json(db: str, folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> object:
    assert main(["articles", "--db", db, "--sites", str(folder), "--format", "json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def cli_text(db: str, folder: Path, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["articles", "--db", db, "--sites", str(folder), *args]) == 0
    return capsys.readouterr().out


# ---------------------------------------------------------------- API

API_CASES = [
    ({}, []),
    ({"query": "集成电路"}, ["--query", "集成电路"]),
    ({"query": "生物医药 签约", "limit": 50}, ["--query", "生物医药 签约", "--limit", "50"]),
    ({"site": "zone-b", "since": "2024-03-05", "until": "2024-03-20", "limit": 100},
     ["--site", "zone-b", "--since", "2024-03-05", "--until", "2024-03-20", "--limit", "100"]),
    ({"query": "新能源", "site": "zone-a"}, ["--query", "新能源", "--site", "zone-a"]),
]


def test_api_answers_the_records_of_the_command_line(
        archive: tuple[str, Path], client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    db, folder = archive
    for params, cli_args in API_CASES:
        answer = client.get("/api/articles", params=params)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("application/json")
        want = cli_json(db, folder, capsys, *cli_args)
        assert answer.json() == want, params
        assert want, "the case must match something"


def test_person_filter_matches_any_credit_role(client: TestClient) -> None:
    rows = client.get("/api/articles", params={"person": "宋雪梅", "limit": 100}).json()
    assert rows and all("宋雪梅" in r["authors"] + r["photographers"] for r in rows)
    assert any("宋雪梅" not in r["authors"] for r in rows), "a photographer credit counts too"


def _walk(client: TestClient, params: dict[str, object]) -> list[dict[str, object]]:
    rows, after, pages = [], None, 0
    while True:
        answer = client.get("/api/articles", params={**params, **({"after": after} if after else {})})
        assert answer.status_code == 200, answer.text
        rows += answer.json()
        pages += 1
        after = answer.headers.get("x-next-cursor")
        if not after:
            assert "link" not in answer.headers
            return rows
        assert 'rel="next"' in answer.headers["link"]
        assert pages < 50


PAGED_CASES = [
    ({"limit": 7}, []),
    ({"limit": 4, "query": "签约"}, ["--query", "签约"]),
    ({"limit": 3, "query": "集成电路"}, ["--query", "集成电路"]),
    ({"limit": 2, "site": "zone-a", "person": "李明"}, ["--site", "zone-a", "--author", "李明"]),
]


def test_keyset_pages_walk_the_whole_result_in_the_command_lines_order(
        archive: tuple[str, Path], client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    db, folder = archive
    for params, cli_args in PAGED_CASES:
        _check_walk(client, cli_json(db, folder, capsys, "--limit", "0", *cli_args), params)


def _check_walk(client: TestClient, want: object, params: dict[str, object]) -> None:
    walked = _walk(client, params)
    assert isinstance(want, list) and len(want) > int(str(params["limit"]))
    assert [r["id"] for r in walked] == [r["id"] for r in want]
    if "query" in params:
        assert [r["rank"] for r in walked] == list(range(1, len(want) + 1))
        assert [r["snippet"] for r in walked] == [r["snippet"] for r in want]


def test_csv_and_jsonl_stream_the_whole_set_as_the_command_line_writes_it(
        archive: tuple[str, Path], client: TestClient, capsys: pytest.CaptureFixture[str]) -> None:
    db, folder = archive
    for cli_args in ([], ["--query", "签约", "--site", "zone-b"]):
        _check_export(client, db, folder, capsys, cli_args)


def _check_export(client: TestClient, db: str, folder: Path, capsys: pytest.CaptureFixture[str],
                  cli_args: list[str]) -> None:
    params: dict[str, object] = {"limit": 0}
    if cli_args:
        params.update(query="签约", site="zone-b")
    answer = client.get("/api/articles", params={**params, "format": "csv"})
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    want = cli_text(db, folder, capsys, "--limit", "0", "--format", "csv", *cli_args)
    assert answer.text.replace("\r\n", "\n") == want.replace("\r\n", "\n")
    assert len(list(csv.DictReader(io.StringIO(answer.text)))) > 10
    answer = client.get("/api/articles", params={**params, "format": "jsonl"})
    assert answer.status_code == 200
    want = cli_text(db, folder, capsys, "--limit", "0", "--format", "jsonl", *cli_args)
    assert [json.loads(x) for x in answer.text.splitlines()] == \
        [json.loads(x) for x in want.splitlines()]


def test_one_article_and_an_unknown_one(archive: tuple[str, Path], client: TestClient,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    db, _ = archive
    first = client.get("/api/articles", params={"limit": 1}).json()[0]
    answer = client.get(f"/api/articles/{first['id']}")
    assert answer.status_code == 200
    assert main(["article", str(first["id"]), "--db", db, "--format", "json"]) == 0
    assert answer.json() == json.loads(capsys.readouterr().out)
    missing = client.get("/api/articles/999999")
    assert missing.status_code == 404
    assert missing.json() == {"error": "no article 999999"}


def test_sites_runs_and_charts_api(client: TestClient) -> None:
    sites = {s["key"]: s for s in client.get("/api/sites").json()}
    assert sites["zone-a"]["articles"] == 15 and sites["zone-a"]["last_run_status"] == "succeeded"
    assert sites["zone-b"]["last_run_status"] == "failed"
    assert sites["zone-ny"]["newest_article_at"].endswith("-04:00")   # summer time in New York
    runs = client.get("/api/runs", params={"site": "zone-b"}).json()
    assert [(r["site"], r["status"], r["details"]["errors"]["http_500"]) for r in runs] == \
        [("zone-b", "failed", 3)]
    charts = client.get("/api/charts").json()
    weekly = charts["weekly"]
    assert {s["label"] for s in weekly["series"]} == {"zone-a", "zone-b", "zone-ny"}
    assert sum(sum(s["values"]) for s in weekly["series"]) > 0
    assert {s["label"] for s in charts["runs"]["series"]} == {"succeeded", "failed"}
    assert charts["new_per_run"]["series"][0]["values"] == [4, 4, 4]


def test_openapi_describes_the_api(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    params = {p["name"] for p in spec["paths"]["/api/articles"]["get"]["parameters"]}
    assert {"query", "site", "since", "until", "limit", "format", "after"} <= params
    assert "/api/articles/{article_id}" in spec["paths"]
    assert client.get("/docs").status_code == 404     # its page would load scripts from a CDN


BAD_INPUT = [
    ("/api/articles/abc", 422),
    ("/api/articles/999999", 404),
    ("/api/articles?since=2024-13-45", 422),
    ("/api/articles?until=yesterday", 422),
    ("/api/articles?since=0001-01-01", 422),       # the range the command line takes
    ("/api/articles?until=9999-12-31", 422),
    ("/api/articles?limit=100000", 422),
    ("/api/articles?limit=-1", 422),
    ("/api/articles?limit=0", 422),
    ("/api/articles?format=xml", 422),
    ("/api/articles?after=not-a-cursor", 422),
    ("/api/articles?after=t~99999999999999999999999~1~1", 422),
    ("/api/articles?query=" + "x" * 10_000, 422),
    ("/api/articles?query=" + "芯" * 3_000, 422),
    ("/api/runs?limit=5000", 422),
    ("/api/nothing", 404),
    ("/articles/999999", 404),
    ("/articles/12abc", 422),
    ("/?since=2024-02-30", 422),
    ("/?size=100000", 422),
    ("/?after=t~x~1~1", 422),
    ("/?q=" + "园 " * 5_000, 422),
    ("/nothing", 404),
]


def test_bad_input_gets_a_clear_error_and_no_traceback(client: TestClient) -> None:
    for url, status in BAD_INPUT:
        _check_error(client, url, status)


def _check_error(client: TestClient, url: str, status: int) -> None:
    answer = client.get(url)
    assert answer.status_code == status
    if url.startswith("/api/"):
        assert answer.headers["content-type"].startswith("application/json")
        message = answer.json()["error"]
    else:
        assert answer.headers["content-type"].startswith("text/html")
        found = re.search(r'<p class="error">(.*?)</p>', answer.text)
        assert found, answer.text[:300]
        message = found.group(1)
    assert message and "\n" not in message and len(message) < 300
    assert "Traceback" not in answer.text and "File \"" not in answer.text


def test_a_missing_or_empty_database_gives_an_error_page_and_is_left_alone(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    client = TestClient(create_app(f"sqlite:///{missing}"), raise_server_exceptions=False)
    answer = client.get("/")
    assert answer.status_code == 503 and "no database here yet" in answer.text
    assert client.get("/api/articles").json()["error"].startswith("database:")
    assert not missing.exists()
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    answer = TestClient(create_app(f"sqlite:///{empty}"), raise_server_exceptions=False).get("/sites")
    assert answer.status_code == 503 and "no zonenews schema" in answer.text
    assert empty.read_bytes() == b""


def test_the_server_connection_cannot_write(archive: tuple[str, Path]) -> None:
    db, _ = archive
    sessions = open_read_only(db)
    with sessions() as session:
        assert session.execute(text("SELECT count(*) FROM articles")).scalar() == ARTICLES
        with pytest.raises((OperationalError, SQLAlchemyError)):
            session.execute(text("DELETE FROM articles"))
            session.commit()
    with open_database(db)() as session:
        assert session.execute(text("SELECT count(*) FROM articles")).scalar() == ARTICLES
    sessions.kw["bind"].dispose()


def test_a_database_from_another_program_is_refused(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(DatabaseError, match="no zonenews schema"):
        open_read_only(f"sqlite:///{path}")


# ---------------------------------------------------------------- pages

def test_articles_page_searches_filters_and_pages(client: TestClient) -> None:
    page = client.get("/", params={"q": "集成电路"})
    assert page.status_code == 200
    hits = re.findall(r'<a class="title" href="/articles/(\d+)">([^<]*)</a>', page.text)
    api = client.get("/api/articles", params={"query": "集成电路"}).json()
    assert [int(i) for i, _ in hits] == [r["id"] for r in api]
    assert hits[0][1].startswith("集成电路")
    assert "<mark>集成电路</mark>" in page.text
    total = re.search(r'id="result-count">([\d,]+)\+?<', page.text)
    assert total and int(total.group(1)) == len(client.get(
        "/api/articles", params={"query": "集成电路", "limit": 1000}).json())
    # The count is the same on a later page and when sorted by date.
    for params in ({"q": "集成电路", "sort": "newest"}, {"q": "集成电路", "size": 20}):
        again = re.search(r'id="result-count">([\d,]+)\+?<', client.get("/", params=params).text)
        assert again and again.group(1) == total.group(1)
    # Time in the site's zone: article 0 was published 01:00 UTC, 09:00 in Shanghai.
    listing = client.get("/", params={"site": "zone-a", "size": 100}).text
    assert "2024-03-01 09:00 (UTC+08:00)" in listing
    assert "zone-b" not in re.sub(r"<select.*?</select>", "", listing, flags=re.S)
    # Filters by section and person; the next page continues where the first ended.
    filtered = client.get("/", params={"section": "招商引资", "person": "李明"}).text
    titles = re.findall(r'<a class="title" href="/articles/\d+">([^<]*)</a>', filtered)
    want = [r["title"] for r in client.get("/api/articles", params={
        "section": "招商引资", "person": "李明", "limit": 100}).json()]
    assert titles == want and titles
    first = client.get("/", params={"q": "签约", "size": 20}).text
    nxt = re.search(r'rel="next" href="([^"]+)"', first)
    assert nxt
    second = client.get(nxt.group(1).replace("&amp;", "&")).text
    ids = [re.findall(r'href="/articles/(\d+)"', p) for p in (first, second)]
    assert len(ids[0]) == 20 and ids[1] and not set(ids[0]) & set(ids[1])
    newest = client.get("/", params={"q": "签约", "sort": "newest", "size": 100}).text
    dates = re.findall(r"<time>(\d{4}-\d\d-\d\d \d\d:\d\d)", newest)
    assert dates == sorted(dates, reverse=True) and len(dates) > 20
    empty = client.get("/", params={"q": "不存在的词语"}).text
    assert 'id="result-count">0<' in empty and "No article matches." in empty


def test_article_page_shows_the_record_credits_body_and_version_diff(client: TestClient) -> None:
    listing = client.get("/api/articles", params={"query": "第12号"}).json()
    rec = listing[0]
    assert rec["version"] == 2
    page = client.get(f"/articles/{rec['id']}")
    assert page.status_code == 200
    html = page.text
    assert f"<h1>{rec['title']}</h1>" in html
    assert re.search(r'class="credit-authors"><a href="/\?person=[^"]+">' + rec["authors"][0], html)
    assert "杨子薇" in html and "Editors" in html
    assert f'href="{rec["url"]}"' in html
    # The stored body, sanitised again: its pictures stay, nothing in it can run.
    assert '<img src="http://zone-a.example.cn/pic/12.jpg"' in html
    assert "<script>alert" not in html and "onerror" not in html and "onclick" not in html
    # The diff: the changed number marked inside its paragraph, the new paragraph added.
    assert "Version 1 → 2" in html
    assert re.search(r'<li class="changed">[^<]*第1<del>2</del><ins>3</ins>批', html)
    assert '<li class="added">更正：投资额以公告为准。</li>' in html
    one = client.get(f"/articles/{listing[0]['id'] + 1}").text
    assert "One version" in one
    # A picture that is not in the body is shown with its caption.
    other = client.get("/api/articles", params={"query": "第3号"}).json()[0]
    page = client.get(f"/articles/{other['id']}").text
    assert '<img src="http://zone-a.example.cn/pic/3.jpg" alt="签约现场3"' in page
    assert "<figcaption>签约现场3</figcaption>" in page


def test_sites_and_runs_pages(client: TestClient) -> None:
    sites = client.get("/sites")
    assert sites.status_code == 200
    row = re.search(r'<a href="/\?site=zone-b">zone-b</a>.*?</tr>', sites.text, re.S)
    assert row
    assert "30 8 * * *" in row.group(0) and ">failed<" in row.group(0) and ">15<" in row.group(0)
    assert 'id="chart-weekly">{' in sites.text and "/static/vendor/uPlot-1.6.32.iife.min.js" in sites.text
    runs = client.get("/runs")
    assert runs.status_code == 200
    assert "http_500 <b>3</b>" in runs.text and "dropped: no_title <b>2</b>" in runs.text
    assert runs.text.count('<span class="status succeeded">') == 2
    only_b = client.get("/runs", params={"site": "zone-b"}).text
    assert only_b.count('<span class="status ') == 1


def test_a_run_sent_to_a_scrapyd_node_shows_its_node(archive: tuple[str, Path]) -> None:
    db, folder = archive
    client = TestClient(create_app(db, [str(folder)]), raise_server_exceptions=False)
    assert "<th>Node</th>" not in client.get("/runs").text   # no run went to a node yet
    sessions = open_database(db)
    run = start_run(sessions, "zone-b", "schedule")
    dispatched(sessions, run, "http://node2:6800", f"zone-b-{run}")
    finish_run(sessions, run, "succeeded", RunFigures(pages_fetched=3, articles_new=1), {})
    sessions.kw["bind"].dispose()
    runs = client.get("/runs").text
    assert "<th>Node</th>" in runs and "<td>http://node2:6800</td>" in runs
    row = re.search(r'<a href="/\?site=zone-b">zone-b</a>.*?</tr>', client.get("/sites").text, re.S)
    assert row and "on http://node2:6800" in row.group(0)
    api = {r["key"]: r for r in client.get("/api/sites").json()}
    assert api["zone-b"]["last_run_node"] == "http://node2:6800"
    assert api["zone-a"]["last_run_node"] is None


def test_pages_forbid_inline_scripts_and_serve_their_own_files(client: TestClient) -> None:
    for url in ("/", "/sites", "/runs", "/api/articles", "/nothing"):
        csp = client.get(url).headers["content-security-policy"]
        assert "script-src 'self';" in csp and "unsafe-inline" not in csp
    for url in ("/", "/sites", "/runs"):
        page = client.get(url).text
        # Every script is a file of this server or inert JSON data.
        for tag in re.findall(r"<script[^>]*>", page):
            assert 'src="/static/' in tag or 'type="application/json"' in tag
        assert "http://cdn" not in page and "https://" not in page
    js = client.get("/static/vendor/uPlot-1.6.32.iife.min.js")
    assert js.status_code == 200 and "uPlot" in js.text
    assert client.get("/static/charts.js").status_code == 200


def test_weekly_counts_use_each_sites_timezone(db_url: str) -> None:
    # Sunday 2024-06-02 20:00 UTC is Monday 04:00 in Shanghai but Sunday 16:00 in New York.
    moment = datetime(2024, 6, 2, 20, 0, tzinfo=UTC)
    records = []
    for site, tz in (("east", "Asia/Shanghai"), ("west", "America/New_York")):
        for n, shift in enumerate((timedelta(0), timedelta(days=-3), timedelta(days=-10))):
            records.append(ArticleRecord(
                url=f"http://{site}.cn/{n}.html", site=site, title=f"{site}{n}", body_text="正文",
                body_html="<p>正文</p>", timezone=tz, published_at=moment + shift,
                content_hash=f"{site}{n}"))
    sessions = open_database(db_url)
    with sessions.begin() as session:
        save_articles(session, records)
    counts = weekly_counts(sessions, weeks=4)
    assert counts["east"] == {date(2024, 5, 20): 1, date(2024, 5, 27): 1, date(2024, 6, 3): 1}
    assert counts["west"] == {date(2024, 5, 20): 1, date(2024, 5, 27): 2}
    sessions.kw["bind"].dispose()


def test_serve_answers_over_a_missing_database_without_creating_it(tmp_path: Path) -> None:
    import os
    import socket
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request

    from tests.conftest import ROOT, zonenews

    bad = zonenews("serve", "--port", "eighty")
    assert bad.returncode == 2 and "invalid int value" in bad.stderr
    missing = tmp_path / "later.db"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port),
                             "--db", f"sqlite:///{missing}"], cwd=ROOT, stderr=subprocess.PIPE,
                            text=True, env={k: v for k, v in os.environ.items()
                                            if k != "ZONENEWS_DB"})
    try:
        status, body = 0, ""
        for _ in range(150):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            except urllib.error.HTTPError as exc:
                status, body = exc.code, exc.read().decode()
                break
            except OSError:
                time.sleep(0.2)
        assert status == 503 and "no database here yet" in body
        assert not missing.exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert proc.stderr is not None
    assert "Traceback" not in proc.stderr.read()


@pytest.mark.parametrize("old, new, want", [
    ("甲\n乙\n丙", "甲\n乙\n丙", []),
    ("甲\n乙\n丙", "甲\n乙\n丙\n丁", [("same", "丙"), ("added", "丁")]),
    ("甲\n乙\n丙", "乙\n丙", [("removed", "甲"), ("same", "乙")]),
    ("投资50亿元", "投资60亿元", [("changed", "投资<del>5</del><ins>6</ins>0亿元")]),
    ("一\n二\n三\n四\n五\n六", "一改\n二\n三\n四\n五\n六改",
     [("changed", "一<ins>改</ins>"), ("same", "二"), ("same", "…"), ("same", "五"),
      ("changed", "六<ins>改</ins>")]),
    ("<b>旧</b>", "<b>新</b>", [("changed", "&lt;b&gt;<del>旧</del><ins>新</ins>&lt;/b&gt;")]),
])
def test_the_version_diff_reads_paragraph_by_paragraph(old: str, new: str,
                                                       want: list[tuple[str, str]]) -> None:
    from web.diff import text_diff

    assert [(line.kind, str(line.html)) for line in text_diff(old, new)] == want
