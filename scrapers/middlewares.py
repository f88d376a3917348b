"""Downloader middlewares that keep a crawl where it belongs: no private addresses, no redirect loops
or redirects off the site, and robots.txt read the way RFC 9309 says.

Each refusal is counted in the crawl's stats under its own key, so the run record says what was
refused and why; the request's errback then receives ``Refused`` and knows it is already counted.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, Self
from urllib.parse import urlsplit
from urllib.request import getproxies

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy.resolver import CachingThreadedResolver
from scrapy.robotstxt import RobotParser
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError
from twisted.internet.threads import deferToThread

from pipelines.runstats import ERROR_PREFIX, FILTERED_PREFIX, NOTE_PREFIX
from pipelines.urls import host_of, on_domains
from scrapers.stats import error_kind

logger = logging.getLogger(__name__)

Resolver = Callable[[str], Awaitable[Sequence[str]]]

# RFC 9309 §2.3.1.4: an unreachable robots.txt means the whole site is disallowed.
DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


class Refused(IgnoreRequest):
    """A request zonenews chose not to send (or whose answer it threw away), counted as ``stat``."""

    def __init__(self, stat: str, message: str) -> None:
        super().__init__(message)
        self.stat = stat


def refuse(stats: StatsCollector | None, stat: str, message: str) -> Refused:
    if stats is not None:
        stats.inc_value(stat)
    return Refused(stat, message)


def is_public_address(address: str) -> bool:
    """Whether a connection to ``address`` leaves this machine and its private networks.

    Loopback, private, link-local (the cloud metadata service at 169.254.169.254),
    shared, reserved, multicast and unspecified addresses are not public; an IPv6
    address that maps or embeds an IPv4 one is judged by that IPv4 address.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is not None:
            ip = embedded
    return ip.is_global and not ip.is_multicast


def _is_ip_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    return True


async def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to, looked up off the reactor thread."""
    infos: list[Any] = await maybe_deferred_to_future(
        deferToThread(socket.getaddrinfo, host, None, proto=socket.IPPROTO_TCP))
    return [str(info[4][0]) for info in infos]


def _start_urls(spider: Spider) -> Iterable[str]:
    site = getattr(spider, "site", None)
    return site.start_urls if site is not None else getattr(spider, "start_urls", ())


def start_hosts(spider: Spider) -> frozenset[str]:
    """The hosts of a spider's own start URLs: the only ones it may reach on a private address."""
    return frozenset(host_of(url) for url in _start_urls(spider))


def host_port(url: str) -> tuple[str, int]:
    """``(host, port)`` of a URL, the port its scheme implies when none is written."""
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    return ((parts.hostname or "").lower(),
            port or (443 if parts.scheme == "https" else 80))


def start_endpoints(spider: Spider) -> frozenset[tuple[str, int]]:
    """Host and port of each start URL: trust on a private address goes to these services only."""
    return frozenset(host_port(url) for url in _start_urls(spider))


class PrivateAnswer(DNSLookupError):
    """A host name that is not a start host resolved to a loopback, private or reserved address."""


class GuardedResolver(CachingThreadedResolver):
    """Scrapy's resolver, refusing private answers for host names no start URL names.

    The address checked is the address connected to: Twisted connects to the answer this
    resolver gives, so a name that answers a public address to one look-up and a private
    one to the next (DNS rebinding) cannot slip between a check and the connection. The
    start hosts of every crawl in the process are trusted (PrivateAddressGuard tells it
    which); a link to one of them is still held to its start URL's port by the guard.
    """

    def __init__(self, reactor: Any, cache_size: int, timeout: float) -> None:
        super().__init__(reactor, cache_size, timeout)
        # The proxies the environment names (often on a private address) are the operator's own.
        self.trusted: frozenset[str] = frozenset(
            host for host in (urlsplit(url).hostname for scheme, url in getproxies().items()
                              if scheme != "no") if host)
        # Names refused, with the address they gave: Twisted reports a refused look-up as
        # "no results", so the guard asks here why a download found no address.
        self.refused: dict[str, str] = {}

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        return super().getHostByName(name, timeout).addCallback(self._checked, name)

    def _checked(self, address: str, name: str) -> str:
        if name.lower() in self.trusted or is_public_address(address):
            return address
        self.refused[name.lower()] = address
        raise PrivateAnswer(name, f"resolves to {address}, a loopback, private or reserved address")


