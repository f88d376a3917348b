"""The periodic crawls: one APScheduler job per scheduled site, each crawl in a child process.

Each crawl runs as ``python -m scrapers.runner`` in its own process: Twisted's
reactor cannot be restarted within one process (scrapy/scrapy#5026), and a crash
or a leak in one crawl must not take the scheduler down. The child takes the
site's crawl lock (its ``running`` row) itself, so a scheduled crawl and a
one-off ``zonenews crawl`` of the same site never overlap.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import IO, Any

from apscheduler.events import EVENT_JOB_ERROR, EVENT_SCHEDULER_STARTED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy.exc import SQLAlchemyError

from pipelines.db import DB_ENV, DatabaseError, open_database
from pipelines.models import CrawlRun
from pipelines.queries import site_states
from pipelines.runs import (
    AlreadyRunning,
    mark_run,
    reap_interrupted,
    run_of_process,
    running_run,
    stopped_short,
)
from scrapers.runner import EXIT_ALREADY_RUNNING
from scrapers.sites import Site, load_catalog
from scrapers.stats import RunFigures

logger = logging.getLogger(__name__)

PROJECT_DIR = Path(__file__).resolve().parent
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
# The child stops itself at the site's time limit (CLOSESPIDER_TIMEOUT); this covers its
# start-up and a clean close before the scheduler stops it.
TIMEOUT_MARGIN_SECONDS = 60.0
# Between SIGTERM (close cleanly, keep what is stored) and SIGKILL.
STOP_GRACE_SECONDS = 8.0
# How long a stop waits, after SIGKILL, for the jobs to write their run records.
RECORD_WAIT_SECONDS = 3.0


def format_duration(seconds: float) -> str:
    """``30s``, ``15m``, ``6h``, ``1d``: the largest unit that says it exactly."""
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


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


def site_trigger(site: Site, first_run: datetime) -> IntervalTrigger | CronTrigger:
    """The trigger of a scheduled site; an interval counts from its first run."""
    assert site.schedule is not None
    if site.schedule.interval is not None:
        return IntervalTrigger(seconds=site.schedule.interval, start_date=first_run,
                               timezone=SCHEDULER_TIMEZONE)
    assert site.schedule.cron is not None
    return _cron_trigger(site.schedule.cron, site)


@dataclass(frozen=True)
class CrawlResult:
    """What became of one scheduled crawl."""

    site: str
    status: str          # the run's status; "refused" (site already being crawled) or "skipped"
    run_id: int | None
    figures: RunFigures
    seconds: float
    message: str | None = None


def _figures(run: CrawlRun) -> RunFigures:
    return RunFigures(run.pages_fetched, run.articles_new, run.articles_updated,
                      run.articles_unchanged, run.errors)


def _exit_text(returncode: int) -> str:
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit status {returncode}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _relay(key: str, stream: IO[str], level: int) -> None:
    """Pass the child's own log lines on to ours, so that they reach the log file too."""
    for line in stream:
        if line.strip():
            logger.log(level, "%s| %s", key, line.rstrip())


