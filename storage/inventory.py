"""The media root and its records as plain values, for retention planning and rescans.

``scan`` lists every regular file under the storage folders (symbolic links are neither
followed nor listed, so nothing outside the root is counted or deleted); ``snapshot`` reads
the rows and policies. Both return the plain records of ``storage.records``.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass

from reelflow.db.media_index import AssetRow, JobRow, VideoRow
from reelflow.db.session import Database, UnitOfWork
from reelflow.db.states import JobStatus, StorageType, VideoStatus
from reelflow.errors import DatabaseError, StorageError
from reelflow.files import PARTIAL_PREFIX, PARTS_PREFIX, partial_target
from reelflow.storage.layout import CACHE_FOLDER, MediaLayout
from reelflow.storage.records import AssetRecord, DiskFile, JobRecord, VideoRecord
from reelflow.storage.retention import Policy


@dataclass(frozen=True)
class Snapshot:
    """What the database says: rows of every job, asset and video, and each type's policy."""

    jobs: list[JobRecord]
    assets: list[AssetRecord]
    videos: list[VideoRecord]
    policies: dict[StorageType, Policy]


def scan(media: MediaLayout) -> list[DiskFile]:
    """Returns every regular file under the five storage folders (missing folders: none)."""
    found: list[DiskFile] = []
    for kind in StorageType:
        _walk(str(media.folder(kind)), kind, found)
    return found


def _walk(top: str, kind: StorageType, found: list[DiskFile]) -> None:
    # (directory, depth, job folder, stem of the video a .parts folder builds, in the cache)
    stack: list[tuple[str, int, uuid.UUID | None, str | None, bool]] = [
        (top, 0, None, None, False)]
    while stack:
        directory, depth, job_dir, parts_of, cache = stack.pop()
        try:
            entries = os.scandir(directory)
        except (FileNotFoundError, NotADirectoryError):
            continue  # removed while we walked
        with entries:
            for entry in entries:
                name = entry.name
                if entry.is_dir(follow_symlinks=False):
                    child_job, child_cache = job_dir, cache
                    if depth == 0:
                        child_job = _job_id(name)
                        child_cache = kind == StorageType.AUDIO and name == CACHE_FOLDER
                    child_parts = name[len(PARTS_PREFIX):] if name.startswith(PARTS_PREFIX) \
                        else parts_of
                    stack.append((entry.path, depth + 1, child_job, child_parts, child_cache))
                elif entry.is_file(follow_symlinks=False):
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue
                    partial_of = parts_of
                    if partial_of is None and name.startswith(PARTIAL_PREFIX):
                        partial_of = _partial_stem(name)
                    found.append(DiskFile(
                        entry.path, kind, info.st_size, info.st_mtime, job_dir,
                        parts_of is not None or name.startswith(PARTIAL_PREFIX), partial_of,
                        cache))


def _job_id(name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(name) if len(name) == 36 else None
    except ValueError:
        return None


def _partial_stem(name: str) -> str:
    return os.path.splitext(partial_target(name) or "")[0]


def snapshot(database: Database, media: MediaLayout) -> Snapshot:
    """Returns every job, asset and video row and each type's policy, read in one read-only
    unit of work. Raises StorageError when the database cannot be read."""
    try:
        with database.unit_of_work(read_only=True) as uow:
            policies = {record.storage_type: Policy.from_mapping(record.cleanup_policy)
                        for record in uow.storage.all()}
            if set(policies) != set(StorageType):
                raise StorageError("the media storage records are missing; open the database "
                                   "with its media root first")
            return Snapshot(jobs=[job_record(row) for row in uow.media.jobs()],
                            assets=asset_records(uow.media.assets(), media,
                                                 uow.library.in_use()),
                            videos=video_records(uow.media.videos(), media),
                            policies=policies)
    except (DatabaseError, OSError) as exc:
        raise StorageError(f"the database cannot be read: {exc}") from exc


def rows_of_jobs(uow: UnitOfWork, media: MediaLayout, job_ids: set[uuid.UUID],
                 ) -> tuple[list[AssetRecord], list[VideoRecord]]:
    """Returns the asset and video rows of the given jobs, as plain records."""
    return (asset_records(uow.media.assets(job_ids), media),
            video_records(uow.media.videos(job_ids), media))


def job_record(row: JobRow) -> JobRecord:
    ended = row.completed_at.timestamp() if row.completed_at is not None else None
    return JobRecord(row.id, row.status in (JobStatus.COMPLETED, JobStatus.FAILED),
                     row.status == JobStatus.FAILED, ended)


def asset_records(rows: list[AssetRow], media: MediaLayout,
                  in_use: set[uuid.UUID] | None = None) -> list[AssetRecord]:
    used = in_use or set()
    return [AssetRecord(row.id, row.job_id, row.file_path, media.storage_type_of(row.file_path),
                        row.recorded_size, row.id in used) for row in rows]


def video_records(rows: list[VideoRow], media: MediaLayout) -> list[VideoRecord]:
    return [VideoRecord(row.id, row.job_id, row.file_path, media.storage_type_of(row.file_path),
                        row.status == VideoStatus.COMPLETED, row.file_size) for row in rows]

