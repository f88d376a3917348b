"""Crawls sent to Scrapyd nodes: the least-loaded node takes each, the dispatcher follows it.

The dispatcher takes the site's crawl lock itself (its ``running`` row) before
anything is sent, so a site already being crawled anywhere is refused without
a job; the row is the lock on every machine because the database refuses a
second running row per site. The run records the node and the job id before
the node is asked, and the crawl on the node claims the run by its id
(``scrapy crawl zone -a site=KEY -a run_id=N``): no credential travels with
the job. The node reads the database URL (ZONENEWS_DB) and the site folders
(ZONENEWS_SITES) from its own environment, because Scrapyd writes every job's
arguments into its log and shows them in listjobs.json.

A crawl is followed through listjobs.json: past the site's time limit it is
cancelled (INT, then KILL after a grace); when its node stops answering for
``lost_after`` seconds, or no longer knows the job, its run is marked failed
and the lock is free for the next dispatch. A crawl that still runs on a node
cut off from the dispatcher sees at its next heartbeat that its run was ended,
and stops.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Sequence

from sqlalchemy.orm import Session, sessionmaker

from pipelines.db import open_database
from pipelines.derive import derive_after_crawl
from pipelines.runs import (
    AlreadyRunning,
    dispatched,
    get_run,
    mark_run,
    start_run,
    touch_run,
)
from scrapers.launchers import (
    CrawlResult,
    figures_of,
    format_duration,
    log_result,
    refused,
    skipped_while_stopping,
)
from scrapers.launchers.scrapyd_api import NodeDown, NodeRefused, ScrapydNode
from scrapers.runner import check_health
from scrapers.sites import Site

# The scheduler's log: its lines read the same whichever launcher runs the crawl.
logger = logging.getLogger("scheduler")

SCRAPYD_ENV = "ZONENEWS_SCRAPYD"
# The project name the nodes know zonenews by ([settings] zonenews = scrapers.settings).
PROJECT = "zonenews"
SPIDER = "zone"
# The crawl stops itself at the site's time limit; this covers a node's queue and start-up.
TIMEOUT_MARGIN_SECONDS = 60.0
# Between the cancel that asks Scrapy to close cleanly and the one that kills it.
STOP_GRACE_SECONDS = 15.0
# How long a node may stay silent before its crawl is given up.
LOST_AFTER_SECONDS = 30.0
POLL_SECONDS = 2.0


def scrapyd_urls(given: Sequence[str]) -> list[str]:
    """The nodes named on the command line, else those in ZONENEWS_SCRAPYD (space or comma
    separated: the place for addresses that carry a password, which ``ps`` would show)."""
    if given:
        return list(given)
    return [u for u in re.split(r"[\s,]+", os.environ.get(SCRAPYD_ENV, "")) if u]


class NoNode(Exception):
    """No node took the crawl; ``str()`` says what each one answered."""


class ScrapydCrawls:
    """Sends each crawl to the least-loaded Scrapyd node and follows it to its end."""

    def __init__(self, db_url: str, nodes: Sequence[str], *, trigger: str = "schedule",
                 full: bool = False, margin: float = TIMEOUT_MARGIN_SECONDS,
                 grace: float = STOP_GRACE_SECONDS, lost_after: float = LOST_AFTER_SECONDS,
                 poll: float = POLL_SECONDS, project: str = PROJECT, derive: bool = True) -> None:
        if not nodes:
            raise ValueError("at least one Scrapyd node is needed")
        self.nodes = [ScrapydNode(url) for url in nodes]
        self.db_url = db_url
        self.derive = derive
        self.sessions: sessionmaker[Session] = open_database(db_url)
        self.trigger = trigger
        self.full = full
        self.margin = margin
        self.grace = grace
        self.lost_after = lost_after
        self.poll = poll
        self.project = project
        # One dispatch at a time: each sees the load the previous one added.
        self._dispatching = threading.Lock()
        self._down: set[str] = set()
        self._jobs: dict[str, tuple[ScrapydNode, str]] = {}
        self._changed = threading.Condition()
        self._closed = False
        self._stopping = threading.Event()

    def time_limit(self, site: Site) -> float:
        return site.timeout + self.margin

    def run(self, site: Site) -> CrawlResult:
        """The job: take the site's lock, send its crawl to a node, follow it to its end."""
        began = time.monotonic()
        with self._changed:
            if self._closed:
                return skipped_while_stopping(site)
        try:
            run_id = start_run(self.sessions, site.key, self.trigger, full=self.full)
        except AlreadyRunning as exc:
            result = refused(exc, time.monotonic() - began)
            log_result(result)
            return result
        node: ScrapydNode | None = None
        try:
            node, job = self._dispatch(site, run_id)
        except NoNode as exc:
            mark_run(self.sessions, run_id, "failed", str(exc))
        except BaseException:
            mark_run(self.sessions, run_id, "failed", "the dispatcher failed before sending it")
            raise
        else:
            with self._changed:
                self._jobs[site.key] = (node, job)
            try:
                self._follow(site, run_id, node, job, began)
            finally:
                with self._changed:
                    del self._jobs[site.key]
                    self._changed.notify_all()
        check_health(self.sessions, [site])
        result = self._result(site, run_id, time.monotonic() - began)
        log_result(result)
        if self.derive and (result.figures.articles_new or result.figures.articles_updated):
            # The node stored articles only: facts and stories are derived here, as after a
            # local crawl, by the one derivation the database lets run at a time.
            derive_after_crawl(self.db_url)
        return result

    def _result(self, site: Site, run_id: int, seconds: float) -> CrawlResult:
        run = get_run(self.sessions, run_id)
        assert run is not None
        return CrawlResult(site.key, run.status, run.id, figures_of(run), seconds, run.message,
                           run.node)

    def _loads(self) -> list[tuple[int, int, ScrapydNode]]:
        """(load, order, node) of every node that answers; a change of a node's state is logged."""
        loads = []
        for order, node in enumerate(self.nodes):
            try:
                load = node.load()
            except (NodeDown, NodeRefused) as exc:
                self._node_down(node, str(exc))
                continue
            if node.name in self._down:
                self._down.discard(node.name)
                logger.warning("Scrapyd node %s answers again", node.name)
            loads.append((load, order, node))
        return sorted(loads, key=lambda entry: (entry[0], entry[1]))

    def _node_down(self, node: ScrapydNode, reason: str) -> None:
        if node.name not in self._down:
            self._down.add(node.name)
            logger.warning("Scrapyd node %s is down (%s): its crawls go to the other nodes",
                           node.name, reason.removeprefix(f"{node.name}: "))

    def _dispatch(self, site: Site, run_id: int) -> tuple[ScrapydNode, str]:
        """Queue the crawl on the least-loaded node that takes it; the node and the job id."""
        job = f"{site.key}-{run_id}"
        args = {"site": site.key, "run_id": str(run_id)}
        if self.full:
            args["full"] = "1"
        problems: list[str] = []
        with self._dispatching:
            for load, _order, node in self._loads():
                dispatched(self.sessions, run_id, node.name, job)
                try:
                    node.schedule(self.project, SPIDER, job, args)
                except (NodeDown, NodeRefused) as exc:
                    if not self._queued(node, job):
                        problems.append(str(exc))
                        self._node_down(node, str(exc))
                        continue
                logger.info("%s: crawl sent to %s as job %s (%d jobs there before it, "
                            "time limit %s)", site.key, node.name, job, load,
                            format_duration(self.time_limit(site)))
                return node, job
        down = sorted(self._down - {p.split(": ", 1)[0] for p in problems})
        raise NoNode("no Scrapyd node took the crawl: "
                     + "; ".join([*problems, *(f"{name}: down" for name in down)]))

    def _queued(self, node: ScrapydNode, job: str) -> bool:
        """Whether a schedule.json whose answer was lost queued the job all the same."""
        try:
            return node.job_state(self.project, job) is not None
        except (NodeDown, NodeRefused):
            return False

    def _follow(self, site: Site, run_id: int, node: ScrapydNode, job: str,
                began: float) -> None:
        """Wait for the job's end on its node, and finish the run where its crawl could not."""
        limit = self.time_limit(site)
        cancelled_at: float | None = None
        killed = False
        silent_since: float | None = None
        while True:
            # Once stopping, the wait returns at once: the poll still paces the loop.
            if self._stopping.wait(self.poll):
                time.sleep(self.poll)
            now = time.monotonic()
            try:
                state = node.job_state(self.project, job)
            except (NodeDown, NodeRefused) as exc:
                silent_since = silent_since or now
                if now - silent_since < self.lost_after:
                    continue
                self._node_down(node, str(exc))
                mark_run(self.sessions, run_id, "failed",
                         f"Scrapyd node {node.name} stopped answering during job {job} "
                         f"({str(exc).removeprefix(f'{node.name}: ')})",
                         replacing=("running", "interrupted"))
                return
            silent_since = None
            if state == "finished" or (state is None and cancelled_at is not None):
                self._finished(site, run_id, node, job, cancelled_at is not None)
                return
            if state is None:
                mark_run(self.sessions, run_id, "failed",
                         f"Scrapyd node {node.name} no longer knows job {job} (restarted?)",
                         replacing=("running", "interrupted"))
                return
            if state == "pending" and not touch_run(self.sessions, run_id):
                node.cancel(self.project, job)   # ended elsewhere: it must not start now
                return
            if cancelled_at is None and (now - began > limit or self._stopping.is_set()):
                if not self._stopping.is_set():
                    logger.warning("%s: time limit %s reached: cancelling job %s on %s",
                                   site.key, format_duration(limit), job, node.name)
                self._cancel(node, job, "INT")
                cancelled_at = now
            elif cancelled_at is not None and not killed and now - cancelled_at > self.grace:
                logger.warning("%s: job %s still running %s after its cancel: killing it",
                               site.key, job, format_duration(self.grace))
                self._cancel(node, job, "KILL")
                killed = True

    def _cancel(self, node: ScrapydNode, job: str, signal: str) -> None:
        try:
            node.cancel(self.project, job, signal)
        except (NodeDown, NodeRefused) as exc:
            logger.warning("job %s could not be cancelled: %s", job, exc)

    def _finished(self, site: Site, run_id: int, node: ScrapydNode, job: str,
                  cancelled: bool) -> None:
        if cancelled and not self._stopping.is_set():
            mark_run(self.sessions, run_id, "timeout",
                     f"cancelled by the dispatcher at its time limit "
                     f"({format_duration(self.time_limit(site))})",
                     replacing=("running", "interrupted"))
        elif cancelled:
            mark_run(self.sessions, run_id, "interrupted",
                     f"job {job} on {node.name} cancelled: the scheduler stopped")
        else:
            mark_run(self.sessions, run_id, "failed",
                     f"job {job} on {node.name} ended without finishing its run "
                     "(see the node's log of the job)")

    def close(self) -> None:
        """Start no more crawls."""
        with self._changed:
            self._closed = True

    def stop(self) -> bool:
        """Cancel every job still followed, as a scheduler stop stops its child processes.

        The crawls are the dispatcher's to watch over (their time limits, their
        nodes' health): left running unwatched, nobody would.
        """
        self.close()
        self._stopping.set()
        with self._changed:
            return self._changed.wait_for(lambda: not self._jobs,
                                          timeout=self.grace + self.poll + 5.0)


def dispatch_sites(sites: Sequence[Site], db_url: str, nodes: Sequence[str], *,
                   full: bool = False, trigger: str = "manual",
                   derive: bool = True) -> list[CrawlResult]:
    """``zonenews crawl --scrapyd``: every site sent at once, each followed to its end.

    An interrupt (Ctrl-C) cancels the jobs already sent, as it stops a local crawl.
    """
    crawls = ScrapydCrawls(db_url, nodes, trigger=trigger, full=full, derive=derive)
    results: dict[str, CrawlResult] = {}

    def one(site: Site) -> None:
        results[site.key] = crawls.run(site)

    threads = [threading.Thread(target=one, args=(site,), name=f"dispatch-{site.key}",
                                daemon=True) for site in sites]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            thread.join()
    except KeyboardInterrupt:
        crawls.stop()
        raise
    return [results[site.key] for site in sites]
