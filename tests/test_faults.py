"""Sites that misbehave, crawled through the zonenews command: every fault is retried or refused as
it should be, shows in the run record (``errors``, counts per kind in ``details``) and in
``zonenews runs``, and stops neither the other pages nor the other sites."""

from __future__ import annotations

import html
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import write_site, zonenews
from tests.faultserver import (
    FaultServer,
    MiB,
    Reply,
    failing,
    gzip_bomb,
    oversized,
    page,
    redirect,
    reset,
    slow,
    stalled,
    truncated,
)
from tests.gdsite import TWINS, GdArticle, GdColumn

PATTERN = r"/content/m?post_\d{7,8}\.html$"
STORED = "stored"
TIMEOUT_SECONDS = "1"


@dataclass(frozen=True)
class Fault:
    """What an article page does wrong, and what the crawl must make of it."""
    name: str
    reply: Callable[[FaultServer, GdArticle], Reply]
    outcome: str             # STORED, an error kind, or "dropped/<reason>"


def _plain(server: FaultServer, article: GdArticle) -> Reply:
    return server.pages[article.path]


def _recoded(charset_in_header: str, charset_in_page: str | None, encoding: str) -> \
        Callable[[FaultServer, GdArticle], Reply]:
    """The article's page in ``encoding``, served under a Content-Type that may lie about it."""
    def reply(server: FaultServer, article: GdArticle) -> Reply:
        text = server.pages_text[article.path]
        meta = f'<meta charset="{charset_in_page}">' if charset_in_page else ""
        body = text.replace('<meta charset="utf-8">', meta).encode(encoding)
        return page(body, f"text/html; charset={charset_in_header}")
    return reply


def _chain(server: FaultServer, article: GdArticle) -> Reply:
    hops = 12
    for n in range(1, hops):
        server.route(f"/chain/{article.post_id}/{n}",
                     redirect(f"{{base}}/chain/{article.post_id}/{n + 1}"))
    server.route(f"/chain/{article.post_id}/{hops}", _plain(server, article))
    return redirect(f"{{base}}/chain/{article.post_id}/1")


def _two_page_loop(server: FaultServer, article: GdArticle) -> Reply:
    server.route(f"/loop/{article.post_id}/b", redirect(article.path))
    return redirect(f"{{base}}/loop/{article.post_id}/b")


def _moved(server: FaultServer, article: GdArticle) -> Reply:
    server.route(f"/moved/{article.post_id}.html", _plain(server, article))
    return redirect(f"{{base}}/moved/{article.post_id}.html", 301)


FAULTS = [
    Fault("503 every time: retried, then counted", lambda s, a: failing(503), "http_503"),
    Fault("500 every time: retried, then counted", lambda s, a: failing(500), "http_500"),
    Fault("503 twice, then the page: the retry stores it",
          lambda s, a: failing(503, times=2, then=_plain(s, a)), STORED),
    Fault("no answer within the timeout", lambda s, a: stalled(), "timeout"),
    Fault("a slow page that answers within the timeout",
          lambda s, a: slow(_plain(s, a), 0.4), STORED),
    Fault("connection reset before any answer", lambda s, a: reset(), "connection"),
    Fault("body shorter than its Content-Length",
          lambda s, a: truncated(s.pages_text[a.path].encode()), "truncated"),
    Fault("200 with an empty body", lambda s, a: page(b""), "empty_page"),
    Fault("200 with a PNG image", lambda s, a: page(b"\x89PNG\r\n\x1a\n" + bytes(200), "image/png"),
          "not_html"),
    Fault("200 with binary bytes labelled text/html",
          lambda s, a: page(bytes(range(256)) * 4), "not_html"),
    Fault("200 with plain text and no markup", lambda s, a: page("只有一行字", "text/plain"),
          "not_html"),
    Fault("404 article page", lambda s, a: failing(404), "http_404"),
    Fault("redirect within the site: followed, stored under the linked URL", _moved, STORED),
    Fault("redirect off the site's domains: not followed",
          lambda s, a: redirect("http://elsewhere.example.com/news.html"), "offsite_redirect"),
    Fault("redirect to itself", lambda s, a: redirect(a.path), "redirect_loop"),
    Fault("redirect loop through a second page", _two_page_loop, "redirect_loop"),
    Fault("twelve redirects in a row", _chain, "too_many_redirects"),
    Fault("17 MiB page, size declared", lambda s, a: oversized(17 * MiB), "too_large"),
    Fault("17 MiB page, size not declared", lambda s, a: oversized(17 * MiB, declared=False),
          "too_large"),
    Fault("gzip bomb inflating to 64 MiB", lambda s, a: gzip_bomb(64 * MiB), "too_large"),
    Fault("header says UTF-8, page is GB2312 and says so",
          _recoded("utf-8", "gb2312", "gb18030"), STORED),
    Fault("header says GBK, page is UTF-8 and says so", _recoded("gbk", "utf-8", "utf-8"), STORED),
    Fault("header says ISO-8859-1, page is GB2312 and says so",
          _recoded("iso-8859-1", "gb2312", "gb18030"), STORED),
    Fault("header says ISO-8859-1, page is GB18030 and says nothing",
          _recoded("iso-8859-1", None, "gb18030"), STORED),
    Fault("a page with markup but no article in it",
          lambda s, a: page("<html><head></head><body><div class='x'></div></body></html>"),
          "dropped/no_body"),
]


