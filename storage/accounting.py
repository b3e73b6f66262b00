"""Accounting: MediaStorage counters that change in the transaction that records a file.

What a type's counters mean: the bytes and the number of regular files in its folder, except
that a job which has not ended counts its files from the moment it records them (a file being
rendered is not counted yet). So, whenever no job is running, the counters equal ``measure``.

How they stay exact when many jobs run at once: every change of a folder together with its
counters happens in one transaction that first takes the type's storage lock
(``StorageRepository.lock``: a row lock on PostgreSQL, the write lock on SQLite), and the counter
change itself is one atomic ``UPDATE ... SET x = x + :delta``:

- ``record_asset``: a job's file becomes (or updates) its MediaAsset row; a new path adds its
  size and one file, a rewritten one only the size difference (the row keeps the size it was
  counted with, ``metadata.file_size``).
- ``count_new_file``: a file that a row change makes count (a video when it is COMPLETED).
- ``remove_counted_file``: the reverse, for a COMPLETED video whose job failed after all.
- ``counted_publisher``: moves a finished temporary file into place and counts it; the speech
  cache publishes through it, so a cache entry counts exactly once however many jobs race.
- Deleting: ``storage.cleanup`` subtracts what it deleted, in the transaction removing the rows.
- ``reconcile``: under every type's lock, rescans the disk and sets the counters to the rule
  above; used by ``reelflow storage reconcile`` and at the end of every cleanup, it repairs
  any drift left by crashes or by hands in the media root, and reports what it fixed.

Scratch files (temp/<job>/) and partial files are never counted by the jobs that write them:
they are created and removed within one step. While their job runs they are outside the rule;
if a crash leaves them behind, the next rescan counts them and the next cleanup deletes them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from reelflow.db.models import MediaAsset
from reelflow.db.session import Database, UnitOfWork
from reelflow.db.states import AssetType, SourceType, StorageType
from reelflow.files import publish
from reelflow.storage.inventory import rows_of_jobs, scan
from reelflow.storage.layout import MediaLayout
from reelflow.storage.records import usage_of_settled_files

RECORDED_SIZE_KEY = "file_size"


@dataclass(frozen=True)
class Drift:
    """A type whose counters did not match the disk, and what they were set to."""

    storage_type: StorageType
    counted_bytes: int
    counted_files: int
    actual_bytes: int
    actual_files: int

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "storage_type": str(self.storage_type)}


def measure(folder: Path) -> tuple[int, int]:
    """Returns (bytes, files) of the regular files below ``folder``; (0, 0) when it is missing.

    Symbolic links are not followed, so nothing outside the folder is counted.
    """
    total = count = 0
    for directory, _, files in os.walk(folder):
        for name in files:
            try:
                info = os.lstat(os.path.join(directory, name))
            except FileNotFoundError:
                continue  # deleted while we walked: not there any more
            if not os.path.islink(os.path.join(directory, name)):
                total += info.st_size
                count += 1
    return total, count


def tree_bytes(paths: list[Path]) -> int:
    """Returns the summed size of the existing files among ``paths``."""
    return sum(p.stat().st_size for p in paths if p.is_file())


def record_asset(uow: UnitOfWork, media: MediaLayout, job_id: uuid.UUID, path: Path, *,
                 asset_type: AssetType, url_path: str, source_type: SourceType,
                 asset_metadata: Mapping[str, Any], duration: float | None = None,
                 creation_timestamp: datetime | None = None,
                 asset_id: uuid.UUID | None = None) -> MediaAsset:
    """Given an open unit of work and a job's finished file, upserts its MediaAsset row and
    counts the file, in that unit of work (the caller commits).

    A path no row recorded yet adds its size and one file; a path already recorded (a retried
    step, or another job's row for a shared file) adds the difference from the size it was
    counted with. Files outside the storage folders are recorded but not counted. A new row
    gets ``asset_id`` when given. Raises
    RecordInvalid as ``AssetRepository.upsert`` does (e.g. the file is missing).
    """
    kind = media.storage_type_of(path)
    if kind is not None:
        uow.storage.lock(kind)
    try:
        size: int | None = os.stat(path).st_size
    except FileNotFoundError:
        size = None  # the upsert refuses a missing file with a clear message
    before = uow.media.assets_recording(str(path))
    metadata = dict(asset_metadata)
    if size is not None:
        metadata[RECORDED_SIZE_KEY] = size
    asset = uow.assets.upsert(job_id, str(path), asset_type=asset_type, url_path=url_path,
                              source_type=source_type, asset_metadata=metadata,
                              duration=duration, creation_timestamp=creation_timestamp,
                              id=asset_id)
    if kind is not None and size is not None:
        if not before:
            uow.storage.add_usage(kind, size, 1)
        else:
            own = [row for row in before if row.job_id == job_id] or before
            counted = own[0].recorded_size
            # A row from before sizes were recorded: the rescan counted its file as it was.
            uow.storage.add_usage(kind, size - (size if counted is None else counted), 0)
    return asset


def count_new_file(uow: UnitOfWork, media: MediaLayout, path: Path, size: int) -> None:
    """Given an open unit of work and a file that starts to count in it (a video becoming
    COMPLETED), adds its size and one file to its type under the type's lock."""
    kind = media.storage_type_of(path)
    if kind is not None:
        uow.storage.lock(kind)
        uow.storage.add_usage(kind, size, 1)


def remove_counted_file(uow: UnitOfWork, media: MediaLayout, path: Path, size: int) -> None:
    """Given an open unit of work and a file that counts (a COMPLETED video), deletes it and
    subtracts its size and one file from its type, under the type's lock, in that unit of work
    (the caller commits). A file already gone subtracts nothing; if the commit then fails, the
    file is gone and the next rescan corrects the counters."""
    kind = media.storage_type_of(path)
    if kind is not None:
        uow.storage.lock(kind)
    try:
        path.unlink()
    except FileNotFoundError:
        return
    if kind is not None:
        uow.storage.add_usage(kind, -size, -1)


def counted_publisher(database: Database, media: MediaLayout) -> Callable[[Path, Path], None]:
    """Returns ``publish(temp, final)``: moves a finished file into place, replacing what was
    there, and counts the change in the same transaction (a new file: its size and one file; a
    replaced one: the difference). Stage ``temp`` inside a running job's folder so that a
    rescan meanwhile does not count it either. Raises StorageError from the lock, OSError
    from the move (nothing is counted then)."""

    def publish_counted(temp: Path, final: Path) -> None:
        kind = media.storage_type_of(final)
        with database.unit_of_work() as uow:
            if kind is not None:
                uow.storage.lock(kind)
            try:
                before: int | None = os.stat(final).st_size
            except FileNotFoundError:
                before = None
            publish(temp, final)
            if kind is not None:
                size = os.stat(final).st_size
                uow.storage.add_usage(kind, size - (before or 0), 0 if before is not None else 1)
            uow.commit()

    return publish_counted


def reconcile(database: Database, media: MediaLayout,
              cleaned_at: datetime | None = None) -> list[Drift]:
    """Rescans the media root and sets each type's counters to what the accounting rule says;
    returns the types that had drifted, with both figures (empty: nothing to fix).

    Safe while jobs run: it holds every type's lock for the rescan, and takes a running job's
    files from its rows. Given ``cleaned_at``, stamps every record's last_cleanup.
    """
    with database.unit_of_work() as uow:
        uow.storage.ensure_defaults(media.root)
        uow.storage.lock()
        running = uow.media.unfinished_job_ids()
        files = scan(media)
        # A job that started during the scan may own some of what it saw.
        running |= uow.media.unfinished_job_ids()
        assets, videos = rows_of_jobs(uow, media, running)
        expected = usage_of_settled_files(files, assets, videos, running)
        drift = []
        for record in uow.storage.all():
            size, count = expected[record.storage_type]
            counted = (record.total_size_bytes or 0, record.file_count or 0)
            if counted != (size, count):
                drift.append(Drift(record.storage_type, *counted, size, count))
                uow.storage.set_usage(record.storage_type, size, count)
            if cleaned_at is not None:
                record.last_cleanup = cleaned_at
        uow.commit()
    return drift


def check_job_files(uow: UnitOfWork, media: MediaLayout, job_id: uuid.UUID) -> list[str]:
    """Given an open unit of work and a job, compares each file the job recorded with the disk,
    under the locks of their types; a file whose size changed after it was counted is counted
    again at its size (row and counters). Returns one line per correction (empty: none)."""
    rows = [row for row in uow.media.assets([job_id]) if row.recorded_size is not None]
    kinds = {kind for row in rows if (kind := media.storage_type_of(row.file_path))}
    if not kinds:
        return []
    uow.storage.lock(*kinds)
    corrections = []
    for row in rows:
        kind = media.storage_type_of(row.file_path)
        try:
            size = os.stat(row.file_path).st_size
        except FileNotFoundError:
            continue  # a row whose file is gone is the cleanup's to remove
        if kind is None or row.recorded_size is None or size == row.recorded_size:
            continue
        uow.storage.add_usage(kind, size - row.recorded_size, 0)
        asset = uow.session.get(MediaAsset, row.id)
        if asset is not None:
            asset.asset_metadata = {**(asset.asset_metadata or {}), RECORDED_SIZE_KEY: size}
        corrections.append(f"{row.file_path}: counted {row.recorded_size} bytes, has {size}")
    return corrections
