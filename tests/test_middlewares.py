"""The downloader middlewares one by one: which addresses count as private, which redirects are
loops or leave the site, how each robots.txt answer is read, and the Scrapy components that
must stay switched off."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections import Counter
from collections.abc import Sequence
from typing import Any

import pytest
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response, TextResponse
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.test import get_crawler

from scrapers.middlewares import (
    PrivateAddressGuard,
    RedirectGuard,
    Refused,
    Rfc9309RobotsTxt,
    is_public_address,
)


class Stats:
    """The part of Scrapy's stats collector the middlewares use."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.values: dict[str, Any] = {}

    def inc_value(self, key: str, count: int = 1, start: int = 0) -> None:
        self.counts[key] += count

    def set_value(self, key: str, value: Any) -> None:
        self.values[key] = value


# ---------------------------------------------------------------- which addresses are private

@pytest.mark.parametrize("address, public", [
    ("61.145.97.10", True),            # a Guangdong government server
    ("114.114.114.114", True),
    ("2400:3200::1", True),
    ("127.0.0.1", False),              # loopback
    ("127.8.9.10", False),
    ("::1", False),
    ("10.0.0.1", False),               # private networks
    ("172.16.5.4", False),
    ("192.168.1.1", False),
    ("fc00::1", False),
    ("169.254.169.254", False),        # link-local: the cloud metadata service
    ("fe80::1", False),
    ("fe80::1%eth0", False),
    ("100.64.0.1", False),             # carrier-grade NAT
    ("0.0.0.0", False),                # unspecified
    ("::", False),
    ("224.0.0.1", False),              # multicast
    ("255.255.255.255", False),
    ("192.0.2.1", False),              # documentation and benchmarking ranges
    ("198.18.0.1", False),
    ("240.0.0.1", False),              # reserved
    ("::ffff:127.0.0.1", False),       # IPv4 inside IPv6
    ("::ffff:10.0.0.1", False),
    ("2002:7f00:1::", False),          # 6to4 of 127.0.0.1
    ("::ffff:61.145.97.10", True),
])
def test_an_address_is_public_only_outside_every_local_and_reserved_range(
        address: str, public: bool) -> None:
    assert is_public_address(address) is public


# ---------------------------------------------------------------- the private-address guard

DNS = {
    "www.zhuhai-hitech.gov.cn": ["61.145.97.10"],
    "localhost": ["127.0.0.1", "::1"],
    "intranet.zone.gov.cn": ["10.0.0.8"],
    "rebinding.example.cn": ["61.145.97.11", "127.0.0.1"],
    "metadata.example.cn": ["169.254.169.254"],
}


async def fake_resolve(host: str) -> Sequence[str]:
    if host not in DNS:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    return DNS[host]


async def no_resolve(host: str) -> Sequence[str]:
    raise AssertionError(f"{host} should not need a lookup")


@pytest.mark.parametrize("url, trusted, refused", [
    ("http://www.zhuhai-hitech.gov.cn/gxxw/index.html", set(), False),
    ("http://127.0.0.1:8000/news/index.html", {("127.0.0.1", 8000)}, False),  # the start URL's own
    ("http://127.0.0.1:9999/admin/", {("127.0.0.1", 8000)}, True),        # same host, another port
    ("http://127.0.0.1/", {("127.0.0.1", 8000)}, True),
    ("https://intranet.zone.gov.cn/news/", {"intranet.zone.gov.cn"}, True),  # 443 is not 80
    ("http://intranet.zone.gov.cn/news/", {"intranet.zone.gov.cn"}, False),
    ("http://127.0.0.1:8000/news/index.html", set(), True),
    ("http://localhost:8000/news/index.html", {("127.0.0.1", 8000)}, True),  # same machine, other name
    ("http://[::1]:8000/", {"127.0.0.1"}, True),
    ("http://169.254.169.254/latest/meta-data/", set(), True),
    ("http://metadata.example.cn/latest/", set(), True),
    ("http://10.1.2.3/content/post_1234567.html", {"127.0.0.1"}, True),
    ("http://intranet.zone.gov.cn/news/", set(), True),
    ("http://rebinding.example.cn/news/", set(), True),                   # any private answer refuses
    ("http://no-such-host.example.cn/news/", set(), False),               # fails as a DNS error
])
def test_the_guard_refuses_private_targets_unless_a_start_url_is_there(
        url: str, trusted: set[str | tuple[str, int]], refused: bool) -> None:
    stats = Stats()
    guard = PrivateAddressGuard(stats, trusted, resolve=fake_resolve)  # type: ignore[arg-type]
    if refused:
        with pytest.raises(Refused):
            asyncio.run(guard.process_request(Request(url)))
        assert stats.counts == {"zonenews/filtered/private_address": 1}
    else:
        asyncio.run(guard.process_request(Request(url)))
        assert not stats.counts


