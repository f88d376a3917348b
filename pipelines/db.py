"""One place that says which database, how to connect to it, and that its schema is current."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

DB_ENV = "ZONENEWS_DB"
DEFAULT_URL = "sqlite:///zonenews.db"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest migration in MIGRATIONS_DIR (a test keeps the two in step). Knowing it without
# asking Alembic lets a current database be checked with one query and no Alembic import,
# which is most of the start-up of a crawl that finds nothing new.
HEAD_REVISION = "0004"
SQLITE_BUSY_SECONDS = 60.0

_ready: set[str] = set()
_ready_lock = threading.Lock()
# One engine per database in a process (its pool shared by the runner, the run recorder and the
# store), for the few databases a process uses at once; the least recently opened beyond that
# is disposed, so a process that opens many databases (the tests) never holds their files open.
ENGINES_KEPT = 8
_engines: OrderedDict[str, Engine] = OrderedDict()
_engines_lock = threading.Lock()


class DatabaseError(RuntimeError):
    """A database that cannot be used; ``str()`` is the one line a user sees."""


def database_url(explicit: str | None = None) -> str:
    """``--db`` if given, else ``ZONENEWS_DB``, else a SQLite file in the working directory."""
    url = explicit or os.environ.get(DB_ENV) or DEFAULT_URL
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"{url!r} is not a database URL (e.g. sqlite:///zonenews.db or "
                            "postgresql+psycopg://user@host/db)") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(f"{parsed.get_backend_name()}: only SQLite and PostgreSQL are supported")
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we install; plain postgresql:// would ask for psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    return url


def make_engine(url: str) -> Engine:
    """An engine whose every transaction is safe to run beside a crawl writing to the same database.

    SQLite runs in WAL mode so readers never wait for the writer, and every
    transaction starts with ``BEGIN IMMEDIATE``: it takes the write lock up
    front (waiting up to the busy timeout) instead of failing with "database is
    locked" when a read transaction later tries to write.
    """
    parsed = make_url(url)
    kwargs: dict[str, Any] = {}
    if parsed.get_backend_name() == "sqlite":
        kwargs["connect_args"] = {"timeout": SQLITE_BUSY_SECONDS, "check_same_thread": False}
    else:
        kwargs["pool_pre_ping"] = True
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _make_sqlite_transactional(engine)
    return engine


def _make_sqlite_transactional(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def ensure_schema(engine: Engine) -> None:
    """Create or upgrade the schema to the newest migration; cheap when it is current."""
    key = engine.url.render_as_string(hide_password=False)
    with _ready_lock:
        if key in _ready:
            return
        try:
            if current_revision(engine) != HEAD_REVISION:
                from alembic import command

                cfg = alembic_config(key)
                with engine.begin() as conn:
                    cfg.attributes["connection"] = conn
                    command.upgrade(cfg, "head")
        except Exception as exc:  # any failure: reported as one line with the URL
            raise DatabaseError(
                f"{engine.url.render_as_string(hide_password=True)}: {_first_line(exc)}") from exc
        _ready.add(key)


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for a database without our schema."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        conn.rollback()
    return revision


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def open_database(url: str | None = None) -> sessionmaker[Session]:
    """Sessions on a database whose schema is current: what every command starts with."""
    key = database_url(url)
    with _engines_lock:
        engine = _engines.pop(key, None) or make_engine(key)
        _engines[key] = engine
        while len(_engines) > ENGINES_KEPT:
            # Connections in use stay open until they are returned; only idle ones close now.
            _engines.popitem(last=False)[1].dispose()
    ensure_schema(engine)
    return sessionmaker(engine, expire_on_commit=False)
