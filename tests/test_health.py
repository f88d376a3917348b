"""Site health: each rule judged on varied histories in a real database, and real crawls of a
site that breaks between crawls (a redesign that loses the date, a column that goes empty, a
run of 500s) giving the state, the reasons, and exactly one alert per change at a receiver."""

from __future__ import annotations

import html
import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from pipelines.db import open_database
from pipelines.health import HealthRules, rules_for, site_health, sites_health
from pipelines.models import Article, CrawlRun
from scrapers.sites import SiteFileError, load_catalog, parse_site
from tests.conftest import write_site, zonenews
from tests.siteserver import FixtureServer

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


# ---------------------------------------------------------------- rules over stored histories

def _run(session: Any, site: str, i: int, status: str = "succeeded", new: int = 0,
         errors: dict[str, int] | None = None, filtered: dict[str, int] | None = None,
         lists: int = 1) -> None:
    at = NOW - timedelta(hours=100 - i)
    session.add(CrawlRun(site=site, trigger="schedule", status=status, started_at=at,
                         finished_at=at, heartbeat_at=at, full=False, pages_fetched=lists + new,
                         articles_new=new, articles_updated=0, articles_unchanged=0,
                         errors=sum((errors or {}).values()),
                         details={"pages": {"list": lists, "article": new},
                                  "errors": errors or {}, "filtered": filtered or {}}))


def _article(session: Any, site: str, n: int, published: datetime | None, seen: datetime,
             source: str | None = "珠海特区报", authors: tuple[str, ...] = ("李明",)) -> None:
    session.add(Article(
        url=f"http://{site}.cn/content/post_{n}.html", site=site, title=f"标题{n}",
        published_at=published, timezone="Asia/Shanghai", source=source, authors=list(authors),
        photographers=[], editors=[], responsible_editors=[], body_text="园区新闻正文。" * 20,
        body_html="", images=[], tags=[], content_hash=str(n), version=1, first_seen_at=seen,
        last_seen_at=seen, changed_at=seen))


def health(db: str, site: str, **rules: float) -> tuple[str, set[str], list[str]]:
    with open_database(db)() as s:
        h = site_health(s, site, rules_for(rules), now=NOW)
    return h.state, {r.rule for r in h.reasons}, [r.message for r in h.reasons]


@pytest.mark.parametrize("every_days, quiet_days, stale", [
    (1, 3, False),       # a daily site quiet for 3 days: within the 7-day floor
    (1, 10, True),       # a daily site quiet for 10 days
    (5, 12, False),      # a site posting every 5 days may go 15
    (5, 16, True),
    (0.25, 8, True),     # several a day, quiet for 8 days
])
def test_stale_is_judged_against_the_sites_own_rhythm(db_url: str, every_days: float,
                                                      quiet_days: float, stale: bool) -> None:
    with open_database(db_url).begin() as s:
        _run(s, "z", 1, new=20)
        for n in range(20):
            _article(s, "z", n, NOW - timedelta(days=quiet_days + n * every_days), NOW)
    state, rules, messages = health(db_url, "z")
    assert ("stale" in rules) is stale, messages
    assert state == ("unhealthy" if stale else "healthy")


@pytest.mark.parametrize("history, latest, spike", [
    ([2, 3, 2, 0], 40, True),     # a 404 now and then, then forty
    ([0, 0, 0], 3, False),        # three faults are below the floor of five
    ([20, 25, 18], 30, False),    # a site that always has many: thirty is its usual
    ([0, 0, 0, 0], 6, True),
])
def test_a_fault_spike_is_a_kind_of_fault_far_above_its_median(
        db_url: str, history: list[int], latest: int, spike: bool) -> None:
    with open_database(db_url).begin() as s:
        for i, n in enumerate([*history, latest]):
            _run(s, "z", i, errors={"http_404": n} if n else {})
    _, rules, messages = health(db_url, "z")
    assert ("fault_spike" in rules) is spike
    if spike:
        assert any("http_404" in m for m in messages)


@pytest.mark.parametrize("statuses, streak, threshold", [
    (["succeeded", "failed", "timeout", "failed"], True, 3),
    (["failed", "failed", "succeeded", "failed"], False, 3),
    (["succeeded", "succeeded", "failed", "failed"], True, 2),
    (["succeeded", "timeout", "timeout"], False, 3),
])
def test_a_streak_of_failed_runs(db_url: str, statuses: list[str], streak: bool,
                                 threshold: int) -> None:
    with open_database(db_url).begin() as s:
        for i, status in enumerate(statuses):
            _run(s, "z", i, status)
    rules = health(db_url, "z", fault_streak=threshold)[1]
    assert ("fault_streak" in rules) is streak