def test_the_guard_trusts_a_start_host_without_looking_it_up() -> None:
    guard = PrivateAddressGuard(Stats(), {"intranet.zone.gov.cn"}, resolve=no_resolve)  # type: ignore[arg-type]
    asyncio.run(guard.process_request(Request("http://intranet.zone.gov.cn/news/")))


def test_the_guard_looks_each_host_up_once_per_crawl() -> None:
    asked: list[str] = []

    async def counting(host: str) -> Sequence[str]:
        asked.append(host)
        return await fake_resolve(host)

    guard = PrivateAddressGuard(Stats(), resolve=counting)  # type: ignore[arg-type]
    for n in range(3):
        asyncio.run(guard.process_request(Request(f"http://www.zhuhai-hitech.gov.cn/p/{n}.html")))
    assert asked == ["www.zhuhai-hitech.gov.cn"]


@pytest.mark.parametrize("host, peer, trusted, refused", [
    ("www.zhuhai-hitech.gov.cn", "61.145.97.10", set(), False),
    ("www.zhuhai-hitech.gov.cn", "127.0.0.1", set(), True),     # the name moved to this machine
    ("www.zhuhai-hitech.gov.cn", "10.0.0.8", set(), True),
    ("127.0.0.1", "127.0.0.1", {"127.0.0.1"}, False),
    ("www.zhuhai-hitech.gov.cn", None, set(), False),           # no peer known (a cached answer)
])
def test_the_guard_checks_the_address_an_answer_came_from(
        host: str, peer: str | None, trusted: set[str], refused: bool) -> None:
    request = Request(f"http://{host}/news/index.html")
    response = Response(request.url, request=request,
                        ip_address=ipaddress.ip_address(peer) if peer else None)
    guard = PrivateAddressGuard(Stats(), trusted, resolve=no_resolve)  # type: ignore[arg-type]
    if refused:
        with pytest.raises(Refused):
            guard.process_response(request, response)
    else:
        assert guard.process_response(request, response) is response


# ---------------------------------------------------------------- the redirect guard

SITE = "http://www.zhuhai-hitech.gov.cn"


@pytest.mark.parametrize("chain, target, outcome", [
    ([], f"{SITE}/gxxw/index.html", None),                                        # not a redirect
    ([f"{SITE}/a.html"], f"{SITE}/b.html", None),
    ([f"{SITE}/a.html"], "http://m.zhuhai-hitech.gov.cn/a.html", None),           # a subdomain
    ([f"{SITE}/content/mpost_1234567.html"], f"{SITE}/content/post_1234567.html", None),
    ([f"{SITE}/a.html"], f"{SITE}/a.html", "errors/redirect_loop"),
    ([f"{SITE}/a.html", f"{SITE}/b.html", f"{SITE}/c.html"], f"{SITE}/a.html",
     "errors/redirect_loop"),
    ([f"{SITE}/a.html"], "http://www.baidu.com/", "errors/offsite_redirect"),
    ([f"{SITE}/a.html"], "http://zhuhai-hitech.gov.cn.evil.example/", "errors/offsite_redirect"),
])
def test_a_redirect_is_stopped_when_it_loops_or_leaves_the_site(
        chain: list[str], target: str, outcome: str | None) -> None:
    stats = Stats()
    guard = RedirectGuard(stats, {"zhuhai-hitech.gov.cn"})  # type: ignore[arg-type]
    request = Request(target, meta={"redirect_urls": chain} if chain else {})
    if outcome is None:
        guard.request_scheduled(request)
        assert not stats.counts
    else:
        with pytest.raises(IgnoreRequest):
            guard.request_scheduled(request)
        assert stats.counts == {f"zonenews/{outcome}": 1}


