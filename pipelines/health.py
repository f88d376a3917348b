"""Site health: whether each site's crawls still bring what they used to, from the database alone.

Rules over ``crawl_runs`` and ``articles``, each giving a reason when it fires:

- ``stale``: no article newer than the site usually goes without one;
- ``coverage``: the latest runs' articles carry a field (date, body, source,
  credits) far less often than the site's earlier articles did;
- ``fault_spike`` / ``fault_streak``: one kind of fault far above its usual
  count, or several runs in a row failed, timed out or were refused by robots.txt;
- ``list_broken``: list pages that used to list articles now list none.

A site with no finished run is ``unknown``. The thresholds have defaults here
and can be set per site in its file's ``[health]`` table.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pipelines.models import Article, CrawlRun, SiteHealth, utcnow

HEALTHY, UNHEALTHY, UNKNOWN = "healthy", "unhealthy", "unknown"
FAILED_STATUSES = frozenset({"failed", "timeout", "interrupted"})
COVERAGE_FIELDS = ("published_at", "body", "source", "credits")
# A body shorter than this is a caption or a stub, not the article's text.
BODY_CHARS = 40


def _rule(default: float, doc: str) -> Any:
    return field(default=default, metadata={"doc": doc})


@dataclass(frozen=True)
class HealthRules:
    """The thresholds of the rules; a site file's ``[health]`` table replaces any of them."""

    stale_days: float = _rule(7, "days without a new article that always count as stale")
    stale_gap_factor: float = _rule(
        3, "times the median gap between published articles that count as stale")
    coverage_runs: float = _rule(2, "latest runs with new articles whose articles are checked")
    coverage_min_articles: float = _rule(3, "fewest recent articles the coverage rule judges")
    coverage_norm_articles: float = _rule(10, "fewest earlier articles that make a norm")
    coverage_drop: float = _rule(
        0.5, "share of the norm lost that counts as a drop (0.5: half as often)")
    fault_spike_factor: float = _rule(5, "times a fault's median count that count as a spike")
    fault_spike_min: float = _rule(5, "fewest faults of one kind that can be a spike")
    fault_streak: float = _rule(3, "failed, timed-out or robots-refused runs in a row")
    history_runs: float = _rule(20, "earlier runs that make a site's norm")


THRESHOLDS: dict[str, str] = {f.name: f.metadata["doc"] for f in fields(HealthRules)}


def rules_for(overrides: Mapping[str, float]) -> HealthRules:
    return replace(HealthRules(), **dict(overrides))


@dataclass(frozen=True)
class Reason:
    rule: str
    message: str


@dataclass(frozen=True)
class Health:
    site: str
    state: str
    reasons: tuple[Reason, ...] = ()
    last_run_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"site": self.site, "state": self.state,
                "reasons": [{"rule": r.rule, "message": r.message} for r in self.reasons],
                "last_run_at": self.last_run_at.isoformat() if self.last_run_at else None}
