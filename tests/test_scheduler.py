"""The scheduler: when each site is crawled, that a crawl runs in a child process within its
time limit and never twice at once, and that the scheduler stops cleanly or fails loudly."""

from __future__ import annotations

import itertools
import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text

import cli
from pipelines.db import open_database
from pipelines.models import Article, CrawlRun
from pipelines.runs import start_run
from scheduler import (
    build_scheduler,
    describe_schedule,
    next_run_time,
)
from scrapers.launchers.local import ChildCrawls
from scrapers.sites import Site, load_catalog, load_site_file, parse_site
from tests.waiting import wait_until

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2024, 3, 1, 12, 10, tzinfo=UTC)
ARTICLES = 6


# ---------------------------------------------------------------- a zone on 127.0.0.1

class Zone:
    """A Guangdong-cluster column on one list page; article pages may answer slowly."""

    def __init__(self, articles: int = ARTICLES, article_delay: float = 0.0) -> None:
        self.articles = articles
        self.article_delay = article_delay
        self.hits: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def list_url(self) -> str:
        return f"{self.base}/gxxw/gxdt/index.html"

    def article_hits(self) -> Counter[str]:
        with self._lock:
            return Counter({p: n for p, n in self.hits.items() if "/content/" in p})

    def page(self, path: str) -> str | None:
        if path == "/gxxw/gxdt/index.html":
            items = "".join(f'<li><a href="content/post_{1000001 + i}.html" title="高新区新闻{i}">'
                            f"高新区新闻{i}</a><span>2024-01-{i % 28 + 1:02d}</span></li>"
                            for i in range(self.articles))
            return (f'<html><head><meta charset="utf-8"><title>高新动态</title></head>'
                    f'<body><div class="list"><ul>{items}</ul></div></body></html>')
        prefix = "/gxxw/gxdt/content/post_"
        if path.startswith(prefix) and path.endswith(".html"):
            i = int(path[len(prefix):-len(".html")]) - 1000001
            if not 0 <= i < self.articles:
                return None
            if self.article_delay:
                time.sleep(self.article_delay)
            return (f'<html><head><meta charset="utf-8">'
                    f'<meta name="ArticleTitle" content="高新区新闻{i}">'
                    f'<meta name="PubDate" content="2024-01-{i % 28 + 1:02d} 10:00">'
                    f'<meta name="ContentSource" content="本网"></head><body>'
                    f'<div class="zw"><p>第{i}篇：高新区企业今年新增专利{100 + i}件，'
                    f"研发投入同比增长两成。</p><p>园区将继续完善孵化服务，"
                    f"支持科技企业成长。</p></div></body></html>")
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        zone = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with zone._lock:
                    zone.hits[self.path] += 1
                body = zone.page(self.path)
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        return Handler

    def __enter__(self) -> Zone:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def zone() -> Iterator[Zone]:
    with Zone() as z:
        yield z


@pytest.fixture
def slow_zone() -> Iterator[Zone]:
    # More articles than Scrapy keeps in flight, so that a stopped crawl leaves some unfetched.
    with Zone(articles=60, article_delay=0.1) as z:
        yield z


@pytest.fixture
def db(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'zonenews.db'}"


def write_sites(folder: Path, zone: Zone, schedule: str = 'interval = "2s"',
                extra: str = "") -> Path:
    """The test site ``demo``, with every built-in site overridden to stay off the network."""
    folder.mkdir(parents=True, exist_ok=True)
    for key in load_catalog().sites:
        (folder / f"{key}.toml").write_text(
            f'key = "{key}"\nname = "unscheduled"\nstart_urls = ["{zone.list_url()}"]\n'
            f"article_url_pattern = 'never-matches'\n", "utf-8")
    (folder / "demo.toml").write_text(
        f'key = "demo"\nname = "Demo High-tech Zone"\nstart_urls = ["{zone.list_url()}"]\n'
        "article_url_pattern = '/content/post_\\d+\\.html$'\n"
        f"delay = 0\nobey_robots = false\nconcurrency = 1\n{extra}\n[schedule]\n{schedule}\n",
        "utf-8")
    return folder