class ChildCrawls:
    """Runs each crawl in a child process within its time limit, and stops them all on demand."""

    def __init__(self, db_url: str, site_dirs: Sequence[str | Path] = (), *,
                 verbose: bool = False, margin: float = TIMEOUT_MARGIN_SECONDS,
                 grace: float = STOP_GRACE_SECONDS) -> None:
        self.db_url = db_url
        self.site_dirs = [str(d) for d in site_dirs]
        self.verbose = verbose
        self.margin = margin
        self.grace = grace
        self.sessions = open_database(db_url)
        self._children: dict[str, subprocess.Popen[str]] = {}
        self._changed = threading.Condition()
        self._closed = False

    def command(self, site: Site) -> list[str]:
        cmd = [sys.executable, "-m", "scrapers.runner", site.key, "--trigger", "schedule"]
        for folder in self.site_dirs:
            cmd += ["--sites", folder]
        if self.verbose:
            cmd += ["--log-level", "INFO"]
        return cmd

    def environment(self) -> dict[str, str]:
        env = dict(os.environ)
        # In the environment rather than on the command line, where `ps` would show a password.
        env[DB_ENV] = self.db_url
        # The child imports the project from where this file is, whatever the working directory.
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(PROJECT_DIR), env.get("PYTHONPATH", "")) if p)
        env["PYTHONIOENCODING"] = "utf-8"
        return env

    def time_limit(self, site: Site) -> float:
        return site.timeout + self.margin

    def run(self, site: Site) -> CrawlResult:
        """The job: crawl ``site`` in a child process and wait for it, at most its time limit."""
        began = time.monotonic()
        # The child's run starts later; the second forgives a small step of the wall clock.
        spawned_at = datetime.now(UTC) - timedelta(seconds=1)
        with self._changed:
            if self._closed:
                skipped = CrawlResult(site.key, "skipped", None, RunFigures(), 0.0,
                                      "the scheduler is stopping")
                log_result(skipped)
                return skipped
            # A session of its own: a Ctrl-C on the terminal reaches the scheduler only, which
            # then asks each child once; Scrapy takes a second signal as "stop uncleanly".
            child = subprocess.Popen(
                self.command(site), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, encoding="utf-8", errors="replace",
                env=self.environment(), start_new_session=True)
            self._children[site.key] = child
        try:
            limit = self.time_limit(site)
            logger.info("%s: crawl started (pid %d, time limit %s)", site.key, child.pid,
                        format_duration(limit))
            assert child.stdout is not None
            # Unless verbose, a child only speaks of warnings and errors.
            level = logging.INFO if self.verbose else logging.WARNING
            relay = threading.Thread(target=_relay, args=(site.key, child.stdout, level),
                                     name=f"output-{site.key}", daemon=True)
            relay.start()
            timed_out = False
            try:
                child.wait(timeout=limit)
            except subprocess.TimeoutExpired:
                timed_out = True
                logger.warning("%s: time limit %s reached: stopping pid %d", site.key,
                               format_duration(limit), child.pid)
                stop_child(child, self.grace)
            relay.join(timeout=RECORD_WAIT_SECONDS)
            result = self._result(site, child, spawned_at, timed_out, time.monotonic() - began)
        finally:
            if child.poll() is None:  # the job itself failed: leave no crawl behind
                stop_child(child, self.grace)
            with self._changed:
                del self._children[site.key]
                self._changed.notify_all()
        log_result(result)
        return result

    def _result(self, site: Site, child: subprocess.Popen[str], spawned_at: datetime,
                timed_out: bool, seconds: float) -> CrawlResult:
        """Read the child's run record, and finish it where the child could not."""
        returncode = child.returncode
        if returncode == EXIT_ALREADY_RUNNING:
            holder = running_run(self.sessions, site.key)
            reason = str(AlreadyRunning(site.key, holder)).removeprefix(f"{site.key}: ")
            return CrawlResult(site.key, "refused", holder.id if holder else None, RunFigures(),
                               seconds, reason)
        run = run_of_process(self.sessions, site.key, child.pid, spawned_at)
        if run is None:
            return CrawlResult(site.key, "failed", None, RunFigures(), seconds,
                               f"the crawl process ended ({_exit_text(returncode)}) "
                               "before it started its run")
        if timed_out:
            mark_run(self.sessions, run.id, "timeout",
                     f"stopped by the scheduler at its time limit "
                     f"({format_duration(self.time_limit(site))})",
                     replacing=("running", "interrupted"))
        elif run.status == "running":
            reason = "the scheduler stopped" if self._closed else _exit_text(returncode)
            mark_run(self.sessions, run.id, "interrupted",
                     f"the crawl process ended ({reason}) without finishing its run")
        run = run_of_process(self.sessions, site.key, child.pid, spawned_at)
        assert run is not None
        return CrawlResult(site.key, run.status, run.id, _figures(run), seconds, run.message)

    def close(self) -> None:
        """Start no more crawls."""
        with self._changed:
            self._closed = True

    def stop(self) -> bool:
        """Ask every running crawl to stop cleanly, kill those that do not; True when all ended."""
        self.close()
        with self._changed:
            running = dict(self._children)
        for key, child in running.items():
            logger.info("%s: asking pid %d to stop", key, child.pid)
            child.send_signal(signal.SIGTERM)
        with self._changed:
            if self._changed.wait_for(lambda: not self._children, timeout=self.grace):
                return True
            stuck = dict(self._children)
        for key, child in stuck.items():
            logger.warning("%s: pid %d still running after %s: killing it", key, child.pid,
                           format_duration(self.grace))
            child.send_signal(signal.SIGKILL)
        with self._changed:
            return self._changed.wait_for(lambda: not self._children,
                                          timeout=RECORD_WAIT_SECONDS)


def stop_child(child: subprocess.Popen[str], grace: float) -> None:
    """SIGTERM, then SIGKILL after ``grace`` seconds: on the first, Scrapy closes cleanly."""
    child.send_signal(signal.SIGTERM)
    try:
        child.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        child.send_signal(signal.SIGKILL)
        child.wait()


def log_result(result: CrawlResult) -> None:
    """The one line that ends each run, with its figures."""
    if result.status in ("refused", "skipped"):
        logger.log(logging.WARNING if result.status == "refused" else logging.INFO,
                   "%s: not started: %s", result.site, result.message)
        return
    if result.run_id is None:
        logger.error("%s: crawl failed after %.1fs: %s", result.site, result.seconds,
                     result.message)
        return
    f = result.figures
    logger.log(logging.INFO if result.status == "succeeded" else logging.WARNING,
               "%s: run %d %s after %.1fs: %d pages, %d new, %d updated, %d unchanged, "
               "%d errors%s", result.site, result.run_id, result.status, result.seconds,
               f.pages_fetched, f.articles_new, f.articles_updated, f.articles_unchanged,
               f.errors, f" ({result.message})" if result.message else "")


def build_scheduler(sites: Iterable[Site], crawls: ChildCrawls, *,
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
                  verbose: bool = False) -> int:
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
            crawls = ChildCrawls(db_url, site_dirs, verbose=verbose)
            reaped = reap_interrupted(crawls.sessions)
            scheduler = build_scheduler(sites, crawls)
        except (DatabaseError, SQLAlchemyError) as exc:
            logger.error("database: %s", exc)
            return 1
        if reaped:
            logger.warning("runs %s marked interrupted: their processes had ended",
                           ", ".join(map(str, reaped)))
        for job in scheduler.get_jobs():
            site = job.args[0]
            logger.info("%s: %s, next run %s", site.key, describe_schedule(site),
                        job.next_run_time.isoformat(timespec="seconds"))
        return serve(scheduler, crawls, stop)


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


def serve(scheduler: BlockingScheduler, crawls: ChildCrawls, stop: threading.Event) -> int:
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
                          crawls: ChildCrawls) -> None:
    """Stop the scheduler from outside its loop, between two rounds of job processing.

    The jobs are removed first, so that the last round after the shutdown finds
    nothing due to hand to the closed executor.
    """
    stop.wait()
    crawls.close()
    with contextlib.suppress(SchedulerNotRunningError):
        scheduler.remove_all_jobs()
        scheduler.shutdown(wait=False)


if __name__ == "__main__":
    from cli import main

    sys.exit(main(["schedule", *sys.argv[1:]]))
