"""Creating engines that behave the same on SQLite and PostgreSQL.

SQLite needs three things PostgreSQL does by itself: foreign keys switched on for every
connection, WAL so readers do not block the one writer, and writers that wait for the lock
instead of failing when several processes (Prefect workers, the media server) share the file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection, make_url

# Execution option naming the SQLite BEGIN mode: "IMMEDIATE" (default) takes the write lock at
# once; "DEFERRED" suits read-only work, which in WAL mode never blocks or waits for writers.
SQLITE_BEGIN = "reelflow_sqlite_begin"

# Why 30 s: long enough to outwait another process's commit of a rendered video's rows,
# short enough that a truly stuck writer surfaces as an error.
SQLITE_BUSY_TIMEOUT_MS = 30_000


def database_url(url: str | URL) -> URL:
    """Given a database URL, returns it with the driver reelflow uses made explicit.

    ``postgresql://`` and ``postgres://`` mean psycopg2 (SQLAlchemy 2.1 would pick psycopg 3).
    Raises ValueError for any other database.
    """
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError(f"reelflow works with sqlite:/// and postgresql:// URLs, not "
                         f"{parsed.get_backend_name()}")
    return parsed


def create_db_engine(url: str | URL, **options: Any) -> Engine:
    """Given a SQLite or PostgreSQL URL, returns an Engine configured for reelflow.

    SQLite: creates the file's directory (a file that cannot be written is opened read-only,
    so reading commands work on it); every connection gets foreign keys on, WAL, a busy
    timeout, and transactions that take the write lock up front (``BEGIN IMMEDIATE``) so two
    read-modify-write transactions queue instead of one failing with "database is locked" when
    its snapshot went stale; pass the execution option SQLITE_BEGIN="DEFERRED" for read-only work.
    PostgreSQL: psycopg2 with pre-ping, so connections dropped by a restart are replaced.
    Extra keyword options go to ``sqlalchemy.create_engine``.
    """
    parsed = database_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed, **options)
    return create_engine(parsed, pool_pre_ping=True, **options)


def _write_ahead(cursor: Any) -> None:
    """Puts the database in WAL mode, waiting as long as the busy timeout while another
    connection holds the lock the switch needs.

    Why not the busy timeout alone: SQLite answers the switch with "database is locked" at
    once, without waiting, when another connection is switching a new database at the same
    time (seen in CI: three processes migrating one new database).
    """
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(0.05)


def _sqlite_engine(url: URL, **options: Any) -> Engine:
    read_only = False
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        path = Path(url.database).expanduser().resolve()
        read_only = path.exists() and not (os.access(path, os.W_OK)
                                           and os.access(path.parent, os.W_OK))
        if read_only:
            # Why immutable: a WAL database needs its -shm file, which a read-only folder
            # cannot hold; nothing can write here, so SQLite may read the file as it is.
            target = f"file:{quote(str(path))}?mode=ro&immutable=1"
            options.setdefault("creator", lambda: sqlite3.connect(
                target, uri=True, check_same_thread=False))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Why: let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not read_only:
            _write_ahead(cursor)
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
        if mode not in ("IMMEDIATE", "DEFERRED", "EXCLUSIVE"):
            raise ValueError(f"{SQLITE_BEGIN} must be IMMEDIATE, DEFERRED or EXCLUSIVE: {mode!r}")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
