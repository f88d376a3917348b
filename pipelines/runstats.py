"""The figures of a crawl, read from Scrapy's stats: what a run record and the progress line show.

The spider and its middlewares count under these keys; the store, the run record and
the scheduler read them. They live on the store's side so it never imports the crawl's.

Every fault is counted under one key: ``zonenews/errors/<kind>`` for a page the site
failed to give us, ``zonenews/filtered/<reason>`` for a request we chose not to send,
``articles/dropped/<reason>`` for a page that was not a usable article. Text under
``zonenews/notes/`` explains a run's outcome in its message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PAGES_LIST = "zonenews/pages/list"
PAGES_ARTICLE = "zonenews/pages/article"
ERROR_PREFIX = "zonenews/errors/"
FILTERED_PREFIX = "zonenews/filtered/"
DROPPED_PREFIX = "articles/dropped/"
LISTS_PREFIX = "zonenews/lists/"
NOTE_PREFIX = "zonenews/notes/"
# A list page that could not be read: the lists were not walked to their end.
LISTS_UNFINISHED = LISTS_PREFIX + "unfinished"
# Articles read but never written (the database refused them): an error of the run, which the
# next crawl fetches again because the run then did not succeed.
NOT_STORED = ERROR_PREFIX + "not_stored"
# Spells when the database took no write and fetching was paused, and the seconds they lasted.
STORE_PREFIX = "zonenews/store/"
STORE_OUTAGES = STORE_PREFIX + "outages"
STORE_WAITED = STORE_PREFIX + "waited_seconds"
# A start page with no link the site's article_url_pattern matches: most often a pattern
# that is wrong, so the run fails rather than succeed with nothing.
START_WITHOUT_ARTICLES = LISTS_PREFIX + "start_without_articles"


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
    lists = _by_prefix(stats, LISTS_PREFIX)
    if lists:
        details["lists"] = lists
    if stats.get("articles/no_date"):
        details["no_date"] = int(stats["articles/no_date"])
    if stats.get(NOT_STORED):
        details["not_stored"] = int(stats[NOT_STORED])
    if stats.get(STORE_OUTAGES):
        details["store"] = {"outages": int(stats[STORE_OUTAGES]),
                            "waited_seconds": round(float(stats.get(STORE_WAITED, 0.0)), 1)}
    return details


def notes_from_stats(stats: Mapping[str, Any]) -> list[str]:
    """The sentences that explain a run's outcome (a robots.txt that could not be read…)."""
    return [str(v) for k, v in sorted(stats.items()) if k.startswith(NOTE_PREFIX)]