class TextKeepingServer(FaultServer):
    """A FaultServer that also keeps each plain page's text, to serve it again re-encoded."""

    def __init__(self) -> None:
        super().__init__()
        self.pages_text: dict[str, str] = {}

    def add(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            status: int = 200) -> None:
        super().add(path, body, content_type, status)
        if isinstance(body, str):
            self.pages_text[path] = body.replace("{base}", self.base)


@dataclass
class Crawl:
    code: int
    stderr: str
    runs: dict[str, dict[str, Any]]
    articles: dict[str, dict[str, Any]]
    runs_table: str


def crawl(db: str, sites: Path, *keys: str) -> Crawl:
    proc = zonenews("crawl", *keys, db=db, sites=sites, timeout=120)
    runs = json.loads(zonenews("runs", "--format", "json", db=db, check=True).stdout)
    articles = json.loads(zonenews("articles", "--limit", "0", "--format", "json", db=db,
                                   check=True).stdout)
    table = zonenews("runs", db=db, check=True).stdout
    return Crawl(proc.returncode, proc.stderr, {r["site"]: r for r in runs},
                 {a["url"]: a for a in articles}, table)


@pytest.fixture(autouse=True, scope="module")
def short_timeout() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZONENEWS_DOWNLOAD_TIMEOUT", TIMEOUT_SECONDS)
        yield


# ---------------------------------------------------------------- faulty article and list pages

@dataclass
class FaultyCrawl:
    result: Crawl
    faulty: TextKeepingServer
    healthy: FaultServer
    fault_of: dict[str, GdArticle]
    good: list[GdArticle]
    healthy_column: GdColumn
    list_site: GdColumn


