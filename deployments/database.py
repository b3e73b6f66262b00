"""The database as a command opens it: migrated, storage records in place, closed after."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from db.session import Database
from deployments.settings import Settings


@contextmanager
def opened(settings: Settings) -> Iterator[Database]:
    """Yields the settings' Database (migrated, with MediaStorage rows for the media root)
    and disposes of it on exit."""
    database = Database.open(settings.database_url, media_root=settings.media_root)
    try:
        yield database
    finally:
        database.dispose()
