"""The periodic crawls: one APScheduler job per scheduled site, handed to one launcher.

The scheduler is the one place that decides *when* a site is crawled; where
the crawl runs is the launcher's business (``scrapers.launchers``): a child
process of this machine by default, a Scrapyd node with ``--scrapyd URL``.
Either way the site's crawl lock (its ``running`` row) keeps a scheduled crawl
and a one-off ``zonenews crawl`` of the same site from overlapping.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from pipelines.db import DatabaseError, database_url
from pipelines.queries import SiteState, iso, site_states
from pipelines.runs import reap_interrupted, stopped_short
from scrapers.launchers import Launcher, format_duration
from scrapers.launchers.local import ChildCrawls
from scrapers.launchers.scrapyd_nodes import SCRAPYD_ENV, ScrapydCrawls, scrapyd_urls
from scrapers.sites import Site, load_catalog

logger = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# Every time inside the scheduler is UTC, like the run table; cron triggers carry their site's zone.
SCHEDULER_TIMEZONE = UTC
JOB_DEFAULTS: dict[str, Any] = {
    # Slots missed while a crawl ran long or the machine slept become one run, not a burst.
    "coalesce": True,
    # This scheduler never starts a second crawl of a site; the database lock covers other processes.
    "max_instances": 1,
    # A late crawl is still worth running. With coalesce only the latest missed slot is
    # checked, so a day's grace keeps every run of any schedule up to daily.
    "misfire_grace_time": int(timedelta(days=1).total_seconds()),
}


def describe_schedule(site: Site) -> str:
    """How ``zonenews sites`` shows a site's schedule."""
    if site.schedule is None:
        return "manual only"
    if not site.schedule.enabled:
        return "disabled"
    if site.schedule.interval is not None:
        return f"every {format_duration(site.schedule.interval)}"
    return f"cron {site.schedule.cron} ({site.timezone})"


def _cron_trigger(cron: str, site: Site) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=site.tz)


def next_run_time(site: Site, last_finished: datetime | None,
                  now: datetime | None = None, *, unfinished: bool = False) -> datetime | None:
    """When ``site`` is next crawled (UTC); None when it has no enabled schedule.

    A site never crawled, or whose last run ended more than an interval (or a
    cron slot) ago, is due ``now``: downtime is caught up with one run, not one
    per missed slot. So is a site whose last run did not finish (killed, timed
    out, failed): its archive is known to lack what that run never reached.
    """
    schedule = site.schedule
    if schedule is None or not schedule.enabled:
        return None
    now = now or datetime.now(UTC)
    if last_finished is None or unfinished:
        return now
    if schedule.interval is not None:
        due: datetime | None = last_finished + timedelta(seconds=schedule.interval)
    else:
        assert schedule.cron is not None
        due = _cron_trigger(schedule.cron, site).get_next_fire_time(None, last_finished)
    if due is None:
        return None
    return max(due, now).astimezone(UTC)


def site_overview(site: Site, state: SiteState) -> dict[str, Any]:
    """A site's schedule and state as ``zonenews sites``, the sites page and /api/sites show them."""
    last = state.last_run
    nxt = next_run_time(site, state.last_finished.finished_at if state.last_finished else None)
    return {
        "key": site.key, "name": site.name,
        "enabled": site.schedule is None or site.schedule.enabled,
        "schedule": describe_schedule(site), "timezone": site.timezone,
        "next_run_at": iso(nxt), "last_run_status": last.status if last else None,
        "last_run_at": iso(last.started_at) if last else None,
        "last_run_node": last.node if last else None, "articles": state.articles,
    }


def site_trigger(site: Site, first_run: datetime) -> IntervalTrigger | CronTrigger:
    """The trigger of a scheduled site; an interval counts from its first run."""
    assert site.schedule is not None
    if site.schedule.interval is not None:
        return IntervalTrigger(seconds=site.schedule.interval, start_date=first_run,
                               timezone=SCHEDULER_TIMEZONE)
    assert site.schedule.cron is not None
    return _cron_trigger(site.schedule.cron, site)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def build_scheduler(sites: Iterable[Site], crawls: Launcher, *,
                    now: datetime | None = None) -> BlockingScheduler:
    """A configured, unstarted scheduler: one job per scheduled site, id = site key.

    Jobs live in memory and are rebuilt from the site files at every start, so no
    stale stored option survives a change; each site's first run is decided from
    the run table (``next_run_time``).
    """
    scheduled = [s for s in sites if s.scheduled]
    now = now or datetime.now(UTC)
    states = site_states(crawls.sessions, [s.key for s in scheduled])
    scheduler = BlockingScheduler(
        timezone=SCHEDULER_TIMEZONE,
        jobstores={"default": MemoryJobStore()},
        # One worker per site: a long crawl of one site never delays another.
        executors={"default": ThreadPoolExecutor(max_workers=max(1, len(scheduled)))},
        job_defaults=JOB_DEFAULTS)
    for site in scheduled:
        state = states[site.key]
        done = state.last_finished
        # Runs of dead processes were reaped before; one still running is alive and finishes.
        last = state.last_run
        unfinished = last is not None and last.status != "running" and stopped_short(last)
        first = next_run_time(site, done.finished_at if done else None, now,
                              unfinished=unfinished)
        if first is None:
            logger.warning("%s: its cron expression never fires; not scheduled", site.key)
            continue
        scheduler.add_job(crawls.run, site_trigger(site, first), args=(site,), id=site.key,
                          name=f"crawl {site.key}", next_run_time=first, replace_existing=True)
    return scheduler


