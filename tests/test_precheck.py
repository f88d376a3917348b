"""The look before a crawl: a site whose start pages link only to stored articles is finished
without starting the crawler; a new link, an error, a redirect or a robots.txt that says no
sends the site to its crawl, which then decides as it always has."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from pipelines.crawlstore import CrawlStore
from pipelines.db import open_database
from pipelines.runs import mark_run, start_run
from scrapers import settings
from scrapers.precheck import check_start_pages
from scrapers.sites import Site, load_catalog
from tests.conftest import write_site, zonenews
from tests.faultserver import (
    FaultServer,
    Reply,
    failing,
    oversized,
    page,
    redirect,
    reset,
    stalled,
)
from tests.gdsite import TWINS, GdColumn

PATTERN = r"/content/m?post_\d{7,8}\.html$"
START = "/gxxw/gxdt/index.html"
ROBOTS = "User-agent: *\nDisallow: /private/\n"


def make_site(folder: Path, server: FaultServer) -> Path:
    server.add("/robots.txt", ROBOTS, "text/plain")
    write_site(folder, "gd-test", [server.url(START)], PATTERN, TWINS + "delay = 0\n")
    return folder


def runs(db: str) -> list[dict[str, object]]:
    return list(json.loads(zonenews("runs", "--format", "json", db=db, check=True).stdout))


@pytest.fixture
def faults() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


@pytest.fixture
def column(faults: FaultServer) -> GdColumn:
    col = GdColumn(faults, per_page=12)
    col.publish(36)
    return col


def test_an_unchanged_site_is_finished_from_its_start_page_alone(
        column: GdColumn, faults: FaultServer, tmp_path: Path, db_url: str) -> None:
    sites = make_site(tmp_path / "sites", faults)
    zonenews("crawl", "gd-test", db=db_url, sites=sites, check=True)
    faults.reset_hits()

    proc = zonenews("crawl", "gd-test", db=db_url, sites=sites)

    assert proc.returncode == 0, proc.stderr
    assert dict(faults.hits) == {"/robots.txt": 1, START: 1}
    last = runs(db_url)[0]
    assert last["status"] == "succeeded"
    assert (last["pages_fetched"], last["articles_new"], last["errors"]) == (1, 0, 0)
    assert last["details"]["lists"] == {"checked_before_crawl": 1,  # type: ignore[index]
                                        "stopped_nothing_new": 1}
    assert "succeeded" in proc.stdout


def test_new_articles_are_crawled_and_the_start_page_is_fetched_once(
        column: GdColumn, faults: FaultServer, tmp_path: Path, db_url: str) -> None:
    sites = make_site(tmp_path / "sites", faults)
    zonenews("crawl", "gd-test", db=db_url, sites=sites, check=True)
    new = column.publish(3)
    faults.reset_hits()

    proc = zonenews("crawl", "gd-test", db=db_url, sites=sites)

    assert proc.returncode == 0, proc.stderr
    assert {p for p in faults.hits if "/content/" in p} == {a.path for a in new}
    assert faults.hits[START] == 1
    last = runs(db_url)[0]
    assert (last["status"], last["articles_new"]) == ("succeeded", 3)
    assert "checked_before_crawl" not in last["details"].get("lists", {})  # type: ignore[attr-defined]


def test_a_robots_txt_that_breaks_after_a_good_crawl_still_fails_the_next_one_with_the_reason(
        column: GdColumn, faults: FaultServer, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'z.db'}"
    sites = make_site(tmp_path / "sites", faults)
    zonenews("crawl", "gd-test", db=db, sites=sites, check=True)
    faults.route("/robots.txt", failing(503))

    proc = zonenews("crawl", "gd-test", db=db, sites=sites)

    assert proc.returncode == 1
    last = runs(db)[0]
    assert last["status"] == "failed"
    assert "robots.txt" in str(last["message"])


def test_after_a_crawl_that_stopped_short_nothing_is_fetched_before_the_crawl(
        column: GdColumn, faults: FaultServer, tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'z.db'}"
    sites = make_site(tmp_path / "sites", faults)
    zonenews("crawl", "gd-test", db=db, sites=sites, check=True)
    sessions = open_database(db)
    mark_run(sessions, start_run(sessions, "gd-test", "manual"), "interrupted", "killed",
             replacing=("running",))
    faults.reset_hits()

    verdict = check_start_pages(load_catalog([sites]).get("gd-test"), CrawlStore(sessions))

    assert not verdict.nothing_new and "did not finish" in verdict.reason
    assert not faults.hits


def test_a_site_never_crawled_is_not_looked_at_first(
        column: GdColumn, faults: FaultServer, tmp_path: Path) -> None:
    sites = make_site(tmp_path / "sites", faults)
    verdict = check_start_pages(load_catalog([sites]).get("gd-test"),
                                CrawlStore.at(f"sqlite:///{tmp_path / 'z.db'}"))
    assert not verdict.nothing_new and verdict.reason == "no earlier crawl"
    assert not faults.hits


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that no authority signed, as many zone sites have."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "zone.example")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


def test_a_site_on_https_with_a_self_signed_certificate_is_checked_like_any_other(
        tmp_path: Path) -> None:
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(*self_signed(tmp_path))
    with FaultServer() as faults:
        faults.httpd.socket = tls.wrap_socket(faults.httpd.socket, server_side=True)
        faults.base = faults.base.replace("http://", "https://")
        GdColumn(faults, per_page=12).publish(12)
        sites = make_site(tmp_path / "sites", faults)
        db = f"sqlite:///{tmp_path / 'z.db'}"
        zonenews("crawl", "gd-test", db=db, sites=sites, check=True)
        faults.reset_hits()

        verdict = check_start_pages(load_catalog([sites]).get("gd-test"), CrawlStore.at(db))

    assert verdict.nothing_new, verdict.reason
    assert dict(faults.hits) == {"/robots.txt": 1, START: 1}


# ---------------------------------------------------------------- answers the crawl must see

@dataclass
class Crawled:
    faults: FaultServer
    site: Site
    store: CrawlStore


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    tmp = tmp_path_factory.mktemp("precheck")
    with FaultServer() as faults:
        GdColumn(faults, per_page=12).publish(24)
        sites = make_site(tmp / "sites", faults)
        db = f"sqlite:///{tmp / 'z.db'}"
        zonenews("crawl", "gd-test", db=db, sites=sites, check=True)
        yield Crawled(faults, load_catalog([sites]).get("gd-test"), CrawlStore.at(db))


GZIPPED = gzip.compress(b"<html><body><a href='/gxxw/gxdt/content/post_1234567.html'>x</a>")
UNFIT: list[tuple[str, str, Reply, str]] = [
    # what happened, where, the answer, what the verdict says
    ("robots.txt answers 503", "/robots.txt", failing(503), "robots.txt of"),
    ("robots.txt redirects", "/robots.txt", redirect("{base}/elsewhere.txt"), "HTTP 302"),
    ("robots.txt forbids the column", "/robots.txt",
     page("User-agent: *\nDisallow: /gxxw/\n", "text/plain"), "forbidden by robots.txt"),
    ("the start page moved", START, redirect("{base}/gxxw/new/index.html", 301), "HTTP 301"),
    ("the start page fails", START, failing(500), "HTTP 500"),
    ("the start page is gone", START, failing(404), "HTTP 404"),
    ("the connection is reset", START, reset(), START),
    ("the server says nothing", START, stalled(10), "timed out"),
    ("the start page is empty", START, page(""), "empty page"),
    ("an image instead of a page", START, page(b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
     "not html"),
    ("gzip that was not asked for", START, page(GZIPPED, headers={"Content-Encoding": "gzip"}),
     "gzip"),
    ("a page past the size limit", START, oversized(settings.DOWNLOAD_MAXSIZE + 1024), "larger"),
]


@pytest.mark.parametrize("what, path, reply, reason", UNFIT, ids=[u[0] for u in UNFIT])
def test_an_answer_out_of_the_ordinary_sends_the_site_to_its_crawl(
        crawled: Crawled, monkeypatch: pytest.MonkeyPatch,
        what: str, path: str, reply: Reply, reason: str) -> None:
    monkeypatch.setattr(settings, "DOWNLOAD_TIMEOUT", 1.0)
    assert check_start_pages(crawled.site, crawled.store).nothing_new  # healthy first
    crawled.faults.route(path, reply)
    try:
        verdict = check_start_pages(crawled.site, crawled.store)
    finally:
        crawled.faults.heal(path)
    assert not verdict.nothing_new
    assert reason in verdict.reason
    assert verdict.pages == [], "a start page that was not read must be fetched by the crawl"


def test_a_robots_txt_that_is_missing_means_no_rules(crawled: Crawled) -> None:
    crawled.faults.route("/robots.txt", failing(404))
    try:
        verdict = check_start_pages(crawled.site, crawled.store)
    finally:
        crawled.faults.heal("/robots.txt")
    assert verdict.nothing_new
    assert [p.url for p in verdict.pages] == [crawled.faults.url(START)]
