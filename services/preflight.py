"""Before a job or a worker is started: can the database and the media root take what it will
write, and is the media root the shared one?

A command that is about to run a job asks this first, so an unreachable, garbage or
read-only database, or a media root that cannot be written, costs one line at start instead
of a failed run after Prefect's start-up.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from reelflow.db.session import Database, shown_url
from reelflow.db.states import StorageType
from reelflow.errors import DatabaseError, StorageError
from reelflow.services.runtime import database, layout
from reelflow.settings import Settings
from reelflow.storage.identity import MARKER, read_marker


def check_writable(settings: Settings) -> None:
    """Returns when the database takes a write lock and the media root takes a file; raises
    DatabaseError or StorageError with one line naming what and where otherwise."""
    opened = database(settings)
    try:
        with opened.unit_of_work() as uow:
            # A write that changes nothing, rolled back: a read-only database refuses it.
            uow.storage.add_usage(StorageType.TEMP, 0, 0)
            uow.flush()
    except DatabaseError as exc:
        reason = str(exc).removeprefix("the database failed: ")
        raise DatabaseError(f"cannot write to the database {shown_url(settings.database_url)}: "
                            f"{reason}") from exc
    media = layout(settings)
    scratch = media.folder(StorageType.TEMP)
    try:
        with tempfile.NamedTemporaryFile(dir=scratch, prefix=".probe-") as probe:
            probe.write(b"reelflow")
            probe.flush()
            os.fsync(probe.fileno())
    except OSError as exc:
        raise StorageError(f"the media root cannot be written: {scratch}: "
                           f"{exc.strerror or exc}") from exc


def check_shared(settings: Settings) -> None:
    """Before a worker starts: returns when the database answers and records a media root,
    and this machine's media root is that one, at the same path, and writable; raises
    DatabaseError or StorageError with one line saying which and how to fix it otherwise.

    A worker never gives a media root its identity: the server side does (``reelflow
    deploy`` or ``up``), so a worker whose media root is a local folder, not the shared one,
    is refused instead of claiming it.
    """
    where = shown_url(settings.database_url)
    try:
        opened = Database.open(settings.database_url, migrate=False)
    except DatabaseError as exc:
        raise DatabaseError(f"cannot reach the database {where}: {_reason(exc)}") from exc
    try:
        with opened.unit_of_work(read_only=True) as uow:
            recorded = uow.storage.identity()
    except DatabaseError as exc:
        raise DatabaseError(f"cannot read the database {where}: {_reason(exc)} (run "
                            "`reelflow deploy` once where the server runs)") from exc
    finally:
        opened.dispose()
    if recorded is None:
        raise StorageError(f"the database {where} records no media root yet: run `reelflow "
                           "deploy` (or `reelflow up`) once on the shared media root first")
    root = settings.media_root
    found = read_marker(root)
    if found != recorded.marker_id:
        what = ("has no marker " + MARKER if found is None else f"is another one (marker {found})")
        raise StorageError(
            f"the media root {root} is not the shared one: it {what}, while the database's "
            f"media root is {recorded.marker_id} at {recorded.directory_path}; mount the shared "
            "media root there and set REELFLOW_MEDIA_ROOT to it")
    if Path(recorded.directory_path) != root:
        raise StorageError(
            f"the shared media root is mounted at {root} here but at "
            f"{recorded.directory_path} where it was set up: rows record absolute paths, so "
            "mount it at the same path on every machine")
    check_writable(settings)


def _reason(exc: Exception) -> str:
    return str(exc).removeprefix("the database failed: ")