@pytest.fixture(scope="module")
def faulty_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultyCrawl]:
    tmp = tmp_path_factory.mktemp("faults")
    sites = tmp / "sites"
    with TextKeepingServer() as faulty, FaultServer() as healthy, FaultServer() as lists:
        column = GdColumn(faulty, per_page=len(FAULTS) + 4)
        column.publish(len(FAULTS) + 4)
        fault_of = {}
        for fault, article in zip(FAULTS, column.articles, strict=False):
            faulty.route(article.path, fault.reply(faulty, article))
            fault_of[fault.name] = article
        good = column.articles[len(FAULTS):]
        healthy_column = GdColumn(healthy, per_page=6)
        healthy_column.publish(12)
        # A column whose second list page fails and whose third is never reached.
        list_site = GdColumn(lists, per_page=4)
        list_site.publish(12)
        lists.route("/gxxw/gxdt/index_2.html", failing(503))
        extra = "obey_robots = false\ndelay = 0\n"
        write_site(sites, "faulty", [faulty.url("/gxxw/gxdt/index.html")], PATTERN, TWINS + extra)
        write_site(sites, "healthy", [healthy.url("/gxxw/gxdt/index.html")], PATTERN, TWINS + extra)
        write_site(sites, "bad-list", [lists.url("/gxxw/gxdt/index.html")], PATTERN, TWINS + extra)
        write_site(sites, "empty-list", [healthy.url("/empty/index.html")], PATTERN, TWINS + extra)
        write_site(sites, "image-list", [healthy.url("/image/index.html")], PATTERN, TWINS + extra)
        write_site(sites, "bad-links", [healthy.url("/bad/index.html")], PATTERN, TWINS + extra)
        port = healthy.netloc.split(":")[1]
        healthy.route("/bad/index.html", page("<ul>" + "".join(
            f'<li><a href="{href}">{title}</a></li>' for href, title in [
                ("http://[::1/gxxw/gxdt/content/post_1234567.html", "一"),
                (f"http://127.0.0.1:{port}x/gxxw/gxdt/content/post_1234568.html", "二"),
                ("/bad/content/post_7654321.html", "三"),
            ]) + "</ul>"))
        healthy.route("/bad/content/post_7654321.html",
                      healthy.pages[healthy_column.articles[0].path])
        healthy.route("/empty/index.html", page(b"   \n"))
        healthy.route("/image/index.html", page(b"GIF89a" + bytes(64), "image/gif"))
        result = crawl(f"sqlite:///{tmp / 'z.db'}", sites, "faulty", "healthy", "bad-list",
                       "empty-list", "image-list", "bad-links")
        yield FaultyCrawl(result, faulty, healthy, fault_of, good, healthy_column, list_site)


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_each_fault_of_an_article_page_ends_as_it_should(fault: Fault,
                                                         faulty_crawl: FaultyCrawl) -> None:
    article = faulty_crawl.fault_of[fault.name]
    url = faulty_crawl.faulty.url(article.path)
    details = faulty_crawl.result.runs["faulty"]["details"]
    if fault.outcome == STORED:
        row = faulty_crawl.result.articles[url]
        assert row["title"] == article.title
        assert row["body_text"] == article.body_text
    else:
        assert url not in faulty_crawl.result.articles
        group, _, kind = fault.outcome.rpartition("/")
        assert details[group or "errors"].get(kind, 0) >= 1


def test_the_run_counts_each_kind_of_fault_as_often_as_it_happened(
        faulty_crawl: FaultyCrawl) -> None:
    run = faulty_crawl.result.runs["faulty"]
    expected = Counter(f.outcome for f in FAULTS if f.outcome != STORED and "/" not in f.outcome)
    assert run["details"]["errors"] == dict(expected)
    assert run["errors"] == sum(expected.values())
    assert run["details"]["dropped"] == {"no_body": 1}
    assert run["status"] == "succeeded"


def test_server_errors_timeouts_resets_and_truncations_are_retried_twice(
        faulty_crawl: FaultyCrawl) -> None:
    hits = faulty_crawl.faulty.hits
    for name in ("503 every time: retried, then counted", "500 every time: retried, then counted",
                 "no answer within the timeout", "connection reset before any answer",
                 "body shorter than its Content-Length"):
        assert hits[faulty_crawl.fault_of[name].path] == 3, name
    assert hits[faulty_crawl.fault_of["404 article page"].path] == 1


def test_a_redirect_loop_is_cut_at_its_first_repeat(faulty_crawl: FaultyCrawl) -> None:
    hits = faulty_crawl.faulty.hits
    self_loop = faulty_crawl.fault_of["redirect to itself"]
    two_page = faulty_crawl.fault_of["redirect loop through a second page"]
    assert hits[self_loop.path] == 1
    assert hits[two_page.path] == 1 and hits[f"/loop/{two_page.post_id}/b"] == 1


