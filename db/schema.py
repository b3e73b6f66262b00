"""Bringing a database's schema up to date with Alembic, without an alembic.ini."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text
from sqlalchemy.engine import Connection

from reelflow.db.connect import SQLITE_BEGIN, create_db_engine
from reelflow.errors import ReelflowError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

# Any constant will do; it only has to be the same for every reelflow process.
_MIGRATION_LOCK_KEY = 0x7265656C666C6F77  # "reelflow"


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    """Returns an Alembic Config for reelflow's migrations, with no alembic.ini needed.

    Given a connection, migrations run on it; given only a URL, env.py opens its own engine.
    Useful for new revisions too: ``command.revision(alembic_config(url=...), autogenerate=True)``.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def is_up_to_date(engine: Engine) -> bool:
    """Whether the database's schema is at the newest revision, asked with a read that takes
    no write lock (so a read-only database can be used when nothing needs migrating)."""
    reader = engine.execution_options(**{SQLITE_BEGIN: "DEFERRED"})
    with reader.connect() as connection:
        current = frozenset(MigrationContext.configure(connection).get_current_heads())
    return current == _heads()


def migrate(engine_or_url: Engine | str) -> None:
    """Given an Engine or a URL, upgrades its database to the newest schema (Alembic ``head``).

    Safe to call from several processes at once: on PostgreSQL an advisory lock serialises
    them, on SQLite the write lock does. Up-to-date databases are left untouched.
    """
    engine = create_db_engine(engine_or_url) if isinstance(engine_or_url, str) else engine_or_url
    try:
        if engine.dialect.name == "sqlite":
            _migrate_sqlite(engine)
        else:
            with engine.begin() as connection:
                if connection.dialect.name == "postgresql":
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK_KEY}
                    )
                command.upgrade(alembic_config(connection), "head")
    finally:
        if engine is not engine_or_url:
            engine.dispose()


def _migrate_sqlite(engine: Engine) -> None:
    # Why: batch migrations rebuild tables by copy-and-drop, and with foreign keys on, dropping
    # the old table would cascade-delete children. SQLite only lets the pragma change outside a
    # transaction, so switch it off around the migration and check integrity before commit.
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        assert raw is not None
        # Straight to the driver: through SQLAlchemy the pragma would run inside a transaction.
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                command.upgrade(alembic_config(connection), "head")
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise ReelflowError(f"migration left dangling foreign keys: {broken[:5]}")
        finally:
            raw.execute("PRAGMA foreign_keys=ON")
