"""Before a job is started: can the database and the media root take what it will write?

A command that is about to run a job asks this first, so an unreachable, garbage or
read-only database, or a media root that cannot be written, costs one line at start instead
of a failed run after Prefect's start-up.
"""

from __future__ import annotations

import os
import tempfile

from reelflow.db.session import shown_url
from reelflow.db.states import StorageType
from reelflow.errors import DatabaseError, StorageError
from reelflow.services.runtime import database, layout
from reelflow.settings import Settings


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
