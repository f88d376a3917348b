"""Shared fixtures: real databases (SQLite always, PostgreSQL when ZONENEWS_TEST_PG names one),
fixture sites served on 127.0.0.1, and the zonenews command run as a user runs it."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.siteserver import FixtureServer

ROOT = Path(__file__).resolve().parent.parent
PG_ENV = "ZONENEWS_TEST_PG"


def _pg_base_url() -> str:
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"PostgreSQL: {PG_ENV} is not set (e.g. "
                    "postgresql+psycopg://postgres@127.0.0.1:5432/test)")
    return url


@contextlib.contextmanager
def pg_schema() -> Iterator[str]:
    """A fresh schema in the PostgreSQL named by ZONENEWS_TEST_PG, dropped afterwards."""
    import sqlalchemy as sa

    base = _pg_base_url()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(base)
    try:
        with engine.begin() as conn:
            # pg_trgm lives in public, once: created inside a test's schema it would be dropped
            # with that schema while a concurrent test uses it.
            # Test workers running at once would race on creating it: the lock makes it one at a time.
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(7301)"))
            conn.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    except sa.exc.OperationalError as exc:
        pytest.skip(f"PostgreSQL at {PG_ENV} does not answer: {str(exc.orig).splitlines()[0]}")
    sep = "&" if "?" in base else "?"
    try:
        yield f"{base}{sep}options=-csearch_path%3D{schema}"
    finally:
        from pipelines.db import _ready

        _ready.clear()
        with engine.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_schema() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each test that takes it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'zonenews.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture(autouse=True)
def state_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state folder of the test's own (XDG_STATE_HOME), so a run journal never lands in $HOME."""
    state = tmp_path / "state"
    monkeypatch.setenv("XDG_STATE_HOME", str(state))
    return state


@pytest.fixture
def server() -> Iterator[FixtureServer]:
    with FixtureServer() as srv:
        yield srv


def write_site(folder: Path, key: str, start_urls: list[str], pattern: str,
               extra: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    urls = ", ".join(f'"{u}"' for u in start_urls)
    path = folder / f"{key}.toml"
    path.write_text(f'key = "{key}"\nname = "{key} zone"\nstart_urls = [{urls}]\n'
                    f"article_url_pattern = '{pattern}'\n{extra}", "utf-8")
    return path


def zonenews(*args: str, db: str | None = None, sites: Path | None = None,
             timeout: float = 120, check: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the zonenews command in a child process, as a user would (a fresh reactor each time)."""
    cmd = [sys.executable, "-m", "cli", *args]
    if db:
        cmd += ["--db", db]
    if sites:
        cmd += ["--sites", str(sites)]
    env = {k: v for k, v in os.environ.items() if k not in ("ZONENEWS_DB", "ZONENEWS_SITES")}
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc
