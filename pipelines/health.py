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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from datetime import datetime, timedelta
from itertools import pairwise
from statistics import median
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from pipelines.models import Article, CrawlRun, SiteHealth, utcnow

HEALTHY, UNHEALTHY, UNKNOWN = "healthy", "unhealthy", "unknown"
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
    coverage_min_articles: float = _rule(
        3, "fewest articles of the latest runs that the coverage rule judges")
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


def _median(values: list[float]) -> float:
    return float(median(values)) if values else 0.0


def _list_without_articles(run: CrawlRun) -> int:
    return int((run.details or {}).get("filtered", {}).get("list_without_articles", 0))


def _refused_by_robots(run: CrawlRun) -> bool:
    details = run.details or {}
    return run.pages_fetched == 0 and bool(details.get("filtered", {}).get("robots_txt"))


def _faults(run: CrawlRun) -> dict[str, int]:
    return {k: int(v) for k, v in ((run.details or {}).get("errors") or {}).items()}


def _days(delta: timedelta) -> str:
    days = delta.total_seconds() / 86400
    return f"{days:.1f} days" if days < 10 else f"{days:.0f} days"


def site_health(session: Session, site: str, rules: HealthRules | None = None,
                now: datetime | None = None) -> Health:
    """The state of ``site`` now, with every rule that fired as a reason."""
    rules = rules or HealthRules()
    now = now or utcnow()
    runs = list(session.scalars(
        select(CrawlRun).where(CrawlRun.site == site, CrawlRun.status != "running")
        .order_by(CrawlRun.id.desc()).limit(int(rules.history_runs) + 1)))
    if not runs:
        return Health(site, UNKNOWN, (Reason("no_runs", "no finished crawl yet"),))
    reasons = [*_streak(runs, rules), *_spike(runs, rules), *_list_broken(runs),
               *_stale(session, site, rules, now), *_coverage(session, site, runs, rules)]
    return Health(site, UNHEALTHY if reasons else HEALTHY, tuple(reasons), runs[0].started_at)


def _streak(runs: list[CrawlRun], rules: HealthRules) -> list[Reason]:
    n = max(int(rules.fault_streak), 1)
    latest = runs[:n]
    if len(latest) < n:
        return []
    bad = [r.status if r.status in ("failed", "timeout") else "refused by robots.txt"
           for r in latest if r.status in ("failed", "timeout") or _refused_by_robots(r)]
    if len(bad) < n:
        return []
    kinds = ", ".join(f"{k} {bad.count(k)}" for k in dict.fromkeys(bad))
    return [Reason("fault_streak", f"the last {n} runs did not succeed ({kinds})")]


def _spike(runs: list[CrawlRun], rules: HealthRules) -> list[Reason]:
    latest, earlier = runs[0], runs[1:]
    if not earlier:
        return []
    out = []
    for kind, n in sorted(_faults(latest).items()):
        usual = _median([float(_faults(r).get(kind, 0)) for r in earlier])
        if n >= rules.fault_spike_min and n > rules.fault_spike_factor * usual:
            out.append(Reason("fault_spike", f"{n} faults of kind {kind} in the last run "
                                             f"(usually {usual:g})"))
    return out


def _list_broken(runs: list[CrawlRun]) -> list[Reason]:
    latest, earlier = runs[0], [r for r in runs[1:] if (r.details or {}).get("pages", {}).get("list")]
    empty = _list_without_articles(latest)
    if not earlier or not empty:
        return []
    usual = _median([float(_list_without_articles(r)) for r in earlier])
    if empty <= usual:
        return []
    return [Reason("list_broken", f"{empty} list page(s) listed no article in the last run "
                                  f"(usually {usual:g})")]


def _stale(session: Session, site: str, rules: HealthRules, now: datetime) -> list[Reason]:
    dates = sorted(d for d in session.scalars(
        select(Article.published_at).where(Article.site == site,
                                           Article.published_at.is_not(None))
        .order_by(Article.published_at.desc()).limit(int(rules.history_runs) * 5)) if d)
    if not dates:
        return []
    gaps = [(b - a).total_seconds() for a, b in pairwise(dates)]
    allowed = max(timedelta(days=rules.stale_days),
                  timedelta(seconds=rules.stale_gap_factor * _median(gaps)))
    quiet = now - dates[-1]
    if quiet <= allowed:
        return []
    return [Reason("stale", f"no article published for {_days(quiet)} (allowed {_days(allowed)}; "
                            f"latest {dates[-1]:%Y-%m-%d})")]


def _coverage(session: Session, site: str, runs: list[CrawlRun],
              rules: HealthRules) -> list[Reason]:
    """Compare the articles of the latest runs that brought any with the articles before them."""
    gathered, cutoff = 0, None
    for run in runs:
        if run.articles_new > 0:
            gathered += run.articles_new
            cutoff = run.started_at
            if gathered >= rules.coverage_min_articles:
                break
    if cutoff is None or gathered < rules.coverage_min_articles:
        return []
    columns = (Article.published_at, func.length(Article.body_text), Article.source,
               Article.authors, Article.photographers, Article.editors,
               Article.responsible_editors)
    recent = session.execute(select(*columns).where(
        Article.site == site, Article.first_seen_at >= cutoff)).all()
    norm = session.execute(select(*columns).where(
        Article.site == site, Article.first_seen_at < cutoff)
        .order_by(Article.first_seen_at.desc()).limit(int(rules.history_runs) * 10)).all()
    if len(recent) < rules.coverage_min_articles or len(norm) < rules.coverage_norm_articles:
        return []
    out = []
    for name in COVERAGE_FIELDS:
        before, now_ = _share(norm, name), _share(recent, name)
        if before >= 0.5 and now_ < before * (1 - rules.coverage_drop):
            out.append(Reason("coverage", f"{name}: {now_:.0%} of the {len(recent)} newest "
                                          f"articles have it, against {before:.0%} before"))
    return out


def _share(rows: Sequence[Any], name: str) -> float:
    def has(row: Any) -> bool:
        if name == "published_at":
            return row[0] is not None
        if name == "body":
            return (row[1] or 0) >= BODY_CHARS
        if name == "source":
            return bool(row[2])
        return any(row[3:7])
    return sum(1 for row in rows if has(row)) / len(rows)


def sites_health(sessions: sessionmaker[Session], sites: Mapping[str, HealthRules],
                 now: datetime | None = None) -> dict[str, Health]:
    """The state of each site, keyed as ``sites`` is (each with its own thresholds)."""
    with sessions() as session:
        return {key: site_health(session, key, rules, now) for key, rules in sites.items()}


def record_health(sessions: sessionmaker[Session], healths: Mapping[str, Health],
                  now: datetime | None = None) -> list[str]:
    """Keep each site's latest state in ``site_health``; the sites whose state changed."""
    now = now or utcnow()
    changed = []
    with sessions.begin() as session:
        for key, health in healths.items():
            row = session.get(SiteHealth, key)
            reasons = [{"rule": r.rule, "message": r.message} for r in health.reasons]
            if row is None:
                session.add(SiteHealth(site=key, state=health.state, reasons=reasons,
                                       checked_at=now, changed_at=now))
                changed.append(key)
                continue
            if row.state != health.state:
                row.changed_at = now
                changed.append(key)
            row.state, row.reasons, row.checked_at = health.state, reasons, now
    return changed
