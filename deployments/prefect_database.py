"""Prefect's own database on PostgreSQL, beside the app's, for ``reelflow up --database``.

One PostgreSQL database holds both: the app's tables in its ``public`` schema, Prefect's in a
schema of their own, ``prefect_server`` (both use Alembic, whose ``alembic_version`` table
would otherwise be shared; not ``prefect``, which a role named prefect would find first on its
default search path, ``"$user", public``). Prefect talks to PostgreSQL through asyncpg, which
installs with it, and finds its schema through the connection's ``search_path`` (Prefect's setting
PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_SEARCH_PATH); ``public`` stays on that path
because Prefect's migrations need the ``pg_trgm`` extension there.
"""

from __future__ import annotations

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from reelflow.errors import InvalidArgument

PREFECT_SCHEMA = "prefect_server"


def parse_postgresql(url: str) -> URL:
    """Given ``postgresql://...`` (any driver), returns it parsed; raises InvalidArgument for
    anything else (SQLite, the embedded default, needs no option)."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise InvalidArgument(f"--database: not a database URL: {url[:80]!r}") from exc
    if parsed.get_backend_name() != "postgresql" or not parsed.database:
        raise InvalidArgument("--database takes a PostgreSQL URL with a database name, e.g. "
                              f"postgresql://user@host/reelflow, not {url[:80]!r}")
    return parsed


def app_url(url: str) -> str:
    """The app's URL of the database (psycopg2, the app's driver)."""
    parsed = parse_postgresql(url)
    return parsed.set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)


def prefect_env(url: str) -> dict[str, str]:
    """Returns the settings that put a Prefect server's database in the ``prefect_server`` schema of
    the PostgreSQL database ``url``, through asyncpg."""
    parsed = parse_postgresql(url).set(drivername="postgresql+asyncpg")
    return {
        "PREFECT_API_DATABASE_CONNECTION_URL": parsed.render_as_string(hide_password=False),
        "PREFECT_SERVER_DATABASE_SQLALCHEMY_CONNECT_ARGS_SEARCH_PATH":
            f"{PREFECT_SCHEMA}, public",
    }


def create_prefect_schema(url: str) -> None:
    """Creates the ``prefect_server`` schema in the database ``url``, and its Alembic version
    table, unless they exist (Prefect's migrations create tables in the first schema of the
    search path that exists, so it must exist first). Raises DatabaseError when the database
    cannot be reached or refuses."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    from reelflow.db.session import shown_url
    from reelflow.errors import DatabaseError

    engine = create_engine(app_url(url))
    try:
        with engine.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{PREFECT_SCHEMA}"'))
            # Why: Prefect's Alembic names its version table without a schema, so on the
            # search path it would find the app's public.alembic_version first and look for
            # the app's revision among its own. An empty one of its own, Alembic's layout,
            # comes first on the path: Prefect migrates from the start, into its schema.
            connection.execute(text(
                f'CREATE TABLE IF NOT EXISTS "{PREFECT_SCHEMA}".alembic_version ('
                "version_num VARCHAR(32) NOT NULL, "
                "CONSTRAINT alembic_version_pkc PRIMARY KEY (version_num))"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise DatabaseError(f"cannot create schema {PREFECT_SCHEMA!r} in "
                            f"{shown_url(url)}: {reason}") from exc
    finally:
        engine.dispose()