def test_robots_refusals_in_a_row_are_a_streak(db_url: str) -> None:
    with open_database(db_url).begin() as s:
        _run(s, "z", 0, new=3)
        for i in range(1, 4):
            _run(s, "z", i, filtered={"robots_txt": 1}, lists=0)
    _, _, messages = health(db_url, "z")
    assert any("refused by robots.txt 3" in m for m in messages), messages


def test_a_list_that_used_to_list_articles_and_lists_none(db_url: str) -> None:
    with open_database(db_url).begin() as s:
        # Two start pages; one of them has always been empty, which is no news.
        for i in range(4):
            _run(s, "z", i, filtered={"list_without_articles": 1}, lists=2)
        _run(s, "z", 4, filtered={"list_without_articles": 1}, lists=2)
        _run(s, "y", 0, lists=2)
        _run(s, "y", 1, filtered={"list_without_articles": 2}, lists=2)
    assert "list_broken" not in health(db_url, "z")[1]
    assert "list_broken" in health(db_url, "y")[1]


def test_coverage_drop_names_the_field_that_went_missing(db_url: str) -> None:
    with open_database(db_url).begin() as s:
        _run(s, "z", 0, new=15)
        for n in range(15):
            _article(s, "z", n, NOW - timedelta(days=1 + n), NOW - timedelta(hours=100))
        _run(s, "z", 1, new=4)
        for n in range(15, 19):   # a redesign: no source line, no credits, the date still read
            _article(s, "z", n, NOW - timedelta(hours=n - 14), NOW - timedelta(hours=99),
                     source=None, authors=())
    state, rules, messages = health(db_url, "z")
    assert state == "unhealthy" and rules == {"coverage"}
    assert sorted(m.split(":")[0] for m in messages) == ["credits", "source"]


def test_a_site_never_crawled_is_unknown(db_url: str) -> None:
    assert health(db_url, "z")[0] == "unknown"


def test_the_health_table_of_a_site_file_sets_thresholds() -> None:
    base = {"key": "k", "name": "K", "start_urls": ["http://a.cn/"], "article_url_pattern": "x"}
    site = parse_site({**base, "health": {"stale_days": 30, "fault_streak": 5}})
    assert rules_for(site.health) == HealthRules(stale_days=30, fault_streak=5)
    with pytest.raises(SiteFileError, match=r"health\.stale_weeks: unknown threshold"):
        parse_site({**base, "health": {"stale_weeks": 3}})
    with pytest.raises(SiteFileError, match=r"health\.fault_streak: must be a number"):
        parse_site({**base, "health": {"fault_streak": "three"}})
    with pytest.raises(SiteFileError, match="alerts: must be a list of apprise URLs"):
        parse_site({**base, "alerts": "json://127.0.0.1/x"})


# ---------------------------------------------------------------- real crawls, a real receiver

