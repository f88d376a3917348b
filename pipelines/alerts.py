"""Alerts: tell the configured targets once when a site turns unhealthy, and once when it recovers.

Targets are apprise URLs (``json://``, ``mailto://``, ``dingtalk://``, ``wecombot://``,
``feishu://``, ``slack://`` …): every site's from ``ZONENEWS_ALERTS`` (separated by
white space) plus its own ``alerts`` list in its site file. ``site_health`` remembers
the state the targets were last told of, so a change is announced once however many
runs see it, and a notification that fails is simply tried again after the next run.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from pipelines.health import HEALTHY, UNHEALTHY, Health
from pipelines.models import SiteHealth, utcnow

logger = logging.getLogger(__name__)

ALERTS_ENV = "ZONENEWS_ALERTS"


def alert_targets_from_env() -> list[str]:
    return os.environ.get(ALERTS_ENV, "").split()


def _due(row: SiteHealth) -> bool:
    """Whether the targets have not been told of the site's state yet."""
    if row.state == UNHEALTHY:
        return row.notified_state != UNHEALTHY
    return row.state == HEALTHY and row.notified_state == UNHEALTHY


def _message(site: str, health: Health) -> tuple[str, str]:
    if health.state == UNHEALTHY:
        lines = [f"- {r.message}" for r in health.reasons]
        return f"zonenews: {site} is unhealthy", "\n".join([f"{site} is unhealthy:", *lines])
    return f"zonenews: {site} is healthy again", f"{site} is healthy again."


def send(targets: Sequence[str], title: str, body: str) -> bool:
    """Notify every target; whether all of them took it."""
    import apprise

    notifier = apprise.Apprise()
    for url in targets:
        if not notifier.add(url):
            logger.error("alert target %r is not an apprise URL; skipped", url)
    if not len(notifier):
        return False
    return bool(notifier.notify(title=title, body=body))


def notify_changes(sessions: sessionmaker[Session], healths: Mapping[str, Health],
                   targets: Mapping[str, Sequence[str]]) -> list[str]:
    """Send the alerts that are due for these sites; the sites whose alert went out.

    A failed notification is logged and left due, so the next run tries again;
    it never raises.
    """
    sent: list[str] = []
    with sessions() as session:
        due = [row.site for row in session.scalars(
            select(SiteHealth).where(SiteHealth.site.in_(list(healths)))) if _due(row)]
    for site in due:
        urls = targets.get(site) or []
        if not urls:
            continue
        title, body = _message(site, healths[site])
        try:
            ok = send(urls, title, body)
        except Exception:  # a broken notifier must never break the crawl that called it
            logger.exception("%s: the alert could not be sent", site)
            ok = False
        if not ok:
            logger.warning("%s: the alert (%s) was not delivered; it is tried again after the "
                           "next run", site, healths[site].state)
            continue
        _mark_notified(sessions, site, healths[site].state)
        sent.append(site)
    return sent


def _mark_notified(sessions: sessionmaker[Session], site: str, state: str) -> None:
    with sessions.begin() as session:
        row = session.get(SiteHealth, site)
        if row is not None:
            row.notified_state, row.notified_at = state, utcnow()