def demo_site(folder: Path) -> Site:
    return load_site_file(folder / "demo.toml")


def runs(db: str) -> list[CrawlRun]:
    with open_database(db)() as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))


def stored_urls(db: str) -> list[str]:
    with open_database(db)() as session:
        return list(session.scalars(select(Article.url)))




def site_with(schedule: dict[str, Any] | None, timezone: str = "Asia/Shanghai",
              key: str = "demo") -> Site:
    data: dict[str, Any] = {"key": key, "name": "Demo", "timezone": timezone,
                            "start_urls": ["http://127.0.0.1:9/index.html"],
                            "article_url_pattern": r"/content/post_\d+\.html$"}
    if schedule is not None:
        data["schedule"] = schedule
    return parse_site(data)


# ---------------------------------------------------------------- what `zonenews sites` shows

@pytest.mark.parametrize("schedule, timezone, shown", [
    (None, "Asia/Shanghai", "manual only"),
    ({"interval": "30s"}, "Asia/Shanghai", "every 30s"),
    ({"interval": "15m"}, "Asia/Shanghai", "every 15m"),
    ({"interval": "6h"}, "Asia/Shanghai", "every 6h"),
    ({"interval": "1d"}, "Asia/Shanghai", "every 1d"),
    ({"interval": "90m"}, "Asia/Shanghai", "every 90m"),
    ({"interval": "36h"}, "Asia/Shanghai", "every 36h"),
    ({"interval": 2.5}, "Asia/Shanghai", "every 2.5s"),
    ({"cron": "*/30 * * * *"}, "Asia/Shanghai", "cron */30 * * * * (Asia/Shanghai)"),
    ({"cron": "0 3 * * 1-5"}, "Europe/Berlin", "cron 0 3 * * 1-5 (Europe/Berlin)"),
    ({"interval": "6h", "enabled": False}, "Asia/Shanghai", "disabled"),
    ({"cron": "0 3 * * *", "enabled": False}, "Asia/Shanghai", "disabled"),
])
def test_a_schedule_is_described_as_its_site_file_says_it(
        schedule: dict[str, Any] | None, timezone: str, shown: str) -> None:
    assert describe_schedule(site_with(schedule, timezone)) == shown


# ---------------------------------------------------------------- when a site runs next

H = timedelta(hours=1)


@pytest.mark.parametrize("schedule, timezone, last_finished, expected", [
    # never crawled: due now
    ({"interval": "6h"}, "Asia/Shanghai", None, NOW),
    ({"cron": "0 3 * * *"}, "Asia/Shanghai", None, NOW),
    # an interval counts from the end of the last run
    ({"interval": "6h"}, "Asia/Shanghai", NOW - 1 * H, NOW + 5 * H),
    ({"interval": "30s"}, "Asia/Shanghai", NOW - timedelta(seconds=10),
     NOW + timedelta(seconds=20)),
    # a run older than its interval is caught up now, once, however many slots were missed
    ({"interval": "6h"}, "Asia/Shanghai", NOW - 6 * H, NOW),
    ({"interval": "6h"}, "Asia/Shanghai", NOW - 72 * H, NOW),
    # cron slots are in the site's own timezone: 03:00 in Shanghai is 19:00 UTC the day before
    ({"cron": "0 3 * * *"}, "Asia/Shanghai", datetime(2024, 2, 29, 19, 5, tzinfo=UTC),
     datetime(2024, 3, 1, 19, 0, tzinfo=UTC)),
    ({"cron": "0 3 * * *"}, "UTC", datetime(2024, 3, 1, 3, 5, tzinfo=UTC),
     datetime(2024, 3, 2, 3, 0, tzinfo=UTC)),
    ({"cron": "*/30 * * * *"}, "Asia/Shanghai", NOW - timedelta(minutes=5),
     datetime(2024, 3, 1, 12, 30, tzinfo=UTC)),
    # a missed cron slot is caught up now, once
    ({"cron": "0 3 * * *"}, "Asia/Shanghai", NOW - 50 * H, NOW),
    ({"cron": "*/30 * * * *"}, "Asia/Shanghai", NOW - 35 * timedelta(minutes=1), NOW),
    # no schedule, or a disabled one: never by itself
    (None, "Asia/Shanghai", None, None),
    ({"interval": "6h", "enabled": False}, "Asia/Shanghai", NOW - 72 * H, None),
])
def test_the_next_run_follows_the_schedule_and_catches_up_once(
        schedule: dict[str, Any] | None, timezone: str, last_finished: datetime | None,
        expected: datetime | None) -> None:
    assert next_run_time(site_with(schedule, timezone), last_finished, NOW) == expected


