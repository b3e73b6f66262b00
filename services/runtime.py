"""What the steps of one process share: the open database, the media layout and the clock."""

from __future__ import annotations

import atexit
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from reelflow.db.session import Database
from reelflow.errors import DatabaseError, StorageError
from reelflow.settings import Settings
from reelflow.storage.identity import claim, read_marker
from reelflow.storage.layout import MediaLayout

_opened: list[Database] = []


@lru_cache(maxsize=8)
def _database(url: str, media_root: Path) -> Database:
    opened = Database.open(url, migrate=True, media_root=media_root)
    _opened.append(opened)
    _claim_media_root(opened, media_root)
    return opened


def _claim_media_root(opened: Database, root: Path) -> None:
    # Read first, so that a read-only database (or one already claimed) costs no write.
    try:
        with opened.unit_of_work(read_only=True) as uow:
            if uow.storage.identity() is not None or read_marker(root) is not None:
                return
        with opened.unit_of_work() as uow:
            if claim(uow, root, utcnow()):
                uow.commit()
    except (DatabaseError, StorageError):
        pass  # cannot record it now (read-only?): deleting commands will refuse and say why


def database(settings: Settings) -> Database:
    """Returns the process-wide Database for ``settings`` (migrated, its MediaStorage records
    created and its media root's identity recorded, on first use). Raises DatabaseError."""
    return _database(settings.database_url, settings.media_root)


def forget_databases() -> None:
    """Closes and forgets the open databases (for tests that drop and recreate them)."""
    for opened in _opened:
        opened.dispose()
    _opened.clear()
    _database.cache_clear()


# Closed at exit, not left to the interpreter's teardown (which the command line skips): SQLite
# folds its write-ahead log into the database when the last connection closes, so a database
# copied or mounted read-only afterwards opens without it.
atexit.register(forget_databases)


def layout(settings: Settings) -> MediaLayout:
    """Returns the media layout of ``settings`` with every folder created."""
    media = MediaLayout(settings.media_root, settings.media_url_prefix)
    media.ensure()
    return media


def utcnow() -> datetime:
    """The clock: timezone-aware UTC."""
    return datetime.now(UTC)
