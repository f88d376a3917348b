"""Absolute link targets, each href resolved once per page: list pages repeat them a lot."""

from __future__ import annotations

from urllib.parse import urldefrag, urljoin, urlsplit

_NOT_LINKS = ("#", "javascript:", "mailto:", "tel:")


class Resolver:
    def __init__(self, base: str) -> None:
        self.base = base
        parts = urlsplit(base)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self._seen: dict[str, str | None] = {}

    def __call__(self, href: str | None) -> str | None:
        """The absolute http(s) URL of ``href`` without fragment, or None for non-links."""
        key = href or ""
        if key not in self._seen:
            self._seen[key] = self._resolve(key.strip())
        return self._seen[key]

    def _resolve(self, href: str) -> str | None:
        if not href or href.lower().startswith(_NOT_LINKS):
            return None
        if "/." not in href and "\\" not in href and " " not in href:
            # the two shapes most links have, without urllib's general machinery
            if href.startswith(("http://", "https://")):
                return href.partition("#")[0]
            if href.startswith("/") and not href.startswith("//"):
                return self._origin + href.partition("#")[0]
        try:
            url = urldefrag(urljoin(self.base, href))[0]
            return url if urlsplit(url).scheme in {"http", "https"} else None
        except ValueError:  # an unclosed IPv6 host, a host NFKC changes: not a link we can follow
            return None
