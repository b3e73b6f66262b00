"""Fixtures shared by every test tier.

- ``postgres_url`` (session): URL of a fresh PostgreSQL database for this test session; see
  tests/pg.py for where the server comes from. Fails, never skips, without PostgreSQL.
- ``db_url``: parametrized over SQLite (a file in tmp_path) and PostgreSQL (the session's
  database, emptied before each test); the PostgreSQL case carries the ``postgres`` marker.
- ``database``: a migrated ``db.session.Database`` on ``db_url``, disposed afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests import pg

if TYPE_CHECKING:
    from reelflow.db.session import Database


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The URL of a uniquely named, empty PostgreSQL database, dropped after the session."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(pg.fresh_database())
        except pg.PostgresUnavailable as error:
            pytest.fail(str(error), pytrace=False)
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database: a SQLite file, or the session's PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'reelflow.db'}"
    url: str = request.getfixturevalue("postgres_url")
    pg.reset_schema(url)
    return url


@pytest.fixture
def database(db_url: str) -> Iterator[Database]:
    """A Database on ``db_url``, migrated to the newest schema."""
    from reelflow.db.session import Database

    opened = Database.open(db_url)
    try:
        yield opened
    finally:
        opened.dispose()


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[str]:
    """A real, temporary Prefect server for this test session; yields its API URL.

    Heartbeats are off (each would cost a second's join at the end of every flow run) and
    analytics are off (no network).
    """
    import os

    os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
        temporary_settings,
    )
    from prefect.testing.utilities import prefect_test_harness

    with (prefect_test_harness(server_startup_timeout=120),
          temporary_settings({PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None})):
        yield str(PREFECT_API_URL.value())


@pytest.fixture(scope="session")
def prefect_api_url(prefect_server: str) -> str:
    """The API URL of the session's Prefect server, for commands run in subprocesses."""
    return prefect_server


@pytest.fixture(autouse=True)
def _fresh_task_databases() -> Iterator[None]:
    """Tasks keep one open Database per URL; tests recreate databases, so forget them."""
    yield
    from reelflow.services.runtime import forget_databases

    forget_databases()