def guarded_resolver() -> GuardedResolver | None:
    """The resolver installed on the reactor, when it is zonenews's own."""
    from twisted.internet import reactor

    resolver = getattr(reactor, "resolver", None)
    return resolver if isinstance(resolver, GuardedResolver) else None


class PrivateAddressGuard:
    """Refuse requests to loopback, private, link-local or reserved addresses.

    A link or a redirect on a public site must not make the crawler fetch from the
    machine it runs on or from its network (SSRF). Only the hosts of the site's own
    start URLs are trusted wherever they are, so a site on an intranet still works.
    The host is resolved before the request is sent, and the address the answer
    actually came from is checked again (a name that changed its address in between).
    """

    def __init__(self, stats: StatsCollector | None,
                 trusted: Iterable[str | tuple[str, int]] = (),
                 resolve: Resolver = resolve_host) -> None:
        self.stats = stats
        self.trusted = _endpoints(trusted)
        self.resolve = resolve
        self.public: dict[str, bool] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        guard = cls(crawler.stats)
        crawler.signals.connect(guard.spider_opened, signal=signals.spider_opened)
        return guard

    def spider_opened(self, spider: Spider) -> None:
        self.trusted = start_endpoints(spider)
        resolver = guarded_resolver()
        if resolver is not None:
            resolver.trusted = resolver.trusted | start_hosts(spider)

    async def process_request(self, request: Request) -> None:
        host, port = host_port(request.url)
        if not host or (host, port) in self.trusted:
            return
        refused = self._refused_answer(host)
        if refused is not None:
            raise self._refuse(request, refused)
        if not await self._is_public(host):
            raise self._refuse(request, f"{host}:{port}")

    def process_response(self, request: Request, response: Response) -> Response:
        host, port = host_port(request.url)
        peer = response.ip_address
        if (host, port) in self.trusted or peer is None or is_public_address(str(peer)):
            return response
        raise self._refuse(request, f"{host} ({peer})")

    def process_exception(self, request: Request, exception: BaseException) -> None:
        refused = self._refused_answer(host_port(request.url)[0])
        if refused is not None:
            raise self._refuse(request, refused)

    @staticmethod
    def _refused_answer(host: str) -> str | None:
        resolver = guarded_resolver()
        address = resolver.refused.get(host) if resolver is not None else None
        return f"{host} ({address})" if address else None

    async def _is_public(self, host: str) -> bool:
        if host not in self.public:
            if _is_ip_literal(host):
                addresses: Sequence[str] = [host]
            else:
                try:
                    addresses = await self.resolve(host)
                except OSError:
                    return True  # not an address at all: the download fails with its own DNS error
            self.public[host] = bool(addresses) and all(is_public_address(a) for a in addresses)
        return self.public[host]

    def _refuse(self, request: Request, where: str) -> Refused:
        logger.warning("not fetching %s: %s is a private address", request.url, where)
        return refuse(self.stats, FILTERED_PREFIX + "private_address",
                      f"{where} is a loopback, private or reserved address")


def _endpoints(trusted: Iterable[str | tuple[str, int]]) -> frozenset[tuple[str, int]]:
    """Host-and-port pairs; a bare host means its http port, 80."""
    return frozenset((t.lower(), 80) if isinstance(t, str) else (t[0].lower(), t[1])
                     for t in trusted)


