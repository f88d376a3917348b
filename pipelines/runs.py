"""Crawl runs: the run record, and the per-site lock that the running row itself is."""

from __future__ import annotations

import errno
import os
import socket
from collections.abc import Collection
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from pipelines.models import Article, CrawlRun, utcnow
from pipelines.runjournal import forget, pending_finals
from pipelines.runstats import LISTS_PREFIX, LISTS_UNFINISHED, RunFigures

STATUSES = ("running", "succeeded", "failed", "timeout", "interrupted")
TRIGGERS = ("manual", "schedule")
# A run that has not said anything for this long is taken for dead (its heartbeat is every few seconds).
STALE_AFTER = timedelta(minutes=10)
# Said of a run whose final record was written after its crawl, from the journal.
JOURNALED = "recorded later from its journal: the database was away when the crawl ended"


class AlreadyRunning(RuntimeError):
    """The site is being crawled by another run; ``str()`` says which, ``reason`` the same
    without the site's key, for a line or a table row that already names the site."""

    def __init__(self, site: str, run: CrawlRun | None) -> None:
        self.site = site
        self.run_id = run.id if run else None
        if run is None:
            self.reason = "already being crawled by another run"
        else:
            self.reason = (f"already being crawled by run {run.id} "
                           f"(pid {run.pid} on {run.hostname}, {run.trigger}, "
                           f"started {run.started_at:%Y-%m-%d %H:%M:%S} UTC)")
        super().__init__(f"{site}: {self.reason}")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return exc.errno == errno.EPERM
    return True


def _is_dead(run: CrawlRun, now: datetime) -> bool:
    if now - run.heartbeat_at > STALE_AFTER:
        return True  # silent for too long, wherever it ran (and whoever has its pid now)
    if run.hostname == socket.gethostname() and run.pid is not None:
        return not _pid_alive(run.pid)
    return False


def reap_interrupted(sessions: sessionmaker[Session], now: datetime | None = None) -> list[int]:
    """Mark runs whose process is gone (kill -9, power loss) as ``interrupted``; their ids.

    A run whose crawl finished while the database was away has its final record in the
    journal (``pipelines.runjournal``): that record is written onto it instead.
    """
    now = now or utcnow()
    reaped = record_journaled(sessions)
    with sessions.begin() as session:
        for run in session.scalars(select(CrawlRun).where(CrawlRun.status == "running")):
            if _is_dead(run, now):
                run.status = "interrupted"
                run.finished_at = run.heartbeat_at
                run.message = run.message or "the crawl process ended without finishing its run"
                _count_what_was_stored(session, run)
                reaped.append(run.id)
    return reaped


def record_journaled(sessions: sessionmaker[Session]) -> list[int]:
    """Write the final records kept on disk onto their runs; the ids of the runs written.

    Only a run still ``running``, or marked ``interrupted`` by a start that could not see the
    journal, takes its record; a record whose run is finished, gone or of another site is
    dropped. A file is removed once its run is committed.
    """
    engine = sessions.kw["bind"]
    done: list[int] = []
    for path, final in pending_finals(engine.url):
        with sessions.begin() as session:
            run = session.get(CrawlRun, final.run_id)
            if run is not None and run.site == final.site and run.status in (
                    "running", "interrupted"):
                _apply(run, final.figures, final.details)
                run.status = final.status
                run.finished_at = final.finished_at
                run.message = "; ".join(filter(None, (final.message, JOURNALED)))
                done.append(run.id)
        forget(path)
    return done


def _count_what_was_stored(session: Session, run: CrawlRun) -> None:
    """Set the article figures of a run that died from what the articles table says it wrote.

    Its last heartbeat can be seconds older than its last batch, and a crawl
    killed before its first heartbeat would show nothing at all. The running
    row is the site's lock, so every article of the site first seen, changed or
    seen again since the run started was written by this run.
    """
    started = run.started_at
    of_site = Article.site == run.site

    def count(*where: ColumnElement[bool]) -> int:
        return int(session.scalar(select(func.count()).select_from(Article)
                                  .where(of_site, *where)) or 0)

    new = count(Article.first_seen_at >= started)
    updated = count(Article.first_seen_at < started, Article.changed_at >= started)
    unchanged = count(Article.changed_at < started, Article.last_seen_at >= started)
    # Never below what the run itself reported: its figures count the same writes.
    run.articles_new = max(run.articles_new, new)
    run.articles_updated = max(run.articles_updated, updated)
    run.articles_unchanged = max(run.articles_unchanged, unchanged)


def start_run(sessions: sessionmaker[Session], site: str, trigger: str, *, full: bool = False,
              pid: int | None = None) -> int:
    """Insert the ``running`` row that is also the site's crawl lock; its id.

    The unique partial index on (site) where status = 'running' makes the
    database refuse a second running row, whichever process tries.
    """
    if trigger not in TRIGGERS:
        raise ValueError(f"trigger must be one of {TRIGGERS}")
    reap_interrupted(sessions)
    now = utcnow()
    run = CrawlRun(site=site, trigger=trigger, status="running", started_at=now,
                   heartbeat_at=now, pid=pid if pid is not None else os.getpid(),
                   hostname=socket.gethostname(), full=full, details={})
    try:
        with sessions.begin() as session:
            session.add(run)
    except IntegrityError:
        raise AlreadyRunning(site, running_run(sessions, site)) from None
    return run.id


