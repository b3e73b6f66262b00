"""A media root that knows whose it is: a marker file with an id, recorded in the database.

The first time a database opens a media root that carries no marker, it writes
``<media root>/.reelflow-media-root`` holding a new id and records the same id. From then on
every command that deletes (cleanup, the storage rescan) calls ``verify`` first, which
refuses when the marker is missing or holds another id: a database must never clean another
installation's media root, whose files it would take for orphans.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime
from pathlib import Path

from reelflow.db.session import UnitOfWork
from reelflow.errors import StorageError
from reelflow.files import partial_path

MARKER = ".reelflow-media-root"


def marker_path(root: Path) -> Path:
    """Returns where a media root's marker file lives."""
    return root / MARKER


def read_marker(root: Path) -> uuid.UUID | None:
    """Returns the id in the media root's marker file; None when there is none. Raises
    StorageError when it exists but cannot be read or holds no id."""
    path = marker_path(root)
    try:
        text = path.read_text(encoding="ascii", errors="replace").strip()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise StorageError(f"cannot read the media root's marker {path}: "
                           f"{exc.strerror or exc}") from exc
    try:
        return uuid.UUID(text.splitlines()[0] if text else "")
    except ValueError:
        raise StorageError(f"the media root's marker {path} holds no id") from None


def claim(uow: UnitOfWork, root: Path, now: datetime) -> bool:
    """Gives an unmarked media root this database's identity: records a new id and writes
    the marker, in the unit of work (the caller commits). Returns whether it did; a database
    that has an identity, or a root marked by another, is left as it is."""
    if uow.storage.identity() is not None or read_marker(root) is not None:
        return False
    marker_id = uuid.uuid4()
    if not uow.storage.record_identity(marker_id, root, now):
        return False  # another process recorded one first
    temp = partial_path(marker_path(root))
    try:
        temp.write_text(f"{marker_id}\n", encoding="ascii")
        os.link(temp, marker_path(root))  # appears complete, and never over another marker
    except FileExistsError:
        uow.rollback()
        return False
    except OSError as exc:
        raise StorageError(f"cannot write the media root's marker in {root}: "
                           f"{exc.strerror or exc}") from exc
    finally:
        temp.unlink(missing_ok=True)
    return True


def verify(uow: UnitOfWork, root: Path) -> None:
    """Returns when the media root is the one this database recorded; raises StorageError
    with one line saying what differs, and how to fix it, otherwise."""
    recorded = uow.storage.identity()
    found = read_marker(root)
    where = marker_path(root)
    if recorded is None and found is None:
        raise StorageError(f"refusing to delete: the media root {root} has no identity yet; "
                           "run any reelflow command once to record it")
    if recorded is None:
        raise StorageError(
            f"refusing to delete: the media root {root} belongs to another database (its "
            f"marker {where} holds {found}; this database recorded none). If it is really "
            f"this database's, delete {where} and run again")
    if found is None:
        raise StorageError(
            f"refusing to delete: the media root {root} has no marker {MARKER}; this "
            f"database's media root is {recorded.marker_id} at {recorded.directory_path}")
    if found != recorded.marker_id:
        raise StorageError(
            f"refusing to delete: the media root {root} belongs to another database (marker "
            f"{found}); this database's media root is {recorded.marker_id} at "
            f"{recorded.directory_path}")
