"""Opening a database: the schema is built on first use, brought up to date when it is behind,
and a database that cannot be used is refused in one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from pipelines import db
from pipelines.db import (
    HEAD_REVISION,
    DatabaseError,
    alembic_config,
    current_revision,
    database_url,
    make_engine,
    open_database,
)
from tests.conftest import ROOT


def test_the_head_revision_constant_is_the_newest_migration() -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert scripts.get_current_head() == HEAD_REVISION


def test_a_new_database_is_built_to_the_newest_migration(db_url: str) -> None:
    sessions = open_database(db_url)
    engine = sessions.kw["bind"]
    assert current_revision(engine) == HEAD_REVISION
    with sessions() as session:
        assert session.execute(sa.text("SELECT count(*) FROM articles")).scalar() == 0
    engine.dispose()


def test_a_database_left_at_an_older_migration_is_upgraded(db_url: str) -> None:
    engine = make_engine(database_url(db_url))
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    assert current_revision(engine) == "0001"
    db._ready.clear()   # a new process: nothing is known about this database yet

    open_database(db_url)
    assert current_revision(engine) == HEAD_REVISION
    engine.dispose()


def test_an_empty_file_has_no_revision(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    assert current_revision(engine) is None
    engine.dispose()


def test_a_database_from_a_newer_zonenews_is_refused_in_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    engine = make_engine(url)
    open_database(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    db._ready.clear()
    with pytest.raises(DatabaseError) as raised:
        open_database(url)
    assert "\n" not in str(raised.value)
    assert "9999" in str(raised.value)
    engine.dispose()


@pytest.mark.parametrize("url", ["not a url", "mysql://localhost/zonenews"])
def test_a_url_we_cannot_use_is_refused_in_one_line(url: str) -> None:
    with pytest.raises(DatabaseError) as raised:
        database_url(url)
    assert "\n" not in str(raised.value)


def test_one_process_shares_one_engine_per_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'z.db'}"
    assert open_database(url).kw["bind"] is open_database(url).kw["bind"]


def test_databases_beyond_those_kept_close_their_idle_connections_and_still_work(
        tmp_path: Path) -> None:
    first = open_database(f"sqlite:///{tmp_path / 'first.db'}")
    with first() as session:
        session.execute(sa.text("SELECT 1"))
    assert first.kw["bind"].pool.checkedin() == 1
    for n in range(db.ENGINES_KEPT):
        open_database(f"sqlite:///{tmp_path / f'{n}.db'}")
    assert first.kw["bind"].pool.checkedin() == 0   # disposed: its file is not held open
    with first() as session:
        assert session.execute(sa.text("SELECT count(*) FROM articles")).scalar() == 0


def test_commands_started_at_once_on_a_new_database_all_build_it_once(pg_url: str) -> None:
    """Three first uses of a new PostgreSQL schema at once all succeed, and it is built once:
    migrations take a lock, so none races another's tables (SQLite's writer lock did already)."""
    env = {k: v for k, v in os.environ.items() if k != "ZONENEWS_DB"}
    commands = [("runs",), ("articles", "--limit", "1"), ("sites",)]
    procs = [subprocess.Popen([sys.executable, "-m", "cli", *args, "--db", pg_url], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for args in commands]
    results = [(p.args, *p.communicate(timeout=120), p.returncode) for p in procs]
    for args, _out, err, code in results:
        assert code == 0, f"{args[3:]}: {err}"
        assert "duplicate key" not in err
    engine = make_engine(database_url(pg_url))
    assert current_revision(engine) == HEAD_REVISION
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM alembic_version")).scalar() == 1
    engine.dispose()
