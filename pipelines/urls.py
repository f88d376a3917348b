"""Article URLs: the one form an article is stored under, and what a site's URLs may mean.

The crawl, the store and the read side all canonicalise here, so a link, a stored
row and a URL a user types name one article alike. w3lib (Scrapy's own URL
library) normalises percent-encoding, sorts the query and drops the fragment;
this module adds what makes two links one article on a zone site: no user
name, no default port, no tracking parameters.

A rule that holds for one family of sites only is named in ``URL_RULES`` and
applies where a site file lists it under ``url_rules``, never by default.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from urllib.parse import unquote, urlsplit, urlunsplit

from w3lib.url import canonicalize_url

# ``/mpost_<id>.html`` is the mobile twin of ``/post_<id>.html``: one article under two URLs.
MPOST_TWIN = "mpost-twin"
# ``AP`` + 8 hex digits of Unix seconds + 16 hex digits: the id carries the article's creation time.
AP_HEX_TIME = "ap-hex-time"
URL_RULES = {
    MPOST_TWIN: "an article URL …/mpost_<id>.html is the same article as …/post_<id>.html",
    AP_HEX_TIME: "an article id AP<8 hex digits of Unix seconds><16 hex digits> carries the "
                 "time the article was made: its date when the page gives none",
}

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = re.compile(r"^(utm_\w+|spm|from|share_?from|isappinstalled|wxfrom|scene|clicktime)$")
_MOBILE_TWIN = re.compile(r"/mpost_(\d+)(\.s?html?)$")


def canonical_url(url: str, rules: Collection[str] = ()) -> str:
    """The URL under which an article is stored.

    Lower-cased scheme and host, no user name, no default port, no fragment, no
    tracking parameters, sorted query, percent-encoding in one form (UTF-8,
    upper-case hex, unreserved characters plain); then the site's ``rules``
    (names of ``URL_RULES``). Two links to the same article must give the same
    string, or it would be stored twice. Text that is no URL comes back as it is.
    """
    text = url.strip()
    try:
        parts = urlsplit(canonicalize_url(text))
        port = parts.port
    except ValueError:   # a port that is not a number, an unclosed IPv6 host
        return text
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    if MPOST_TWIN in rules:
        path = _MOBILE_TWIN.sub(r"/post_\1\2", path)
    # w3lib has sorted the pairs and encoded them; dropping some keeps both.
    query = "&".join(pair for pair in parts.query.split("&") if pair and not _TRACKING_PARAMS.match(
        unquote(pair.split("=", 1)[0]).lower()))
    return urlunsplit((scheme, netloc, path, query, ""))


def rules_seen(urls: Iterable[str]) -> list[str]:
    """The url_rules a column's article links show it needs: what ``zonenews sites add`` writes.

    A link to an ``mpost_`` twin means the column links both forms of its posts.
    """
    return [MPOST_TWIN] if any(_MOBILE_TWIN.search(urlsplit(u).path) for u in urls) else []


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def on_domains(url: str, domains: frozenset[str]) -> bool:
    """Whether ``url`` is on one of ``domains`` or a subdomain of one."""
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)
