"""The media root as plain records, who owns each file, and what the counters must say.

Pure: no disk, no database. ``storage.inventory`` builds these records from both;
``storage.retention`` plans with them and ``storage.accounting`` rescans with them.

A file belongs to a job when a row of that job records it, when it lies in the job's folder
(``audio/<job id>/``, ``images/<job id>/``, ``temp/<job id>/``), or when it is in videos/ and
named after the job's video (``<stem>.mp4``, its poster ``<stem>.mp4.jpg``, its caption files
``<stem>.srt``, and their partial files and parts folders ``.partial-<hex>-<stem>.mp4``,
``.parts-<stem>/``).
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from reelflow.db.states import StorageType


@dataclass(frozen=True)
class DiskFile:
    """A regular file found under one storage folder.

    ``job_dir``: the job folder it lies in, if any. ``partial``: a ``.partial-*`` name or
    inside a ``.parts-*`` folder. ``partial_of``: for those, the stem of the file they are
    becoming. ``cache``: in the speech cache.
    """

    path: str
    storage_type: StorageType
    size: int
    mtime: float
    job_dir: uuid.UUID | None = None
    partial: bool = False
    partial_of: str | None = None
    cache: bool = False


@dataclass(frozen=True)
class AssetRecord:
    """A media asset row; storage_type is None when its file is outside the media root.
    ``in_use``: a video uses it in place (a stock item or an upload a script named)."""

    id: uuid.UUID
    job_id: uuid.UUID
    path: str
    storage_type: StorageType | None
    recorded_size: int | None = None
    in_use: bool = False


@dataclass(frozen=True)
class VideoRecord:
    """A generated video row; ``completed`` when its status is COMPLETED."""

    id: uuid.UUID
    job_id: uuid.UUID | None
    path: str
    storage_type: StorageType | None
    completed: bool
    file_size: int | None = None


@dataclass(frozen=True)
class JobRecord:
    """A job: whether it reached COMPLETED or FAILED, and when (seconds since the epoch)."""

    id: uuid.UUID
    finished: bool
    failed: bool = False
    ended_at: float | None = None


class Owners:
    """Answers "which jobs does this file belong to?" from the rows and the folder layout."""

    def __init__(self, assets: Sequence[AssetRecord], videos: Sequence[VideoRecord],
                 jobs: Mapping[uuid.UUID, JobRecord]) -> None:
        self.jobs = jobs
        self.assets_by_path: dict[str, list[AssetRecord]] = defaultdict(list)
        for asset in assets:
            self.assets_by_path[asset.path].append(asset)
        self.video_by_path = {video.path: video for video in videos}
        self.in_use = {asset.path for asset in assets if asset.in_use}
        self.jobs_with_completed_video = {
            video.job_id for video in videos if video.completed and video.job_id is not None
        }
        self._video_job_by_stem = {
            _stem(video.path): video.job_id for video in videos if video.job_id is not None
        }

    def of(self, file: DiskFile) -> set[uuid.UUID]:
        """Returns the ids of the jobs ``file`` belongs to (empty when none is known)."""
        owners = {asset.job_id for asset in self.assets_by_path.get(file.path, ())}
        video = self.video_by_path.get(file.path)
        if video is not None and video.job_id is not None:
            owners.add(video.job_id)
        if file.job_dir is not None:
            owners.add(file.job_dir)
        if file.storage_type == StorageType.VIDEOS:
            # Why by name: a video's partial files, poster and caption files exist on disk
            # before (or without) a row recording them, and all start with the video's stem.
            name = file.partial_of if file.partial_of is not None else os.path.basename(
                file.path)
            job = self._video_job_by_stem.get(name.split(".", 1)[0])
            if job is not None:
                owners.add(job)
        return owners

    def is_companion(self, file: DiskFile, owners: set[uuid.UUID]) -> bool:
        """Whether ``file`` is a recorded file beside a job's completed video (its poster, its
        caption files): it lives as long as that video."""
        return (file.storage_type == StorageType.VIDEOS and file.path in self.assets_by_path
                and bool(owners & self.jobs_with_completed_video))

    def any_unfinished(self, jobs: Iterable[uuid.UUID]) -> bool:
        """Whether any of ``jobs`` is known and has not reached COMPLETED or FAILED."""
        return any(job in self.jobs and not self.jobs[job].finished for job in jobs)

    def is_finished(self, job_id: uuid.UUID | None) -> bool:
        """Whether ``job_id`` is a known job that reached COMPLETED or FAILED."""
        return job_id is not None and job_id in self.jobs and self.jobs[job_id].finished


def usage_of_settled_files(files: Sequence[DiskFile], assets: Sequence[AssetRecord],
                           videos: Sequence[VideoRecord],
                           unfinished: Iterable[uuid.UUID]) -> dict[StorageType, tuple[int, int]]:
    """Returns what each type's counters must say: (bytes, files) per storage type.

    Files of unfinished jobs are not read from the disk but taken from those jobs' rows (the
    sizes they were counted with), because a running job counts a file only when it records
    it. Every other regular file counts as it is on disk. ``assets`` and ``videos`` need only
    be the unfinished jobs' rows.
    """
    running = {job: JobRecord(job, finished=False) for job in unfinished}
    owners = Owners(assets, videos, running)
    usage = {kind: [0, 0] for kind in StorageType}
    on_disk = {}
    for file in files:
        on_disk[file.path] = file
        if not owners.any_unfinished(owners.of(file)):
            usage[file.storage_type][0] += file.size
            usage[file.storage_type][1] += 1
    counted: set[str] = set()
    for asset in assets:
        if asset.job_id in running and asset.storage_type and asset.path not in counted:
            counted.add(asset.path)
            found = on_disk.get(asset.path)
            size = asset.recorded_size if asset.recorded_size is not None else (
                found.size if found else None)
            if size is not None:
                usage[asset.storage_type][0] += size
                usage[asset.storage_type][1] += 1
    for video in videos:
        if (video.job_id in running and video.completed and video.storage_type
                and video.path not in counted):
            counted.add(video.path)
            usage[video.storage_type][0] += video.file_size or 0
            usage[video.storage_type][1] += 1
    return {kind: (size, count) for kind, (size, count) in usage.items()}


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]