def add_run(db: str, site: str, finished: datetime, status: str = "succeeded") -> None:
    with open_database(db).begin() as session:
        session.add(CrawlRun(site=site, trigger="schedule", status=status,
                             started_at=finished - timedelta(minutes=1), finished_at=finished,
                             heartbeat_at=finished, pid=1, hostname="elsewhere", details={}))


def test_jobs_are_the_scheduled_sites_and_their_first_runs_come_from_the_run_table(
        db: str) -> None:
    sites = [site_with({"interval": "1h"}, key="fresh"),
             site_with({"interval": "1h"}, key="stale"),
             site_with({"interval": "1h"}, key="failing"),
             site_with({"interval": "1h"}, key="killed"),
             site_with({"interval": "1h"}, key="slow"),
             site_with({"cron": "0 3 * * *"}, key="nightly-killed"),
             site_with({"interval": "1h"}, key="new"),
             site_with({"cron": "0 3 * * *"}, key="nightly"),
             site_with(None, key="manual"),
             site_with({"interval": "1h", "enabled": False}, key="off")]
    add_run(db, "fresh", NOW - timedelta(minutes=10))
    add_run(db, "stale", NOW - 30 * H)
    add_run(db, "stale", NOW - 50 * H)
    add_run(db, "failing", NOW - timedelta(minutes=20), status="failed")
    add_run(db, "killed", NOW - timedelta(minutes=30))
    add_run(db, "killed", NOW - timedelta(minutes=20), status="interrupted")
    add_run(db, "slow", NOW - timedelta(minutes=5), status="timeout")
    add_run(db, "nightly-killed", datetime(2024, 2, 29, 19, 5, tzinfo=UTC), status="interrupted")
    add_run(db, "nightly", datetime(2024, 2, 29, 19, 5, tzinfo=UTC))

    scheduler = build_scheduler(sites, ChildCrawls(db), now=NOW)
    jobs = {job.id: job for job in scheduler.get_jobs()}

    assert {key: job.next_run_time for key, job in jobs.items()} == {
        "fresh": NOW + timedelta(minutes=50),
        "stale": NOW,
        # a last run that did not finish is caught up at once, whatever the schedule says
        "failing": NOW,
        "killed": NOW,
        "slow": NOW,
        "nightly-killed": NOW,
        "new": NOW,
        "nightly": datetime(2024, 3, 1, 19, 0, tzinfo=UTC),
    }
    # after the catch-up run, the interval goes on from it: missed slots are not replayed
    assert jobs["stale"].trigger.get_next_fire_time(NOW, NOW) == NOW + H
    assert not scheduler.running


def test_the_started_scheduler_coalesces_runs_one_at_a_time_with_a_generous_grace(
        db: str) -> None:
    sites = [site_with({"interval": "1h"}, key="a"), site_with({"cron": "0 3 * * *"}, key="b")]
    scheduler = build_scheduler(sites, ChildCrawls(db), now=NOW + 1000 * H)
    thread = threading.Thread(target=scheduler.start, kwargs={"paused": True}, daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: bool(scheduler.running), 5)
        jobs = scheduler.get_jobs()
        assert sorted(job.id for job in jobs) == ["a", "b"]
        for job in jobs:
            assert job.coalesce is True
            assert job.max_instances == 1
            assert job.misfire_grace_time >= 3600
        assert str(scheduler.timezone) == "UTC"
    finally:
        scheduler.shutdown(wait=False)
        thread.join(5)


