"""Crawls in child processes of this machine: ``python -m scrapers.runner SITE`` per crawl.

Each crawl runs in its own process: Twisted's reactor cannot be restarted
within one process (scrapy/scrapy#5026), and a crash or a leak in one crawl
must not take the scheduler down. The child takes the site's crawl lock (its
``running`` row) itself, so a scheduled crawl and a one-off ``zonenews crawl``
of the same site never overlap.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO

from pipelines.db import DB_ENV, open_database
from pipelines.runs import AlreadyRunning, mark_run, run_of_process, running_run
from pipelines.runstats import RunFigures
from scrapers.launchers import (
    CrawlResult,
    figures_of,
    format_duration,
    log_result,
    refused,
    skipped_while_stopping,
)
from scrapers.runner import EXIT_ALREADY_RUNNING
from scrapers.sites import Site

# The scheduler's log: its lines read the same whichever launcher runs the crawl.
logger = logging.getLogger("scheduler")

PROJECT_DIR = Path(__file__).resolve().parents[2]
# The child stops itself at the site's time limit (CLOSESPIDER_TIMEOUT); this covers its
# start-up and a clean close before the scheduler stops it.
TIMEOUT_MARGIN_SECONDS = 60.0
# Between SIGTERM (close cleanly, keep what is stored) and SIGKILL.
STOP_GRACE_SECONDS = 8.0
# How long a stop waits, after SIGKILL, for the jobs to write their run records.
RECORD_WAIT_SECONDS = 3.0


def _exit_text(returncode: int) -> str:
    if returncode < 0:
        return f"killed by {signal.Signals(-returncode).name}"
    return f"exit status {returncode}"


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
                return skipped_while_stopping(site)
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
            return refused(AlreadyRunning(site.key, running_run(self.sessions, site.key)),
                           seconds)
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
        return CrawlResult(site.key, run.status, run.id, figures_of(run), seconds, run.message)

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
