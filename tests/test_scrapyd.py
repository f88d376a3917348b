"""Crawls dispatched to two real Scrapyd nodes, one shared PostgreSQL.

Each node is a ``scrapyd`` process on a free loopback port with its own folder,
set up as the README tells a worker; a node is killed as a machine dies (the
daemon and its crawls at once, SIGKILL).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from pipelines.db import open_database
from pipelines.models import Article, CrawlRun
from scrapers.launchers import CrawlResult
from scrapers.launchers.scrapyd_nodes import ScrapydCrawls
from scrapers.sites import Site, load_catalog
from tests.conftest import ROOT, pg_schema, write_site, zonenews
from tests.scrapydnodes import Node, nodes
from tests.siteserver import FixtureServer
from tests.waiting import wait_until

pytest.importorskip("scrapyd", reason="scrapyd is not installed (pip install scrapyd)")

PASSWORD = "node-s3cret"


def add_zone(server: FixtureServer, folder: Path, key: str, articles: int,
             extra: str = "") -> None:
    """A column of ``articles`` articles on one list page, and its site file."""
    items = "".join(f'<li><a href="/{key}/content/post_{i}.html">{key}园区新闻第{i}条</a>'
                    f"<span>2024-02-{i % 28 + 1:02d}</span></li>" for i in range(articles))
    server.add(f"/{key}/index.html", f'<html><head><meta charset="utf-8"><title>{key}</title>'
               f'</head><body><ul class="list">{items}</ul></body></html>')
    for i in range(articles):
        server.add(f"/{key}/content/post_{i}.html",
                   f'<html><head><meta charset="utf-8"><meta name="ArticleTitle" '
                   f'content="{key}园区新闻第{i}条"><meta name="PubDate" '
                   f'content="2024-02-{i % 28 + 1:02d} 09:30"></head><body><div class="zw">'
                   f"<p>第{i}篇：{key}园区今年新增企业{20 + i}家，投资额同比增长三成。</p>"
                   f"<p>园区将继续优化营商环境，服务企业发展。</p></div></body></html>")
    write_site(folder, key, [server.url(f"/{key}/index.html")],
               rf"/{key}/content/post_\d+\.html$", extra)


def stored(db: str) -> list[tuple[str, str, int]]:
    with open_database(db)() as session:
        return [tuple(row) for row in session.execute(  # type: ignore[misc]
            select(Article.site, Article.url, Article.version))]


def runs(db: str) -> list[CrawlRun]:
    with open_database(db)() as session:
        return list(session.scalars(select(CrawlRun).order_by(CrawlRun.id)))




class Cluster:
    """Two nodes, their shared database and the sites they crawl, for the whole module: a node
    costs seconds to start and more to answer its first job. Each test crawls sites of its own."""

    def __init__(self, db: str, sites: Path, server: FixtureServer, nodes: list[Node]) -> None:
        self.db = db
        self.sites = sites
        self.server = server
        self.nodes = nodes

    def runs(self, *keys: str) -> list[CrawlRun]:
        return [r for r in runs(self.db) if r.site in keys]

    def stored(self, key: str) -> list[tuple[str, str, int]]:
        return [row for row in stored(self.db) if row[0] == key]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    folder = tmp_path_factory.mktemp("scrapyd")
    sites = folder / "sites"
    sites.mkdir()
    with pg_schema() as db, FixtureServer() as server, \
            nodes(folder, db, sites, username="zonenews", password=PASSWORD) as started:
        yield Cluster(db, sites, server, started)


def test_several_sites_go_to_both_nodes_and_every_article_is_stored_once(
        cluster: Cluster) -> None:
    keys = ["east", "west", "north", "south"]
    for key in keys:
        add_zone(cluster.server, cluster.sites, key, articles=6,
                 extra="delay = 0.2\nconcurrency = 1\n")
    a, b = cluster.nodes

    crawl = zonenews("crawl", *keys, "--scrapyd", a.address, "--scrapyd", b.address,
                     db=cluster.db, sites=cluster.sites)

    assert crawl.returncode == 0, crawl.stderr
    done = cluster.runs(*keys)
    assert sorted(r.site for r in done) == sorted(keys)
    assert {r.status for r in done} == {"succeeded"}
    assert {r.node for r in done} == {a.url, b.url}
    assert {r.job_id for r in done} == {f"{r.site}-{r.id}" for r in done}
    for node in cluster.nodes:
        assert sorted(node.jobs()["finished"]) == sorted(r.job_id for r in done
                                                         if r.node == node.url)
    for key in keys:
        articles = cluster.stored(key)
        assert len(articles) == len({url for _site, url, _v in articles}) == 6
        assert {version for *_rest, version in articles} == {1}
        assert cluster.server.article_hits(f"/{key}/content/") == 6
    listed = json.loads(zonenews("runs", "--format", "json", db=cluster.db, check=True).stdout)
    assert {(r["site"], r["node"], r["job_id"]) for r in listed} == {
        (r.site, r.node, r.job_id) for r in done}
    table = zonenews("runs", db=cluster.db, check=True).stdout
    assert "node" in table.splitlines()[0] and a.url in table and b.url in table
    # The node's password reaches neither the run table, the output, nor the nodes' logs; the
    # database URL travels in the nodes' environment, not in a job's arguments.
    everything = crawl.stdout + crawl.stderr + json.dumps(listed) + table
    assert PASSWORD not in everything
    for node in cluster.nodes:
        logs = node.logs()
        assert "Process started" in logs
        assert PASSWORD not in logs and cluster.db not in logs and "search_path" not in logs


def test_the_same_site_asked_for_twice_at_once_is_crawled_once(cluster: Cluster) -> None:
    add_zone(cluster.server, cluster.sites, "twice", 10, extra="delay = 0.2\nconcurrency = 1\n")
    addresses = [arg for node in cluster.nodes for arg in ("--scrapyd", node.address)]
    cmd = [sys.executable, "-m", "cli", "crawl", "twice", *addresses, "--db", cluster.db,
           "--sites", str(cluster.sites)]
    both = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True) for _ in range(2)]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in both]

    assert sorted(code for code, _err in outcomes) == [0, 1], outcomes
    refused = next(err for code, err in outcomes if code == 1)
    assert "zonenews: twice: already being crawled by run" in refused
    (run,) = cluster.runs("twice")
    assert run.status == "succeeded"
    jobs = [job for node in cluster.nodes for state in node.jobs().values() for job in state
            if job.startswith("twice-")]
    assert jobs == [run.job_id]
    assert cluster.server.article_hits("/twice/content/") == 10
    assert len(cluster.stored("twice")) == 10


def test_the_scheduler_sends_its_due_crawls_to_the_nodes_and_stops_on_sigterm(
        cluster: Cluster) -> None:
    add_zone(cluster.server, cluster.sites, "periodic", 4,
             extra='[schedule]\ninterval = "1s"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("ZONENEWS_DB", "ZONENEWS_SITES")}
    env["ZONENEWS_SCRAPYD"] = " ".join(node.address for node in cluster.nodes)
    # Only this test's site is scheduled: the built-in ones are overridden to stay off the
    # network.
    only = cluster.sites.parent / "periodic-only"
    only.mkdir()
    (only / "periodic.toml").write_bytes((cluster.sites / "periodic.toml").read_bytes())
    for key in load_catalog().sites:
        write_site(only, key, [cluster.server.url("/periodic/index.html")], "never-matches")
    proc = subprocess.Popen([sys.executable, "scheduler.py", "--db", cluster.db, "--sites",
                             str(only)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    reached = wait_until(lambda: sum(r.status == "succeeded"
                                     for r in cluster.runs("periodic")) >= 2, 90)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=60)

    assert reached, err
    assert proc.returncode == 0, err
    done = cluster.runs("periodic")
    assert {r.trigger for r in done} == {"schedule"}
    assert {r.node for r in done} <= {node.url for node in cluster.nodes}
    assert not [r for r in done if r.status == "running"]
    assert "periodic: crawl sent to http://127.0.0.1:" in err
    assert PASSWORD not in err
    assert len(cluster.stored("periodic")) == 4


def crawl_in_thread(crawls: ScrapydCrawls, site: Site) -> tuple[threading.Thread, list[CrawlResult]]:
    results: list[CrawlResult] = []
    thread = threading.Thread(target=lambda: results.append(crawls.run(site)), daemon=True)
    thread.start()
    return thread, results


def test_a_node_killed_mid_crawl_fails_its_run_and_the_next_dispatch_completes_the_site(
        cluster: Cluster, caplog: pytest.LogCaptureFixture) -> None:
    # Last in this module: it kills one of the nodes.
    articles = 24
    add_zone(cluster.server, cluster.sites, "slow", articles,
             extra="delay = 0.25\nconcurrency = 1\n")
    site = load_catalog([cluster.sites]).get("slow")
    crawls = ScrapydCrawls(cluster.db, [n.address for n in cluster.nodes], poll=0.2,
                           lost_after=1.0)
    thread, results = crawl_in_thread(crawls, site)
    assert wait_until(lambda: len(cluster.stored("slow")) >= 3, 60)
    (first,) = cluster.runs("slow")
    victim = next(n for n in cluster.nodes if n.url == first.node)

    victim.kill()
    thread.join(timeout=30)

    assert not thread.is_alive()
    (killed,) = results
    assert killed.status == "failed" and killed.node == victim.url
    assert f"Scrapyd node {victim.url} stopped answering" in str(killed.message)
    assert 0 < len(cluster.stored("slow")) < articles
    assert any(f"Scrapyd node {victim.url} is down" in r.getMessage() for r in caplog.records)

    again = crawls.run(site)

    assert again.status == "succeeded", again.message
    assert again.node != victim.url
    assert [(r.status, r.node) for r in cluster.runs("slow")] == [
        ("failed", victim.url), ("succeeded", again.node)]
    urls = cluster.stored("slow")
    assert len(urls) == len({url for _site, url, _v in urls}) == articles
    assert {version for *_rest, version in urls} == {1}
    assert again.figures.articles_new == articles - killed.figures.articles_new