class RedirectGuard:
    """Stop, and count, a redirect that loops or leaves the site's domains.

    It acts when Scrapy schedules the redirected request: before the duplicate
    filter, which would otherwise drop a loop without a word, and for start URLs,
    whose requests the off-site filter lets through.
    """

    def __init__(self, stats: StatsCollector | None, domains: Iterable[str] = ()) -> None:
        self.stats = stats
        self.domains = frozenset(domains)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        guard = cls(crawler.stats)
        crawler.signals.connect(guard.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(guard.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(guard.request_dropped, signal=signals.request_dropped)
        return guard

    def spider_opened(self, spider: Spider) -> None:
        self.domains = frozenset(getattr(spider, "allowed_domains", None) or ())

    def request_scheduled(self, request: Request) -> None:
        chain: list[str] = request.meta.get("redirect_urls") or []
        if not chain:
            return
        if request.url in chain:
            logger.warning("redirect loop: %s", " -> ".join([*chain, request.url]))
            raise refuse(self.stats, ERROR_PREFIX + "redirect_loop",
                         f"redirect loop back to {request.url}")
        if self.domains and not on_domains(request.url, self.domains):
            logger.warning("not following %s off the site to %s", chain[0], request.url)
            raise refuse(self.stats, ERROR_PREFIX + "offsite_redirect",
                         f"redirect off the site to {request.url}")

    def request_dropped(self, request: Request) -> None:
        if request.meta.get("redirect_urls") and self.stats is not None:
            self.stats.inc_value(FILTERED_PREFIX + "redirect_to_seen")


class MetaRefreshGuard(MetaRefreshMiddleware):
    """Scrapy's meta refresh, except that a refresh no request can be made for keeps the page.

    Scrapy builds the request before it checks the scheme, so ``url=javascript:…`` raises
    ValueError and the page, often the article itself, is lost.
    """

    # Scrapy's signature still names the spider argument it no longer passes.
    def process_response(  # type: ignore[override]
            self, request: Request, response: Response) -> Request | Response:
        try:
            return super().process_response(request, response)
        except ValueError as exc:
            logger.debug("not following the meta refresh of %s: %s", response.url, exc)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(FILTERED_PREFIX + "bad_refresh")
            return response


class Rfc9309RobotsTxt(RobotsTxtMiddleware):
    """robots.txt as RFC 9309 reads it, where Scrapy's reading is more lenient.

    A 4xx answer means there are no rules. A 5xx answer, a timeout or any other
    failure to get the file means the whole host is disallowed for this crawl: the
    run records ``robots_unavailable`` and says why in its message. A page that the
    rules forbid is counted as ``filtered/robots_txt``.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.parser_class: type[RobotParser] = load_object(
            crawler.settings.get("ROBOTSTXT_PARSER"))
        self.policies: dict[str, RobotParser | Deferred[RobotParser]] = {}

    async def robot_parser(self, request: Request) -> RobotParser:
        url = urlparse_cached(request)
        policy = self.policies.get(url.netloc)
        if policy is None:
            waiting: Deferred[RobotParser] = Deferred()
            self.policies[url.netloc] = waiting
            parser = await self._fetch(f"{url.scheme}://{url.netloc}/robots.txt", url.netloc)
            self.policies[url.netloc] = parser
            waiting.callback(parser)
            return parser
        if isinstance(policy, Deferred):
            return await maybe_deferred_to_future(policy)
        return policy

    async def _fetch(self, robots_url: str, netloc: str) -> RobotParser:
        assert self.crawler.engine is not None
        request = Request(robots_url, priority=self.DOWNLOAD_PRIORITY,
                          meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
        self._stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as exc:
            return self._unavailable(netloc, error_kind(exc))
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        if response.status >= 500:
            return self._unavailable(netloc, f"http_{response.status}")
        return self._parser(b"" if response.status >= 400 else response.body)

    def _unavailable(self, netloc: str, why: str) -> RobotParser:
        logger.warning("robots.txt of %s could not be read (%s): the site counts as disallowed "
                       "for this crawl", netloc, why)
        self._stats.inc_value(ERROR_PREFIX + "robots_unavailable")
        self._stats.set_value(
            f"{NOTE_PREFIX}robots/{netloc}",
            f"robots.txt of {netloc} could not be read ({why}): the site counts as "
            "disallowed for this crawl (RFC 9309; set obey_robots = false to override)")
        return self._parser(DISALLOW_ALL)

    def _parser(self, body: bytes) -> RobotParser:
        parser: RobotParser = build_from_crawler(self.parser_class, self.crawler, body)
        return parser

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            raise refuse(self._stats, FILTERED_PREFIX + "robots_txt",
                         "forbidden by robots.txt") from None