class Receiver:
    """A webhook receiver on 127.0.0.1 that keeps every JSON body posted to it."""

    def __init__(self, port: int = 0) -> None:
        self.bodies: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # http.server's naming
                length = int(self.headers.get("Content-Length", 0))
                receiver.bodies.append(json.loads(self.rfile.read(length)))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class Column:
    """A news column whose template can change between crawls."""

    def __init__(self, server: FixtureServer) -> None:
        self.server = server
        self.items: list[tuple[int, datetime]] = []
        self.dated = True
        self.empty = False

    def publish(self, n: int, start: datetime | None = None) -> None:
        now = start or datetime.now(UTC)
        for i in range(n):
            post = 5000 + len(self.items)
            when = now - timedelta(days=n - 1 - i)
            self.items.insert(0, (post, when))
            dated = self.dated
            stamp = f"<div class='info'>发布时间：{when:%Y-%m-%d %H:%M}　来源：高新区报</div>" \
                if dated else "<div class='info'>来源：高新区报</div>"
            body = "".join(f"<p>{html.escape(f'第{post}号新闻第{k}段，园区企业持续推进项目建设。')}</p>"
                           for k in range(4))
            self.server.add(f"/news/content/post_{post}.html",
                            f"<html><head><title>园区新闻{post}</title></head><body>"
                            f"<h1>园区新闻{post}</h1>{stamp}<div id='zoom'>{body}"
                            f"<p>（记者 李明）</p></div></body></html>")
        self.render()

    def render(self) -> None:
        links = "" if self.empty else "".join(
            f"<li><a href='content/post_{p}.html'>园区新闻{p}</a>"
            + (f"<span>{w:%Y-%m-%d}</span>" if self.dated else "") + "</li>"
            for p, w in self.items)
        self.server.add("/news/index.html", f"<html><body><ul>{links}</ul></body></html>")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def alerts_to(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    port = _free_port()
    monkeypatch.setenv("ZONENEWS_ALERTS", f"json://127.0.0.1:{port}/hook")
    yield port


def check(db: str, sites: Path) -> tuple[int, dict[str, Any]]:
    """What `zonenews health col --format json` says: its exit status and its record."""
    proc = zonenews("health", "col", "--format", "json", db=db, sites=sites)
    (record,) = json.loads(proc.stdout)
    return proc.returncode, record


def state(db: str, sites: Path) -> str:
    site = load_catalog([sites]).sites["col"]
    return sites_health(open_database(db), {"col": rules_for(site.health)})["col"].state


@pytest.mark.slow
def test_a_redesign_that_loses_the_date_alerts_once_and_once_again_when_fixed(
        tmp_path: Path, server: FixtureServer, alerts_to: int) -> None:
    db = f"sqlite:///{tmp_path / 'z.db'}"
    sites = tmp_path / "sites"
    write_site(sites, "col", [server.url("/news/index.html")], r"/content/post_\d+\.html$",
               "obey_robots = false\ndelay = 0\n")
    column = Column(server)
    receiver = Receiver(alerts_to)
    try:
        column.publish(12)
        zonenews("crawl", "col", db=db, sites=sites, check=True)
        assert state(db, sites) == "healthy"
        column.dated = False
        column.publish(4)
        zonenews("crawl", "col", db=db, sites=sites, check=True)
        code, record = check(db, sites)
        assert code == 1 and record["state"] == "unhealthy"
        assert [r["rule"] for r in record["reasons"]] == ["coverage"]
        assert record["reasons"][0]["message"].startswith("published_at: 0% of the 4 newest")
        zonenews("crawl", "col", db=db, sites=sites, check=True)    # still broken: no new alert
        column.dated = True
        column.publish(4)
        zonenews("crawl", "col", db=db, sites=sites, check=True)
        assert state(db, sites) == "healthy"
        table = zonenews("sites", db=db, sites=sites, check=True).stdout
        assert "health" in table.splitlines()[0] and "healthy" in table
    finally:
        receiver.close()
    assert [b["title"] for b in receiver.bodies] == ["zonenews: col is unhealthy",
                                                     "zonenews: col is healthy again"]
    assert "published_at: 0% of the 4 newest articles" in receiver.bodies[0]["message"]


@pytest.mark.slow
def test_an_empty_column_then_a_run_of_500s_with_a_receiver_that_was_down(
        tmp_path: Path, server: FixtureServer, alerts_to: int) -> None:
    db = f"sqlite:///{tmp_path / 'z.db'}"
    sites = tmp_path / "sites"
    write_site(sites, "col", [server.url("/news/index.html")], r"/content/post_\d+\.html$",
               "obey_robots = false\ndelay = 0\n[health]\nfault_streak = 2\n")
    column = Column(server)
    column.publish(6)
    zonenews("crawl", "col", db=db, sites=sites, check=True)
    column.empty = True
    column.render()
    # An empty column fails its run (no article link); nobody listening for alerts costs nothing more.
    proc = zonenews("crawl", "col", db=db, sites=sites)
    assert proc.returncode == 1 and "not delivered" in proc.stderr
    code, record = check(db, sites)
    assert code == 1 and [r["rule"] for r in record["reasons"]] == ["list_broken"]
    # The receiver was down: the alert is tried again after the next run, and arrives once.
    receiver = Receiver(alerts_to)
    try:
        page = server.pages["/news/index.html"]
        server.add("/news/index.html", page.body, status=500)
        for _ in range(2):
            assert zonenews("crawl", "col", db=db, sites=sites).returncode == 1
        site = load_catalog([sites]).sites["col"]
        record = sites_health(open_database(db), {"col": rules_for(site.health)})["col"].as_dict()
        assert record["state"] == "unhealthy"
        assert "fault_streak" in {r["rule"] for r in record["reasons"]}
        assert any("the last 2 runs did not succeed (failed 2)" in r["message"]
                   for r in record["reasons"])
    finally:
        receiver.close()
    assert [b["title"] for b in receiver.bodies] == ["zonenews: col is unhealthy"]
