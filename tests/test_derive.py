"""Facts and stories derived after the crawl, in a process of their own.

From real crawls of three fixture sites that republish each other: the derivation the crawl
starts gives the facts and stories that deriving the whole archive again gives; a derivation
killed mid-way loses no article, and the next one finishes the work with the same result.
On SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa

from cli import main
from pipelines.db import open_database
from pipelines.facts import pending_ids
from tests.conftest import ROOT, zonenews
from tests.siteserver import FixtureServer
from tests.storysites import publish_sites

ARTICLES = 13

Snapshot = tuple[frozenset[tuple[object, ...]], frozenset[tuple[object, ...]]]


def _sites(server: FixtureServer, folder: Path) -> Path:
    publish_sites(server, folder)
    return folder


def _json(db: str, *args: str) -> list[dict[str, object]]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*args, "--db", db, "--format", "json"]) == 0
    return json.loads(out.getvalue())  # type: ignore[no-any-return]


def snapshot(db: str) -> Snapshot:
    """Every fact and every story as a user reads them, articles named by their URL."""
    url = {r["id"]: r["url"] for r in _json(db, "articles", "--limit", "0")}
    facts = frozenset((url[f["article_id"]], f["kind"], f["value"], f["amount"], f["amount_high"],
                       f["currency"], f["approximate"], f["sentence"]) for f in _json(db, "facts"))
    stories = frozenset(
        (frozenset((url[a], a in s["linked_by_facts"]) for a in s["article_ids"]),  # type: ignore[attr-defined,operator]
         url[s["representative_id"]])
        for s in _json(db, "stories"))
    return facts, stories


def _wait_until_derived(db: str, seconds: float = 90) -> None:
    sessions = open_database(db)
    deadline = time.monotonic() + seconds
    while pending_ids(sessions):
        assert time.monotonic() < deadline, "the derivation the crawl started did not finish"
        time.sleep(0.2)
    sessions.kw["bind"].dispose()


def _derived(db: str) -> int:
    sessions = open_database(db)
    try:
        return ARTICLES - len(pending_ids(sessions))
    finally:
        sessions.kw["bind"].dispose()


def test_the_derivation_a_crawl_starts_gives_what_deriving_the_archive_again_gives(
        db_url: str, tmp_path: Path) -> None:
    with FixtureServer() as server:
        sites = _sites(server, tmp_path / "sites")
        proc = zonenews("crawl", "zone", "media", "en", db=db_url, sites=sites)
    assert proc.returncode == 0, proc.stderr
    _wait_until_derived(db_url)       # nobody asked: the crawl started it
    after_crawl = snapshot(db_url)
    facts, stories = after_crawl
    assert len({f[0] for f in facts}) >= 10 and len(stories) == 3
    assert zonenews("facts", "--rebuild", db=db_url).returncode == 0
    assert snapshot(db_url) == after_crawl


def test_a_killed_derivation_loses_nothing_and_the_next_one_finishes_alike(
        db_url: str, tmp_path: Path) -> None:
    with FixtureServer() as server:
        sites = _sites(server, tmp_path / "sites")
        proc = zonenews("crawl", "zone", "media", "en", "--no-derive", db=db_url, sites=sites)
    assert proc.returncode == 0, proc.stderr
    assert _derived(db_url) == 0 and _json(db_url, "facts") == []
    # One article a transaction, stopped the moment the first is committed, then killed.
    child = subprocess.Popen([sys.executable, "-m", "pipelines.derive", "--db", db_url,
                              "--chunk", "1"], cwd=ROOT, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, env=dict(os.environ))
    watch = sa.create_engine(db_url)
    try:
        with watch.connect() as conn:
            deadline = time.monotonic() + 60
            while not conn.scalar(sa.text("SELECT count(*) FROM story_articles")):
                conn.rollback()      # a fresh snapshot each time
                assert child.poll() is None and time.monotonic() < deadline
                time.sleep(0.001)
            child.send_signal(signal.SIGSTOP)
    finally:
        child.kill()
        child.wait()
        watch.dispose()
    assert 0 < _derived(db_url) < ARTICLES
    assert len(_json(db_url, "articles", "--limit", "0")) == ARTICLES
    assert zonenews("facts", "--derive", db=db_url).returncode == 0
    assert _derived(db_url) == ARTICLES
    resumed = snapshot(db_url)
    assert zonenews("facts", "--rebuild", db=db_url).returncode == 0
    assert snapshot(db_url) == resumed
