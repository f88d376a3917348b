"""The figures of a crawl, read from Scrapy's stats: what a run record and the progress line show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PAGES_LIST = "zonenews/pages/list"
PAGES_ARTICLE = "zonenews/pages/article"
ERROR_PREFIX = "zonenews/errors/"
FILTERED_PREFIX = "zonenews/filtered/"
DROPPED_PREFIX = "articles/dropped/"


@dataclass(frozen=True)
class RunFigures:
    pages_fetched: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    errors: int = 0


def _by_prefix(stats: Mapping[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: int(v) for k, v in stats.items()
            if k.startswith(prefix) and isinstance(v, int | float)}


def figures_from_stats(stats: Mapping[str, Any]) -> RunFigures:
    errors = _by_prefix(stats, ERROR_PREFIX)
    spider_exc = int(stats.get("spider_exceptions/count", 0))
    return RunFigures(
        pages_fetched=int(stats.get(PAGES_LIST, 0)) + int(stats.get(PAGES_ARTICLE, 0)),
        articles_new=int(stats.get("articles/new", 0)),
        articles_updated=int(stats.get("articles/updated", 0)),
        articles_unchanged=int(stats.get("articles/unchanged", 0)),
        errors=sum(errors.values()) + spider_exc,
    )


def details_from_stats(stats: Mapping[str, Any]) -> dict[str, Any]:
    """Counts per kind of fault and per reason an item was dropped, for the run record."""
    errors = _by_prefix(stats, ERROR_PREFIX)
    spider_exc = _by_prefix(stats, "spider_exceptions/")
    spider_exc.pop("count", None)
    for name, n in spider_exc.items():
        errors[f"spider_exception/{name}"] = n
    details: dict[str, Any] = {
        "pages": {"list": int(stats.get(PAGES_LIST, 0)),
                  "article": int(stats.get(PAGES_ARTICLE, 0))},
        "errors": errors,
        "dropped": _by_prefix(stats, DROPPED_PREFIX),
        "filtered": _by_prefix(stats, FILTERED_PREFIX),
        "retries": int(stats.get("retry/count", 0)),
    }
    if stats.get("articles/no_date"):
        details["no_date"] = int(stats["articles/no_date"])
    return details
