"""Canonical article URLs: one article, one URL, however a page links to it."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_TRACKING_PARAMS = re.compile(r"^(utm_\w+|spm|from|share_?from|isappinstalled|wxfrom|scene|clicktime)$")
# The Guangdong cluster serves a mobile twin of every post: mpost_<id> is post_<id>.
_MOBILE_TWIN = re.compile(r"/mpost_(\d+)(\.s?html?)$")


def canonical_url(url: str) -> str:
    """The URL under which an article is stored.

    Lower-cased scheme and host, no default port, no fragment, no tracking
    parameters, sorted query, ``mpost_`` twins folded onto ``post_``. Two links
    to the same article must give the same string, or it would be stored twice.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a port that is not a number, an unclosed IPv6 host: keep it as it is
        return text
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    path = _MOBILE_TWIN.sub(r"/post_\1\2", parts.path or "/")
    query = urlencode(
        sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
               if not _TRACKING_PARAMS.match(k.lower()))
    )
    return urlunsplit((scheme, netloc, path, query, ""))


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def on_domains(url: str, domains: frozenset[str]) -> bool:
    """Whether ``url`` is on one of ``domains`` or a subdomain of one."""
    host = host_of(url)
    return any(host == d or host.endswith("." + d) for d in domains)