@pytest.mark.parametrize("meta, counted", [
    ({"redirect_urls": [f"{SITE}/old.html"]}, 1),
    ({}, 0),
])
def test_a_redirect_to_a_page_already_fetched_is_counted_when_the_duplicate_filter_drops_it(
        meta: dict[str, Any], counted: int) -> None:
    stats = Stats()
    RedirectGuard(stats, {"zhuhai-hitech.gov.cn"}).request_dropped(  # type: ignore[arg-type]
        Request(f"{SITE}/new.html", meta=meta))
    assert stats.counts["zonenews/filtered/redirect_to_seen"] == counted


# ---------------------------------------------------------------- robots.txt, RFC 9309

class Engine:
    """Answers the robots.txt request with a fixed response or failure."""

    def __init__(self, answer: tuple[int, bytes] | BaseException) -> None:
        self.answer = answer
        self.asked: list[str] = []

    async def download_async(self, request: Request) -> Response:
        self.asked.append(request.url)
        if isinstance(self.answer, BaseException):
            raise self.answer
        status, body = self.answer
        return TextResponse(request.url, status=status, body=body, request=request,
                            headers={"Content-Type": "text/plain"})


def robots_middleware(answer: tuple[int, bytes] | BaseException) -> tuple[Rfc9309RobotsTxt, Engine]:
    crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": True, "USER_AGENT": "zonenews/0.1"})
    engine = Engine(answer)
    crawler.engine = engine  # type: ignore[assignment]
    crawler.spider = Spider("zone")
    return Rfc9309RobotsTxt(crawler), engine


RULES = b"User-agent: *\nDisallow: /private/\n"
NEWS, PRIVATE = f"{SITE}/gxxw/index.html", f"{SITE}/private/index.html"


@pytest.mark.parametrize("answer, news_allowed, private_allowed, unavailable", [
    ((200, RULES), True, False, False),
    ((200, b""), True, True, False),
    ((200, b"User-agent: *\nDisallow: /\n"), False, False, False),
    ((200, b"<html>not a robots file</html>"), True, True, False),
    ((404, b"<html>not found</html>"), True, True, False),       # 4xx: no rules at all
    ((403, b"User-agent: *\nDisallow: /\n"), True, True, False),
    ((410, b""), True, True, False),
    ((500, RULES), False, False, True),                          # 5xx: everything disallowed
    ((503, b""), False, False, True),
    (TimeoutError("no answer"), False, False, True),             # unreachable: the same
    (ConnectionResetError("reset"), False, False, True),
    (IgnoreRequest("refused"), False, False, True),
])
def test_robots_txt_is_read_as_rfc_9309_says(
        answer: tuple[int, bytes] | BaseException, news_allowed: bool, private_allowed: bool,
        unavailable: bool) -> None:
    middleware, _engine = robots_middleware(answer)
    parser = asyncio.run(middleware.robot_parser(Request(NEWS)))
    assert parser.allowed(NEWS, "zonenews/0.1") is news_allowed
    assert parser.allowed(PRIVATE, "zonenews/0.1") is private_allowed
    stats = middleware.crawler.stats
    assert stats is not None
    assert stats.get_value("zonenews/errors/robots_unavailable", 0) == int(unavailable)
    notes = [v for k, v in stats.get_stats().items() if k.startswith("zonenews/notes/")]
    assert len(notes) == int(unavailable)
    if unavailable:
        assert "www.zhuhai-hitech.gov.cn" in notes[0] and "disallowed" in notes[0]


def test_robots_txt_is_fetched_once_per_host_and_a_forbidden_page_is_counted() -> None:
    middleware, engine = robots_middleware((200, RULES))

    async def crawl() -> list[str]:
        outcomes = []
        for url in (NEWS, PRIVATE, f"{SITE}/gxxw/2.html", "http://m.zhuhai-hitech.gov.cn/a.html"):
            try:
                await middleware.process_request(Request(url))
                outcomes.append("fetched")
            except Refused as exc:
                outcomes.append(exc.stat)
        return outcomes

    assert asyncio.run(crawl()) == ["fetched", "zonenews/filtered/robots_txt", "fetched", "fetched"]
    assert engine.asked == [f"{SITE}/robots.txt", "http://m.zhuhai-hitech.gov.cn/robots.txt"]
    assert middleware.crawler.stats is not None
    assert middleware.crawler.stats.get_value("zonenews/filtered/robots_txt") == 1


# ---------------------------------------------------------------- what stays switched off

def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("scrapers.settings", priority="project")
    return settings