def dispatched(sessions: sessionmaker[Session], run_id: int, node: str, job_id: str) -> None:
    """Record the Scrapyd node and job a run is sent to, before it is sent: a dispatcher that
    dies right after still leaves a run that says where its crawl went."""
    with sessions.begin() as session:
        run = session.get(CrawlRun, run_id)
        if run is not None:
            run.node, run.job_id = node, job_id


def claim_run(sessions: sessionmaker[Session], run_id: int) -> bool:
    """Make the run opened by a dispatcher this process's own; False when it no longer runs.

    From here on its pid and host are those of the crawl itself, so that the
    run is judged alive by the process that does the work. A run the
    dispatcher has given up (its node seemed gone, its job never started in
    time) is not taken: a second crawl of the site may already hold the lock.
    """
    with sessions.begin() as session:
        run = session.get(CrawlRun, run_id)
        if run is None or run.status != "running":
            return False
        run.pid = os.getpid()
        run.hostname = socket.gethostname()
        run.heartbeat_at = utcnow()
        return True


def touch_run(sessions: sessionmaker[Session], run_id: int) -> bool:
    """Keep a run waiting in a node's queue alive; False when it no longer runs."""
    with sessions.begin() as session:
        run = session.get(CrawlRun, run_id)
        if run is None or run.status != "running":
            return False
        run.heartbeat_at = utcnow()
        return True


def get_run(sessions: sessionmaker[Session], run_id: int) -> CrawlRun | None:
    with sessions() as session:
        return session.get(CrawlRun, run_id)


def running_run(sessions: sessionmaker[Session], site: str) -> CrawlRun | None:
    """The run that holds ``site``'s crawl lock, if one does."""
    with sessions() as session:
        return session.scalars(select(CrawlRun).where(
            CrawlRun.site == site, CrawlRun.status == "running")).first()


def run_of_process(sessions: sessionmaker[Session], site: str, pid: int,
                   since: datetime) -> CrawlRun | None:
    """The run of ``site`` that process ``pid`` on this host started after ``since``.

    How a parent finds the run of the child it started: the child takes the
    lock itself, so its run id is only known from the row.
    """
    with sessions() as session:
        return session.scalars(select(CrawlRun).where(
            CrawlRun.site == site, CrawlRun.pid == pid,
            CrawlRun.hostname == socket.gethostname(), CrawlRun.started_at >= since)
            .order_by(CrawlRun.id.desc()).limit(1)).first()


def previous_run(sessions: sessionmaker[Session], site: str,
                 current_run: int | None = None) -> CrawlRun | None:
    """The site's latest run other than ``current_run`` (the caller's own), if it has one."""
    with sessions() as session:
        return session.scalars(
            select(CrawlRun).where(CrawlRun.site == site, CrawlRun.id != (current_run or -1))
            .order_by(CrawlRun.id.desc()).limit(1)).first()


def stopped_short(run: CrawlRun) -> bool:
    """Whether ``run`` stopped before the end of its lists.

    Killed (still ``running``, or already reaped as ``interrupted``), stopped at its
    time limit, failed, or finished with a list page it could not read: the next
    crawl must then walk every list page, or the articles behind the point where
    that crawl stopped are never found.
    """
    unfinished_lists = (run.details or {}).get("lists", {}).get(
        LISTS_UNFINISHED.removeprefix(LISTS_PREFIX), 0)
    return run.status != "succeeded" or bool(unfinished_lists)


def record_progress(sessions: sessionmaker[Session], run_id: int, figures: RunFigures,
                    details: dict[str, Any]) -> bool:
    """Write the figures so far; doubles as the heartbeat that says the run is alive.

    False when the run no longer runs: whoever ended it (a dispatcher that lost
    sight of its node) may have let another crawl of the site start.
    """
    with sessions.begin() as session:
        run = session.get(CrawlRun, run_id)
        if run is None or run.status != "running":
            return False
        _apply(run, figures, details)
        run.heartbeat_at = utcnow()
        return True


def finish_run(sessions: sessionmaker[Session], run_id: int, status: str, figures: RunFigures,
               details: dict[str, Any], message: str | None = None) -> None:
    if status not in STATUSES or status == "running":
        raise ValueError(f"a run cannot finish as {status!r}")
    with sessions.begin() as session:
        run = session.get(CrawlRun, run_id)
        if run is None:
            return
        _apply(run, figures, details)
        run.status = status
        run.finished_at = run.heartbeat_at = utcnow()
        run.message = message


def mark_run(sessions: sessionmaker[Session], run_id: int, status: str, message: str, *,
             replacing: Collection[str] = ("running",)) -> None:
    """Set the final status of a run whose process could not (killed for a timeout, crashed).

    Only a run whose status is in ``replacing`` changes. A crawl stopped by a
    signal for its time limit records itself as ``interrupted`` on its way out;
    the process that sent the signal knows better and passes
    ``replacing=("running", "interrupted")`` to record a ``timeout``.
    """
    with sessions.begin() as session:
        run = session.get(CrawlRun, run_id)
        if run is None or run.status not in replacing:
            return
        if run.status == "running":   # its process never wrote its final figures
            _count_what_was_stored(session, run)
        run.status = status
        run.finished_at = run.finished_at or utcnow()
        run.message = message


def _apply(run: CrawlRun, figures: RunFigures, details: dict[str, Any]) -> None:
    run.pages_fetched = figures.pages_fetched
    run.articles_new = figures.articles_new
    run.articles_updated = figures.articles_updated
    run.articles_unchanged = figures.articles_unchanged
    run.errors = figures.errors
    run.details = details
