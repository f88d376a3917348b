"""One place that says which database, how to connect to it, and that its schema is current."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    NoSuchModuleError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config

DB_ENV = "ZONENEWS_DB"
DEFAULT_URL = "sqlite:///zonenews.db"
MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# The newest migration in MIGRATIONS_DIR (a test keeps the two in step). Knowing it without
# asking Alembic lets a current database be checked with one query and no Alembic import,
# which is most of the start-up of a crawl that finds nothing new.
HEAD_REVISION = "0008"
SQLITE_BUSY_SECONDS = 60.0
# SQLite takes at most 32,766 parameters in one statement: a longer IN list goes in parts.
IN_LIST_SIZE = 1000

_T = TypeVar("_T")


def in_parts(values: Sequence[_T]) -> Iterator[Sequence[_T]]:
    """``values`` in consecutive parts of at most ``IN_LIST_SIZE``, one IN list each."""
    for start in range(0, len(values), IN_LIST_SIZE):
        yield values[start:start + IN_LIST_SIZE]
# The PostgreSQL advisory lock that serialises migrations ("zonenews" in ASCII).
SCHEMA_LOCK_KEY = 0x7A6F6E656E657773
MIGRATE_ATTEMPTS = 3

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
    """``--db`` if given, else ``ZONENEWS_DB``, else a SQLite file in the working directory.

    ``postgres://`` and ``postgresql://`` (the forms hosting services print) mean psycopg 3,
    the driver installed with zonenews; a driver that is not installed is named with the
    package that provides it, before any connection is tried.
    """
    url = explicit or os.environ.get(DB_ENV) or DEFAULT_URL
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise DatabaseError(f"{url!r} is not a database URL (e.g. sqlite:///zonenews.db or "
                            "postgresql+psycopg://user@host/db)") from None
    if parsed.drivername in ("postgres", "postgresql"):
        parsed = parsed.set(drivername="postgresql+psycopg")
        url = parsed.render_as_string(hide_password=False)
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise DatabaseError(f"{parsed.get_backend_name()}: only SQLite and PostgreSQL are "
                            "supported (sqlite:///FILE or postgresql+psycopg://user@host/db)")
    _check_driver(parsed)
    return url


# Python modules of drivers, and the package that installs each.
_DRIVER_PACKAGES = {"psycopg2": "psycopg2-binary", "asyncpg": "asyncpg", "pg8000": "pg8000",
                    "psycopg": "psycopg[binary]"}


def _check_driver(parsed: URL) -> None:
    try:
        parsed.get_dialect().import_dbapi()
    except NoSuchModuleError:
        raise DatabaseError(f"{parsed.drivername}: no such driver (use "
                            "postgresql+psycopg://user@host/db or sqlite:///FILE)") from None
    except ImportError as exc:
        module = (exc.name or "").split(".")[0] or parsed.drivername
        raise DatabaseError(
            f"{parsed.drivername}: its driver is not installed (pip install "
            f"{_DRIVER_PACKAGES.get(module, module)}), or use postgresql+psycopg://…, "
            "installed with zonenews") from None


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for PostgreSQL or an in-memory database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def require_existing(url: str | None) -> None:
    """Refuse a SQLite file that does not exist: a query must not create an empty archive
    from a mistyped path. Only a crawl creates the database."""
    path = sqlite_file(database_url(url))
    if path is not None and not path.exists():
        raise DatabaseError(f"{path}: no such database file (a crawl creates it: "
                            "zonenews crawl --db …)")


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
                _migrate(engine, key)
        except Exception as exc:  # any failure: reported as one line with the URL
            raise DatabaseError(
                f"{engine.url.render_as_string(hide_password=True)}: {error_line(exc)}") from exc
        _ready.add(key)


def _migrate(engine: Engine, url: str) -> None:
    """Upgrade to the newest migration, one process at a time.

    Commands started at once on a new database would otherwise create the same
    tables side by side, and PostgreSQL refuses the second (duplicate key in
    ``pg_type``). Whoever waited finds the schema current and does nothing:
    Alembic reads the version inside the locked transaction. On SQLite the
    ``BEGIN IMMEDIATE`` of every transaction is that lock; on PostgreSQL a
    transaction-level advisory lock, database-wide because an extension is too.
    """
    from alembic import command

    for attempt in range(MIGRATE_ATTEMPTS):
        cfg = alembic_config(url)
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                 {"key": SCHEMA_LOCK_KEY})
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
            return
        except IntegrityError:
            # A writer that takes no lock (an older zonenews beside this one) created the same
            # object first; the next attempt finds it.
            if attempt + 1 == MIGRATE_ATTEMPTS:
                raise


def current_revision(engine: Engine) -> str | None:
    """The migration the database is at, or None for a database without our schema."""
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        conn.rollback()
    return revision


def transient(exc: BaseException) -> bool:
    """Whether waiting can cure the error: a database that is down, restarting, full or locked.

    A refused value (a constraint, a type) fails the same way every time.
    """
    return (isinstance(exc, OperationalError | InterfaceError | PoolTimeout)
            or (isinstance(exc, DBAPIError) and exc.connection_invalidated))


def error_line(exc: BaseException) -> str:
    """The first line of what the database said: a driver error can run to many lines."""
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


def open_read_only(url: str | None = None) -> sessionmaker[Session]:
    """Sessions that can only read, on a database some crawl has already set up.

    For readers beside the crawls (the web application): nothing is created or
    migrated, a missing SQLite file is not made, and the connection itself refuses
    writes (``query_only`` on SQLite, read-only transactions on PostgreSQL).
    """
    key = database_url(url)
    parsed = make_url(key)
    if parsed.get_backend_name() == "sqlite":
        path = parsed.database or ""
        if path in ("", ":memory:") or not Path(path).is_file():
            raise DatabaseError(f"{path or 'memory'}: no database here yet (a first "
                                "`zonenews crawl` creates it)")
        engine = create_engine(key, connect_args={"timeout": SQLITE_BUSY_SECONDS,
                                                  "check_same_thread": False})
        pragmas: tuple[str, ...] = ("PRAGMA query_only=ON",
                                    f"PRAGMA busy_timeout={int(SQLITE_BUSY_SECONDS * 1000)}")
    else:
        engine = create_engine(key, pool_pre_ping=True)
        pragmas = ("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        for pragma in pragmas:
            cur.execute(pragma)
        cur.close()
        dbapi_conn.commit()

    try:
        revision = current_revision(engine)
    except Exception as exc:  # any failure: reported as one line with the URL
        engine.dispose()
        raise DatabaseError(
            f"{engine.url.render_as_string(hide_password=True)}: {error_line(exc)}") from exc
    if revision != HEAD_REVISION:
        engine.dispose()
        found = "no zonenews schema" if revision is None else f"schema {revision}"
        raise DatabaseError(f"{engine.url.render_as_string(hide_password=True)}: {found}, "
                            f"not {HEAD_REVISION} (a `zonenews crawl` sets it up)")
    return sessionmaker(engine, expire_on_commit=False)