@pytest.mark.parametrize("component", [
    "scrapy.extensions.telnet.TelnetConsole",
    "scrapy.extensions.remote_control.RemoteControl",
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware",
])
def test_no_remote_control_and_no_lenient_robots_txt_is_loaded(component: str) -> None:
    settings = project_settings()
    loaded = [*build_component_list(settings.get_component_priority_dict_with_base("EXTENSIONS")),
              *build_component_list(
                  settings.get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES"))]
    assert component not in loaded


@pytest.mark.parametrize("setting, value", [
    ("TELNETCONSOLE_ENABLED", False),
    ("REMOTE_CONTROL_ENABLED", False),
    ("HTTPCACHE_ENABLED", False),
    ("JOBDIR", None),
    ("FEEDS", {}),
    ("DOWNLOAD_MAXSIZE", 16 * 1024 * 1024),
])
def test_the_settings_keep_a_crawl_private_and_bounded(setting: str, value: Any) -> None:
    assert project_settings().get(setting) == value


@pytest.mark.parametrize("middleware", [
    "scrapers.middlewares.PrivateAddressGuard",
    "scrapers.middlewares.Rfc9309RobotsTxt",
    "scrapers.middlewares.RedirectGuard",
])
def test_the_guards_are_in_the_downloader_chain(middleware: str) -> None:
    chain = build_component_list(
        project_settings().get_component_priority_dict_with_base("DOWNLOADER_MIDDLEWARES"))
    assert middleware in chain


# ---------------------------------------------------------------- the resolver the connection uses

RESOLVER_SCRIPT = """
import sys
from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from scrapers.middlewares import guarded_resolver

url, trusted = sys.argv[1], sys.argv[2:]

class Probe(Spider):
    name = "probe"

    async def start(self):
        from twisted.internet import reactor
        reactor.resolver.trusted = frozenset(trusted)
        yield Request(url, callback=self.fetched, errback=self.failed, dont_filter=True)

    def fetched(self, response):
        print("FETCHED", response.status)

    def failed(self, failure):
        refused = guarded_resolver().refused
        print("REFUSED" if "localhost" in refused else "ERROR " + repr(failure.value))

process = CrawlerProcess({"TWISTED_DNS_RESOLVER": "scrapers.middlewares.GuardedResolver",
                          "RETRY_ENABLED": False, "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "ERROR",
                          "DOWNLOADER_MIDDLEWARES": {
                              "scrapers.middlewares.PrivateAddressGuard": None}})
process.crawl(Probe)
process.start()
"""


@pytest.mark.parametrize("trusted, outcome", [
    ((), "REFUSED"),                  # a name that answers a loopback address: never connected to
    (("localhost",), "FETCHED 200"),  # the same name when a start URL names it
])
def test_the_resolver_refuses_a_private_answer_on_the_connection_itself(
        trusted: tuple[str, ...], outcome: str) -> None:
    """No check before the request here: the answer the connection uses is the one checked."""
    import subprocess
    import sys

    from tests.conftest import ROOT
    from tests.siteserver import FixtureServer

    with FixtureServer() as server:
        server.add("/index.html", "<html><body><p>内网页面</p></body></html>")
        url = server.url("/index.html").replace("127.0.0.1", "localhost")
        proc = subprocess.run([sys.executable, "-c", RESOLVER_SCRIPT, url, *trusted], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
        assert proc.stdout.strip() == outcome, proc.stderr
        assert server.hits["/index.html"] == (0 if outcome == "REFUSED" else 1)


def test_the_crawl_settings_resolve_through_the_guarded_resolver() -> None:
    assert project_settings().get("TWISTED_DNS_RESOLVER") == "scrapers.middlewares.GuardedResolver"


def test_the_resolver_trusts_the_proxy_the_environment_names(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from twisted.internet import reactor

    from scrapers.middlewares import GuardedResolver, PrivateAnswer

    monkeypatch.setenv("https_proxy", "http://proxy.corp.local:3128")
    resolver = GuardedResolver(reactor, 10, 5.0)
    assert resolver._checked("10.0.0.5", "proxy.corp.local") == "10.0.0.5"
    assert resolver._checked("61.145.97.10", "www.zhuhai-hitech.gov.cn") == "61.145.97.10"
    with pytest.raises(PrivateAnswer):
        resolver._checked("10.0.0.5", "rebinding.example.cn")
    assert resolver.refused == {"rebinding.example.cn": "10.0.0.5"}