def test_the_good_pages_of_a_faulty_site_and_the_other_sites_are_all_stored(
        faulty_crawl: FaultyCrawl) -> None:
    stored = faulty_crawl.result.articles
    for article in faulty_crawl.good:
        assert stored[faulty_crawl.faulty.url(article.path)]["title"] == article.title
    for article in faulty_crawl.healthy_column.articles:
        assert stored[faulty_crawl.healthy.url(article.path)]["title"] == article.title
    healthy = faulty_crawl.result.runs["healthy"]
    assert healthy["status"] == "succeeded" and healthy["errors"] == 0
    assert healthy["articles_new"] == 12


def test_a_failing_list_page_is_counted_and_the_pages_before_it_are_stored(
        faulty_crawl: FaultyCrawl) -> None:
    run = faulty_crawl.result.runs["bad-list"]
    assert run["status"] == "succeeded"
    assert run["details"]["errors"] == {"http_503": 1}
    assert run["details"]["lists"]["unfinished"] == 1
    first_page = faulty_crawl.list_site.articles[:4]
    stored = {u for u in faulty_crawl.result.articles if u.startswith(
        faulty_crawl.list_site.server.base)}
    assert stored == {faulty_crawl.list_site.server.url(a.path) for a in first_page}


@pytest.mark.parametrize("site, kind", [("empty-list", "empty_page"), ("image-list", "not_html")])
def test_a_list_page_that_is_not_a_page_fails_its_run_with_the_reason(
        site: str, kind: str, faulty_crawl: FaultyCrawl) -> None:
    run = faulty_crawl.result.runs[site]
    assert run["details"]["errors"] == {kind: 1}
    assert run["status"] == "failed" and run["pages_fetched"] == 0
    assert run["message"] == "no page could be fetched (1 errors)"


def test_a_broken_link_costs_that_link_and_not_its_list_page(faulty_crawl: FaultyCrawl) -> None:
    run = faulty_crawl.result.runs["bad-links"]
    assert run["status"] == "succeeded"
    assert run["details"]["filtered"] == {"bad_link": 2}
    assert run["details"]["errors"] == {}
    assert run["articles_new"] == 1


def test_a_crawl_with_a_failed_site_exits_non_zero_and_says_which(
        faulty_crawl: FaultyCrawl) -> None:
    assert faulty_crawl.result.code == 1
    assert "Traceback" not in faulty_crawl.result.stderr


def test_zonenews_runs_shows_the_faults_of_each_run(faulty_crawl: FaultyCrawl) -> None:
    line = next(x for x in faulty_crawl.result.runs_table.splitlines() if " faulty " in x)
    for kind in ("http_503=1", "timeout=1", "redirect_loop=2", "too_large=3", "not_html=3",
                 "dropped:no_body=1"):
        assert kind in line


# ---------------------------------------------------------------- robots.txt and private addresses

ROBOTS_CASES = [
    # site, robots.txt reply, obey_robots, articles stored, error kinds, filtered, message part
    ("robots-disallows", page("User-agent: *\nDisallow: /gxxw/gxdt/content/\n", "text/plain"),
     True, 0, {}, {"robots_txt": 4}, None),
    ("robots-allows", page("User-agent: *\nDisallow: /private/\n", "text/plain"),
     True, 4, {}, {}, None),
    ("robots-404", failing(404), True, 4, {}, {}, None),
    ("robots-503", failing(503), True, 0, {"robots_unavailable": 1}, {"robots_txt": 1},
     "could not be read (http_503)"),
    ("robots-timeout", stalled(), True, 0, {"robots_unavailable": 1}, {"robots_txt": 1},
     "could not be read (timeout)"),
    ("robots-reset", reset(), True, 0, {"robots_unavailable": 1}, {"robots_txt": 1},
     "could not be read (connection)"),
    ("robots-503-ignored", failing(503), False, 4, {}, {}, None),
]


@dataclass
class GuardedCrawl:
    result: Crawl
    servers: dict[str, FaultServer]
    private: FaultServer
    private_column: GdColumn


