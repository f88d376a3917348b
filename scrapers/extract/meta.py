"""Meta tags and JSON-LD: the page's own statements about itself, the most stable signal."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from .document import Element, squash

_ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenewsarticle",
                            "analysisnewsarticle", "posting", "socialmediaposting"})
_METAS = etree.XPath("//meta")
_JSON_LD = etree.XPath("//script[@type='application/ld+json']/text()")
_TITLE = etree.XPath("string((//head/title | //title)[1])")
# One page names its date metas a dozen ways; these mean "first published".
PUBLISHED_NAMES = ("pubdate", "firstpublishedtime", "article:published_time",
                   "og:article:published_time", "publishdate", "publish_time", "publishtime",
                   "publish-date", "releasedate", "dc.date.issued", "dc.date", "dcterms.issued",
                   "date")


@dataclass
class PageMeta:
    """Meta values by lower-cased name, and the page's JSON-LD article, if any."""

    values: dict[str, str] = field(default_factory=dict)
    article: dict[str, Any] = field(default_factory=dict)
    title: str = ""

    def get(self, *names: str) -> str | None:
        for name in names:
            value = self.values.get(name)
            if value:
                return value
        return None

    def every(self, names: Iterable[str]) -> list[str]:
        """Every value among ``names``, in the order of the names."""
        return [self.values[name] for name in names if self.values.get(name)]

    def ld_text(self, key: str) -> str | None:
        value = self.article.get(key)
        if isinstance(value, list):
            value = ", ".join(str(item) for item in value if isinstance(item, (str, int)))
        return squash(str(value)) or None if isinstance(value, (str, int)) else None

    def ld_names(self, key: str) -> list[str]:
        """Names of ``author``-like JSON-LD values, which are a string, an object or a list."""
        value = self.article.get(key)
        items = value if isinstance(value, list) else [value]
        names = []
        for item in items:
            name = item.get("name") if isinstance(item, dict) else item
            if isinstance(name, str) and squash(name):
                names.append(squash(name))
        return names


def read_meta(root: Element) -> PageMeta:
    meta = PageMeta(title=squash(_TITLE(root)))
    for element in _METAS(root):
        content = squash(element.get("content"))
        if not content:
            continue
        for attribute in ("name", "property", "http-equiv", "itemprop"):
            name = (element.get(attribute) or "").strip().lower()
            if name and name not in meta.values:
                meta.values[name] = content
    for script in _JSON_LD(root):
        article = next(_articles(_load(script)), None)
        if article is not None:
            meta.article = article
            break
    return meta


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _articles(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for item in data:
            yield from _articles(item)
    elif isinstance(data, dict):
        kinds = data.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(kind, str) and kind.lower() in _ARTICLE_TYPES for kind in kinds):
            yield data
        yield from _articles(data.get("@graph"))