# ---------------------------------------------------------------- one crawl, a real child process

def test_a_scheduled_crawl_runs_in_a_child_process_and_is_recorded(
        zone: Zone, db: str, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    folder = write_sites(tmp_path / "sites", zone)
    caplog.set_level(logging.INFO, logger="scheduler")

    result = ChildCrawls(db, [folder]).run(demo_site(folder))

    assert (result.status, result.figures.articles_new) == ("succeeded", ARTICLES)
    (run,) = runs(db)
    assert (run.id, run.site, run.trigger, run.status) == (result.run_id, "demo", "schedule",
                                                           "succeeded")
    assert run.pid != os.getpid()
    assert len(set(stored_urls(db))) == ARTICLES
    lines = [r.getMessage() for r in caplog.records if r.name == "scheduler"]
    assert [m for m in lines if "crawl started" in m] == [
        f"demo: crawl started (pid {run.pid}, time limit 121m)"]
    assert [m for m in lines if m.startswith("demo: run ")] == [
        f"demo: run {run.id} succeeded after {result.seconds:.1f}s: {run.pages_fetched} pages, "
        f"{ARTICLES} new, 0 updated, 0 unchanged, 0 errors"]


def test_zonenews_sites_shows_the_schedule_the_next_and_last_run_and_the_articles(
        zone: Zone, db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = write_sites(tmp_path / "sites", zone, schedule='interval = "6h"')
    ChildCrawls(db, [folder]).run(demo_site(folder))
    (run,) = runs(db)
    assert run.finished_at is not None

    assert cli.main(["sites", "--format", "json", "--db", db, "--sites", str(folder)]) == 0
    (shown,) = [s for s in json.loads(capsys.readouterr().out) if s["key"] == "demo"]

    assert shown["schedule"] == "every 6h"
    assert shown["last_run_status"] == "succeeded"
    assert shown["articles"] == ARTICLES
    assert datetime.fromisoformat(shown["next_run_at"]) == run.finished_at + 6 * H


@pytest.fixture
def holder() -> Iterator[subprocess.Popen[bytes]]:
    """Another live process: the one that holds the site's crawl lock."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc
    proc.kill()
    proc.wait()


def test_a_site_being_crawled_by_another_process_is_refused_with_the_reason(
        zone: Zone, db: str, tmp_path: Path, holder: subprocess.Popen[bytes],
        caplog: pytest.LogCaptureFixture) -> None:
    folder = write_sites(tmp_path / "sites", zone)
    held = start_run(open_database(db), "demo", "manual", pid=holder.pid)
    caplog.set_level(logging.INFO, logger="scheduler")

    result = ChildCrawls(db, [folder]).run(demo_site(folder))

    assert (result.status, result.run_id) == ("refused", held)
    assert f"already being crawled by run {held} (pid {holder.pid}" in str(result.message)
    assert [(r.id, r.status) for r in runs(db)] == [(held, "running")]
    assert not zone.hits
    assert any(r.getMessage() == f"demo: not started: {result.message}" for r in caplog.records)


def test_once_the_scheduler_is_stopping_no_crawl_starts(zone: Zone, db: str,
                                                        tmp_path: Path) -> None:
    folder = write_sites(tmp_path / "sites", zone)
    crawls = ChildCrawls(db, [folder])
    crawls.close()

    result = crawls.run(demo_site(folder))

    assert (result.status, result.run_id) == ("skipped", None)
    assert runs(db) == []
    assert not zone.hits


# ---------------------------------------------------------------- time limits

@pytest.mark.parametrize("margin", [
    pytest.param(30.0, id="the-crawl-stops-itself"),
    pytest.param(0.0, id="the-scheduler-stops-it"),
])
def test_a_crawl_past_its_time_limit_stops_keeps_what_it_stored_and_is_a_timeout(
        db: str, tmp_path: Path, margin: float) -> None:
    # Pages slow enough that four at a time cannot all come in before the limit, and a limit
    # long enough for a child process to start, read the list and store some of them.
    with Zone(articles=60, article_delay=0.5) as zone:
        folder = write_sites(tmp_path / "sites", zone, extra='timeout = "4s"')
        result = ChildCrawls(db, [folder], margin=margin, grace=15.0).run(demo_site(folder))

    (run,) = runs(db)
    assert (result.status, run.status) == ("timeout", "timeout")
    assert run.finished_at is not None
    stored = stored_urls(db)
    assert 0 < len(stored) < zone.articles
    assert run.articles_new == len(stored)


FAKE_CRAWL = """
import signal, sys, time
from pipelines.db import open_database
from pipelines.runs import start_run
signal.signal(signal.SIGTERM, signal.SIG_IGN)
start_run(open_database(), sys.argv[1], "schedule")
time.sleep(60)
"""


class DeafCrawls(ChildCrawls):
    """A crawl that takes its lock and then ignores SIGTERM."""

    def command(self, site: Site) -> list[str]:
        return [sys.executable, "-c", FAKE_CRAWL, site.key]


def test_a_crawl_deaf_to_sigterm_is_killed_after_the_grace_and_recorded_as_timeout(
        zone: Zone, db: str, tmp_path: Path) -> None:
    folder = write_sites(tmp_path / "sites", zone, extra='timeout = "2s"')

    result = DeafCrawls(db, [folder], margin=0.0, grace=1.0).run(demo_site(folder))

    (run,) = runs(db)
    assert (result.status, run.status) == ("timeout", "timeout")
    assert "stopped by the scheduler at its time limit" in str(run.message)
    assert run.pid is not None and not pid_alive(run.pid)
    assert 3.0 <= result.seconds < 6.0


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


# ---------------------------------------------------------------- the scheduler process

def start_scheduler(db: str, folder: Path, *entry: str,
                    log_file: Path | None = None) -> subprocess.Popen[str]:
    """``python scheduler.py`` (or another entry point), as a supervisor would start it."""
    cmd = [sys.executable, *(entry or ("scheduler.py",)), "--db", db, "--sites", str(folder)]
    if log_file:
        cmd += ["--log-file", str(log_file)]
    env = {k: v for k, v in os.environ.items() if k not in ("ZONENEWS_DB", "ZONENEWS_SITES")}
    return subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def stop_within(proc: subprocess.Popen[str], sig: int, seconds: float) -> tuple[int, str]:
    """Send ``sig``; the exit status and stderr, failing if the process outlives ``seconds``."""
    proc.send_signal(sig)
    try:
        _out, err = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        _out, err = proc.communicate()
        pytest.fail(f"still running {seconds}s after {signal.Signals(sig).name}:\n{err}")
    return proc.returncode, err


def succeeded(db: str) -> int:
    return sum(r.status == "succeeded" for r in runs(db))


def test_the_scheduler_runs_a_site_on_its_interval_one_run_at_a_time_until_sigterm(
        zone: Zone, db: str, tmp_path: Path) -> None:
    folder = write_sites(tmp_path / "sites", zone, schedule='interval = "1s"')
    log_file = tmp_path / "scheduler.log"
    proc = start_scheduler(db, folder, log_file=log_file)
    reached = wait_until(lambda: succeeded(db) >= 3, 20, step=0.25)

    status, err = stop_within(proc, signal.SIGTERM, 15)

    assert reached, err
    assert status == 0, err
    done = runs(db)
    assert {(r.site, r.trigger) for r in done} == {("demo", "schedule")}
    assert not [r for r in done if r.status == "running"]
    assert sum(r.status == "succeeded" for r in done) >= 3
    for earlier, later in itertools.pairwise(done):
        assert earlier.finished_at is not None and earlier.finished_at <= later.started_at
    urls = stored_urls(db)
    assert len(urls) == len(set(urls)) == ARTICLES
    assert set(zone.article_hits().values()) == {1}
    log = log_file.read_text("utf-8")
    assert log.count("demo: crawl started") == len(done)
    assert log.count("demo: run ") == len(done)


def test_a_signal_during_a_crawl_stops_it_cleanly_and_the_scheduler_exits_0(
        slow_zone: Zone, db: str, tmp_path: Path) -> None:
    folder = write_sites(tmp_path / "sites", slow_zone, schedule='interval = "1h"')
    proc = start_scheduler(db, folder, "-m", "cli", "schedule")
    assert wait_until(lambda: len(stored_urls(db)) > 0, 20)

    status, err = stop_within(proc, signal.SIGINT, 15)

    assert status == 0, err
    (run,) = runs(db)
    assert run.status == "interrupted"
    assert run.articles_new == len(stored_urls(db)) > 0


def test_runs_left_running_by_a_dead_process_are_marked_interrupted_when_it_starts(
        zone: Zone, db: str, tmp_path: Path) -> None:
    folder = write_sites(tmp_path / "sites", zone, schedule='interval = "1h"')
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = start_run(open_database(db), "elsewhere", "manual", pid=int(gone.stdout))
    proc = start_scheduler(db, folder)
    reaped = wait_until(lambda: runs(db)[0].status != "running", 15)

    status, err = stop_within(proc, signal.SIGTERM, 15)

    assert reaped, err
    assert (runs(db)[0].id, runs(db)[0].status) == (dead, "interrupted")
    assert status == 0, err


def test_a_database_failure_ends_the_scheduler_with_a_non_zero_status(
        zone: Zone, db: str, tmp_path: Path) -> None:
    folder = write_sites(tmp_path / "sites", zone, schedule='interval = "2s"')
    proc = start_scheduler(db, folder)
    assert wait_until(lambda: succeeded(db) >= 1, 20)
    with open_database(db).begin() as session:
        session.execute(text("DROP TABLE crawl_runs"))

    try:
        _out, err = proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail("the scheduler went on after its database failed")

    assert proc.returncode == 1, err
    assert "the scheduler itself failed" in err


def test_the_scheduler_refuses_to_start_on_a_database_it_cannot_open(
        zone: Zone, tmp_path: Path) -> None:
    folder = write_sites(tmp_path / "sites", zone)
    proc = start_scheduler(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}", folder)
    _out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert "database" in err



def test_a_scheduler_killed_mid_crawl_catches_up_within_seconds_of_its_restart(
        db: str, tmp_path: Path) -> None:
    """kill -9 of the scheduler and its crawl (a power cut, a supervisor killing the unit):
    the restarted scheduler crawls the site at once, not an hour after the last heartbeat."""
    with Zone(articles=16, article_delay=0.15) as zone:
        catch_up_after_kill(zone, db, tmp_path)


def catch_up_after_kill(slow_zone: Zone, db: str, tmp_path: Path) -> None:
    folder = write_sites(tmp_path / "sites", slow_zone, schedule='interval = "1h"')
    proc = start_scheduler(db, folder)
    assert wait_until(lambda: len(stored_urls(db)) > 0, 30)
    (run,) = runs(db)
    assert run.status == "running" and run.pid is not None
    proc.kill()
    proc.communicate()
    os.kill(run.pid, signal.SIGKILL)
    assert wait_until(lambda: not pid_alive(run.pid), 10)
    stored = len(stored_urls(db))

    restarted = time.monotonic()
    proc = start_scheduler(db, folder)
    caught_up = wait_until(lambda: len(runs(db)) == 2, 30)
    started_within = time.monotonic() - restarted
    finished = wait_until(lambda: runs(db)[-1].status != "running", 60)
    status, err = stop_within(proc, signal.SIGTERM, 15)

    assert caught_up and finished, err
    assert started_within < 20, started_within   # a new process's start-up, on a loaded machine
    assert status == 0, err
    killed, catch_up = runs(db)
    assert (killed.status, catch_up.status) == ("interrupted", "succeeded")
    assert killed.articles_new == stored
    urls = stored_urls(db)
    assert len(urls) == len(set(urls)) == slow_zone.articles
    assert catch_up.articles_new == slow_zone.articles - stored