@pytest.fixture(scope="module")
def guarded_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GuardedCrawl]:
    tmp = tmp_path_factory.mktemp("guards")
    sites = tmp / "sites"
    servers = {case[0]: FaultServer() for case in ROBOTS_CASES}
    private = FaultServer()
    for server in [*servers.values(), private]:
        server.__enter__()
    try:
        for site, robots, obey, *_ in ROBOTS_CASES:
            server = servers[site]
            GdColumn(server, per_page=4).publish(4)
            server.route("/robots.txt", robots)
            write_site(sites, site, [server.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                       f"obey_robots = {str(obey).lower()}\n")
        column = GdColumn(private, per_page=8)
        column.publish(5)
        port = private.netloc.split(":")[1]
        a = column.articles
        # A list that links to the same machine under another name, and pages that redirect there.
        private.add("/gxxw/gxdt/index.html", "".join(
            f'<p><a href="{href}">{html.escape(t)}</a></p>' for href, t in [
                (a[0].path, a[0].title),
                (f"http://localhost:{port}{a[1].path}", a[1].title),
                (a[2].path, a[2].title), (a[3].path, a[3].title),
                (f"http://10.1.2.3{a[4].path}", a[4].title)]))
        private.route(a[2].path, redirect(f"http://localhost:{port}/moved/{a[2].post_id}.html"))
        private.route(a[3].path, redirect("http://169.254.169.254/latest/meta-data/post_1234567.html"))
        write_site(sites, "private", [private.url("/gxxw/gxdt/index.html")], PATTERN, TWINS +
                   'obey_robots = false\nallowed_domains = ["127.0.0.1", "localhost", '
                   '"169.254.169.254", "10.1.2.3"]\n')
        result = crawl(f"sqlite:///{tmp / 'z.db'}", sites,
                       *[case[0] for case in ROBOTS_CASES], "private")
        yield GuardedCrawl(result, servers, private, column)
    finally:
        for server in [*servers.values(), private]:
            server.__exit__()


@pytest.mark.parametrize("site, robots, obey, stored, errors, filtered, message", ROBOTS_CASES,
                         ids=[case[0] for case in ROBOTS_CASES])
def test_robots_txt_is_read_as_rfc_9309_says(
        site: str, robots: Reply, obey: bool, stored: int, errors: dict[str, int],
        filtered: dict[str, int], message: str | None, guarded_crawl: GuardedCrawl) -> None:
    run = guarded_crawl.result.runs[site]
    server = guarded_crawl.servers[site]
    assert run["articles_new"] == stored
    assert run["details"]["errors"] == errors
    assert run["details"]["filtered"] == filtered
    assert server.article_hits("/content/") == stored
    if message:
        assert message in run["message"] and "disallowed" in run["message"]
        assert run["status"] == "failed"
    else:
        assert run["status"] == "succeeded"
    assert (server.hits["/robots.txt"] > 0) == obey


def test_a_site_whose_robots_txt_is_unavailable_says_why_in_zonenews_runs(
        guarded_crawl: GuardedCrawl) -> None:
    line = next(x for x in guarded_crawl.result.runs_table.splitlines() if " robots-503 " in x)
    assert "robots_unavailable=1" in line


def test_links_and_redirects_to_private_addresses_are_refused_and_counted(
        guarded_crawl: GuardedCrawl) -> None:
    run = guarded_crawl.result.runs["private"]
    a = guarded_crawl.private_column.articles
    hits = guarded_crawl.private.hits
    assert run["details"]["filtered"] == {"private_address": 4}
    assert hits[a[1].path] == 0                       # linked as localhost: never asked for
    assert hits[f"/moved/{a[2].post_id}.html"] == 0   # redirected to localhost: not followed
    stored = set(guarded_crawl.result.articles)
    assert guarded_crawl.private.url(a[0].path) in stored   # the start URL's own host is trusted
    assert not any(guarded_crawl.private.url(x.path) in stored for x in a[1:])


# ---------------------------------------------------------------- the names of faults

@pytest.mark.parametrize("body, content_type, problem", [
    (b"<!DOCTYPE html><html><body><p>\xe6\x96\xb0\xe9\x97\xbb</p></body></html>",
     "text/html; charset=utf-8", None),
    (b"<html><body>ok</body></html>", None, None),                       # no Content-Type at all
    (b"<html><body>ok</body></html>", "text/plain", None),               # mislabelled HTML
    (b"<html><body>ok</body></html>", "application/octet-stream", None),
    (b"\n\n  <!-- cms -->\n<div class='news'>x</div>", "text/html", None),
    ("<html><body>新闻</body></html>".encode("utf-16"), "text/html", None),  # UTF-16 with a BOM
    (b"", "text/html", "empty_page"),
    (b"   \r\n\t ", "text/html", "empty_page"),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image/png", "not_html"),
    (b"<html><body>ok</body></html>", "image/jpeg", "not_html"),        # the type decides first
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", "application/pdf", "not_html"),
    (b"PK\x03\x04\x14\0\x06\0", "application/zip", "not_html"),
    (b"%PDF-1.4\n<</Type /Catalog>>", "text/html", "not_html"),           # no markup, a NUL-free PDF
    (b"\0\x01\x02<html>", "text/html", "not_html"),                       # NUL bytes: binary
    ("高新区新闻，没有任何标记".encode(), "text/html", "not_html"),
    (b'{"list": [{"title": "x"}]}', "application/json", "not_html"),
])
def test_an_answer_that_is_not_a_page_is_named(body: bytes, content_type: str | None,
                                               problem: str | None) -> None:
    from scrapers.extract import page_problem

    assert page_problem(body, content_type) == problem


def _http_error(status: int) -> BaseException:
    from scrapy.http import Request, Response
    from scrapy.spidermiddlewares.httperror import HttpError

    request = Request("http://zone.example.cn/a.html")
    return HttpError(Response(request.url, status=status, request=request), "ignored")


def _kinds() -> list[tuple[Callable[[], BaseException], str]]:
    from scrapy import exceptions as ex
    from twisted.internet import error as net

    return [
        (lambda: _http_error(503), "http_503"),
        (lambda: _http_error(404), "http_404"),
        (ex.DownloadTimeoutError, "timeout"),
        (net.TimeoutError, "timeout"),
        (net.TCPTimedOutError, "timeout"),
        (ex.CannotResolveHostError, "dns"),
        (net.DNSLookupError, "dns"),
        (ex.DownloadConnectionRefusedError, "connection_refused"),
        (net.ConnectionRefusedError, "connection_refused"),
        (ex.ResponseDataLossError, "truncated"),
        (ex.DownloadFailedError, "connection"),
        (net.ConnectionLost, "connection"),
        (net.ConnectionDone, "connection"),
        (ex.DownloadCancelledError, "too_large"),
        (lambda: ex.IgnoreRequest("max redirections reached"), "too_many_redirects"),
        (lambda: ex.IgnoreRequest("Ignored response <200 x> because its body (99 B compressed, "
                                  "16777217 B decompressed so far) exceeded DOWNLOAD_MAXSIZE "
                                  "(16777216 B) during decompression."), "too_large"),
        (lambda: ex.IgnoreRequest("Filtered offsite request to 'x.com'"), "offsite_redirect"),
        (lambda: ex.IgnoreRequest("Forbidden by robots.txt"), "robots_txt"),
        (lambda: ex.IgnoreRequest("something else"), "ignored"),
        (lambda: ValueError("odd"), "value_error"),
        (lambda: UnicodeDecodeError("utf-8", b"\xff", 0, 1, "bad"), "unicode_decode_error"),
    ]


@pytest.mark.parametrize("make, kind", _kinds(), ids=[k for _, k in _kinds()])
def test_each_fetch_failure_has_a_short_stable_name(make: Callable[[], BaseException],
                                                    kind: str) -> None:
    from twisted.python.failure import Failure

    from scrapers.stats import error_kind

    exc = make()
    assert error_kind(exc) == kind
    assert error_kind(Failure(exc)) == kind