def configure_logging(log_file: str | None, verbose: bool) -> None:
    """Log to stderr, and to ``log_file`` too when given; library chatter only when verbose."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        handlers.append(logging.FileHandler(log_file, encoding="utf-8"))
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, handlers=handlers, force=True)
    for chatty in ("apscheduler", "alembic"):
        logging.getLogger(chatty).setLevel(logging.INFO if verbose else logging.WARNING)


def run_scheduler(db_url: str, site_dirs: Sequence[str], log_file: str | None = None,
                  verbose: bool = False, scrapyd: Sequence[str] = ()) -> int:
    """``zonenews schedule``: run the scheduled crawls until SIGINT or SIGTERM; 0 after a clean stop.

    A failure of the scheduler itself (database gone, a job that raises) is
    logged and ends the process with status 1, so that a supervisor restarts it
    instead of leaving a process that silently does nothing.
    """
    try:
        configure_logging(log_file, verbose)
    except OSError as exc:
        print(f"zonenews: --log-file: {exc}", file=sys.stderr)
        return 2
    catalog = load_catalog(site_dirs)
    for error in catalog.errors:
        logger.error("%s", error)
    sites = [s for s in catalog.sites.values() if s.scheduled]
    if not sites:
        logger.error("no site has an enabled [schedule]: nothing to run")
        return 1
    # Signals are taken from here on: one that comes while the database is opened still
    # stops the scheduler cleanly (it then starts no crawl).
    with _stop_on_signals() as stop:
        try:
            crawls = launcher(db_url, site_dirs, scrapyd, verbose=verbose)
            reaped = reap_interrupted(crawls.sessions)
            scheduler = build_scheduler(sites, crawls)
        except (DatabaseError, SQLAlchemyError) as exc:
            logger.error("database: %s", exc)
            return 1
        except ValueError as exc:   # a --scrapyd address that is no URL
            logger.error("--scrapyd: %s", exc)
            return 2
        if reaped:
            # Interrupted, or finished from the record their crawl kept on disk.
            logger.warning("runs %s closed: their processes had ended",
                           ", ".join(map(str, reaped)))
        for job in scheduler.get_jobs():
            site = job.args[0]
            logger.info("%s: %s, next run %s", site.key, describe_schedule(site),
                        job.next_run_time.isoformat(timespec="seconds"))
        return serve(scheduler, crawls, stop)


def launcher(db_url: str, site_dirs: Sequence[str], scrapyd: Sequence[str], *,
             verbose: bool = False) -> Launcher:
    """Scrapyd nodes when any is named (``--scrapyd`` or ZONENEWS_SCRAPYD), else child processes."""
    nodes = scrapyd_urls(scrapyd)
    if nodes:
        return ScrapydCrawls(db_url, nodes)
    return ChildCrawls(db_url, site_dirs, verbose=verbose)


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[threading.Event]:
    """An event that SIGINT or SIGTERM sets, for as long as the block runs."""
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            logger.warning("%s: already stopping", signal.Signals(signum).name)
            return
        logger.info("%s: stopping", signal.Signals(signum).name)
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def serve(scheduler: BlockingScheduler, crawls: Launcher, stop: threading.Event) -> int:
    """Run ``scheduler`` in the foreground until ``stop`` is set or a failure; the exit status."""
    failures: list[BaseException] = []

    def on_job_error(event: Any) -> None:
        logger.error("%s: the scheduler itself failed (%s: %s); stopping so that it can be "
                     "restarted", event.job_id, type(event.exception).__name__,
                     _first_line(event.exception))
        failures.append(event.exception)
        stop.set()

    def on_started(_event: Any) -> None:
        threading.Thread(target=_shut_down_when_asked, args=(stop, scheduler, crawls),
                         name="scheduler-stop", daemon=True).start()

    scheduler.add_listener(on_job_error, EVENT_JOB_ERROR)
    scheduler.add_listener(on_started, EVENT_SCHEDULER_STARTED)
    try:
        scheduler.start()
    except Exception as exc:  # the scheduler's own failure: logged, then exit 1
        logger.exception("the scheduler failed; stopping")
        failures.append(exc)
    finally:
        stop.set()
        ended = crawls.stop()
    if not ended:
        logger.error("some crawls did not end in time; their runs are marked interrupted at "
                     "the next start")
    logger.info("scheduler stopped")
    return 1 if failures else 0


def _shut_down_when_asked(stop: threading.Event, scheduler: BlockingScheduler,
                          crawls: Launcher) -> None:
    """Stop the scheduler from outside its loop, between two rounds of job processing.

    The jobs are removed first, so that the last round after the shutdown finds
    nothing due to hand to the closed executor.
    """
    stop.wait()
    crawls.close()
    with contextlib.suppress(SchedulerNotRunningError):
        scheduler.remove_all_jobs()
        scheduler.shutdown(wait=False)


def main(argv: Sequence[str] | None = None) -> int:
    """``python scheduler.py``: the same as ``zonenews schedule``."""
    parser = argparse.ArgumentParser(prog="python scheduler.py",
                                     description="run the periodic crawls until SIGINT or SIGTERM")
    parser.add_argument("--db", metavar="URL", help="database URL (default: $ZONENEWS_DB)")
    parser.add_argument("--sites", metavar="DIR", action="append", default=[],
                        help="also load the site files in this folder (repeatable)")
    parser.add_argument("-v", "--verbose", action="store_true", help="the crawls' own log too")
    parser.add_argument("--log-file", metavar="FILE", help="also write the log to this file")
    parser.add_argument("--scrapyd", metavar="URL", action="append", default=[],
                        help="run the crawls on this Scrapyd node (repeatable; "
                             f"default: ${SCRAPYD_ENV}, else child processes here)")
    args = parser.parse_args(argv)
    return run_scheduler(database_url(args.db), args.sites, log_file=args.log_file,
                         verbose=args.verbose, scrapyd=args.scrapyd)


if __name__ == "__main__":
    sys.exit(main())
