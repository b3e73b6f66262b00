"""Retention planning: which files and rows a cleanup removes, and why.

Pure: plain values in (what is on disk, what the database records, each type's policy, the
time), a Plan out. Nothing here reads the disk, the database or the clock.

The rules, in the order they are applied:

- A file that belongs to a job that has not reached COMPLETED or FAILED is never touched. A
  file belongs to a job when a row of that job records it, when it lies in the job's folder
  (``audio/<job id>/``, ``images/<job id>/``, ``temp/<job id>/``), or when it is a partial
  file or parts folder of the job's video.
- Half-written files (``.partial-*``, anything in a ``.parts-*`` folder) older than the grace
  period: STALE_PARTIAL.
- temp/: files older than the TEMP policy's max_age_days: EXPIRED; a finished (or unknown)
  job's scratch files older than the grace period: STALE_TEMP.
- Recorded files, speech-cache files and stock files older than their type's max_age_days:
  EXPIRED, except completed videos while preserve_completed_videos is true.
- Files in videos/, images/ and audio/ that no row records, older than the grace period:
  ORPHAN_FILE (not while the database knows no job at all: then it is more likely the wrong
  database than a media root full of orphans).
- Rows whose file is gone: ORPHAN_ROW.
- A type still over max_size_mb: its oldest deletable files, oldest first, until it is not:
  OVER_SIZE_CAP.
- When a video goes (expired, over the cap, its file gone), its job goes with it, and so does a
  FAILED job older than the VIDEOS policy's max_age_days: every file of the job (WITH_JOB unless
  it already had a reason), then the job's rows. The seed's cascade removes its assets.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from db.states import StorageType

DAY = 86_400.0
MB = 2**20


class Reason(StrEnum):
    """Why a file or row is removed."""

    EXPIRED = "expired"
    OVER_SIZE_CAP = "over_size_cap"
    ORPHAN_FILE = "orphan_file"
    ORPHAN_ROW = "orphan_row"
    STALE_PARTIAL = "stale_partial"
    STALE_TEMP = "stale_temp"
    WITH_JOB = "with_job"


@dataclass(frozen=True)
class Policy:
    """One storage type's retention settings (None: no limit)."""

    max_age_days: float | None = None
    max_size_mb: float | None = None
    preserve_completed_videos: bool = True

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any] | None) -> Policy:
        """Given a MediaStorage.cleanup_policy (already validated), returns it as a Policy."""
        values = values or {}
        return cls(values.get("max_age_days"), values.get("max_size_mb"),
                   bool(values.get("preserve_completed_videos", True)))

    def expired(self, age_seconds: float) -> bool:
        return self.max_age_days is not None and age_seconds > self.max_age_days * DAY


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
    """A media asset row; storage_type is None when its file is outside the media root."""

    id: uuid.UUID
    job_id: uuid.UUID
    path: str
    storage_type: StorageType | None
    recorded_size: int | None = None


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


@dataclass(frozen=True)
class Deletion:
    """One file to delete and the rows that go after it; ``present`` False: the file is gone
    already and only its rows go. ``job_ids``: the jobs the file belongs to, checked again
    before it is deleted. A video row of a job in Plan.jobs stays until the job's rows go,
    after all its files."""

    reason: Reason
    storage_type: StorageType
    path: str
    size: int
    mtime: float | None
    present: bool = True
    job_ids: tuple[uuid.UUID, ...] = ()
    asset_ids: tuple[uuid.UUID, ...] = ()
    video_id: uuid.UUID | None = None

    @property
    def rows(self) -> int:
        return len(self.asset_ids) + (self.video_id is not None)


@dataclass(frozen=True)
class Plan:
    """What a cleanup deletes: files (with their rows), then whole jobs."""

    deletions: tuple[Deletion, ...]
    jobs: Mapping[uuid.UUID, Reason] = field(default_factory=dict)
    kept_for_unfinished_jobs: int = 0
    notes: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.deletions and not self.jobs

    def summary(self) -> list[dict[str, Any]]:
        """Returns files, bytes and rows per storage type and reason, in StorageType order."""
        return summarize(self.deletions)


def summarize(deletions: Iterable[Deletion]) -> list[dict[str, Any]]:
    """Given deletions, returns one row per (storage type, reason) with files, bytes, rows."""
    totals: dict[tuple[StorageType, Reason], list[int]] = defaultdict(lambda: [0, 0, 0])
    for item in deletions:
        total = totals[(item.storage_type, item.reason)]
        total[0] += item.present
        total[1] += item.size if item.present else 0
        total[2] += item.rows
    order = list(StorageType)
    return [{"storage_type": str(kind), "reason": str(reason), "files": files, "bytes": size,
             "rows": rows}
            for (kind, reason), (files, size, rows) in sorted(
                totals.items(), key=lambda kv: (order.index(kv[0][0]), str(kv[0][1])))]


class _Index:
    """Who owns what: rows by path, job folders, partials of videos."""

    def __init__(self, files: Sequence[DiskFile], assets: Sequence[AssetRecord],
                 videos: Sequence[VideoRecord], jobs: Mapping[uuid.UUID, JobRecord]) -> None:
        self.jobs = jobs
        self.assets_by_path: dict[str, list[AssetRecord]] = defaultdict(list)
        for asset in assets:
            self.assets_by_path[asset.path].append(asset)
        self.video_by_path = {video.path: video for video in videos}
        self.video_job_by_stem = {
            _stem(video.path): video.job_id for video in videos if video.job_id is not None
        }

    def owners(self, file: DiskFile) -> set[uuid.UUID]:
        """Returns the ids of the jobs a file belongs to (empty when none is known)."""
        owners = {asset.job_id for asset in self.assets_by_path.get(file.path, ())}
        video = self.video_by_path.get(file.path)
        if video is not None and video.job_id is not None:
            owners.add(video.job_id)
        if file.job_dir is not None:
            owners.add(file.job_dir)
        if file.partial_of is not None and file.storage_type == StorageType.VIDEOS:
            job = self.video_job_by_stem.get(file.partial_of)
            if job is not None:
                owners.add(job)
        return owners

    def unfinished(self, owners: Iterable[uuid.UUID]) -> bool:
        return any(job in self.jobs and not self.jobs[job].finished for job in owners)

    def finished_job(self, job_id: uuid.UUID | None) -> bool:
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
    index = _Index(files, assets, videos, running)
    usage = {kind: [0, 0] for kind in StorageType}
    on_disk = {}
    for file in files:
        on_disk[file.path] = file
        if not index.unfinished(index.owners(file)):
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


def plan_cleanup(*, now: float, policies: Mapping[StorageType, Policy],
                 files: Sequence[DiskFile], assets: Sequence[AssetRecord],
                 videos: Sequence[VideoRecord], jobs: Sequence[JobRecord],
                 grace_seconds: float = 3600.0) -> Plan:
    """Given the disk, the rows, the policies and the time, returns what a cleanup deletes.

    Deterministic: the same values give the same plan, in the same order (by storage type,
    then path). A file is planned at most once, with the first reason that applies.
    """
    job_map = {job.id: job for job in jobs}
    index = _Index(files, assets, videos, job_map)
    planned: dict[str, Deletion] = {}
    row_only: list[Deletion] = []
    doomed_jobs: dict[uuid.UUID, Reason] = {}
    kept = 0
    notes: list[str] = []
    settled: list[tuple[DiskFile, set[uuid.UUID]]] = []
    on_disk = {file.path for file in files}

    def policy(kind: StorageType) -> Policy:
        return policies.get(kind, Policy())

    def add(file: DiskFile, reason: Reason, owners: set[uuid.UUID]) -> None:
        if file.path in planned:
            return
        video = index.video_by_path.get(file.path)
        planned[file.path] = Deletion(
            reason, file.storage_type, file.path, file.size, file.mtime, True,
            tuple(sorted(owners)),
            tuple(a.id for a in index.assets_by_path.get(file.path, ())),
            video.id if video is not None else None)

    def doom_video(video: Any, reason: Reason) -> bool:
        if index.finished_job(video.job_id):
            doomed_jobs.setdefault(video.job_id, reason)
            return True
        return False

    for file in files:
        owners = index.owners(file)
        if index.unfinished(owners):
            kept += 1
            continue
        age = now - file.mtime
        rules = policy(file.storage_type)
        assets_here = index.assets_by_path.get(file.path)
        video = index.video_by_path.get(file.path)
        settled.append((file, owners))
        if file.partial:
            if age > grace_seconds:
                add(file, Reason.STALE_PARTIAL, owners)
        elif file.storage_type == StorageType.TEMP and not assets_here:
            if rules.expired(age):
                add(file, Reason.EXPIRED, owners)
            elif (file.job_dir is not None and age > grace_seconds
                  and (file.job_dir not in job_map or job_map[file.job_dir].finished)):
                add(file, Reason.STALE_TEMP, owners)
        elif video is not None:
            if video.completed and rules.preserve_completed_videos:
                continue
            if not video.completed and age > grace_seconds:
                add(file, Reason.ORPHAN_FILE, owners)
            elif video.completed and rules.expired(age):
                add(file, Reason.EXPIRED, owners)
                doom_video(video, Reason.EXPIRED)
        elif assets_here or file.cache or file.storage_type == StorageType.STOCK:
            if rules.expired(age):
                add(file, Reason.EXPIRED, owners)
        elif age > grace_seconds:
            if job_map:
                add(file, Reason.ORPHAN_FILE, owners)
            elif not notes:
                notes.append("the database knows no job, so files no row records are kept: "
                             "check that REELFLOW_DATABASE_URL is this media root's database")

    for path, records in index.assets_by_path.items():
        live = [a for a in records if a.storage_type is not None]
        if not live or path in on_disk or index.unfinished(a.job_id for a in live):
            continue
        kind = live[0].storage_type or StorageType.IMAGES
        row_only.append(Deletion(Reason.ORPHAN_ROW, kind, path, 0, None, False,
                                 tuple(sorted({a.job_id for a in live})),
                                 tuple(a.id for a in live)))
    for video in index.video_by_path.values():
        if (video.storage_type is None or not video.completed or video.path in on_disk
                or index.unfinished([video.job_id] if video.job_id else [])):
            continue
        if not doom_video(video, Reason.ORPHAN_ROW):
            row_only.append(Deletion(Reason.ORPHAN_ROW, video.storage_type, video.path, 0,
                                     None, False, (), (), video.id))
    video_rules = policy(StorageType.VIDEOS)
    for job in jobs:
        if (job.failed and job.ended_at is not None
                and video_rules.expired(now - job.ended_at)):
            doomed_jobs.setdefault(job.id, Reason.EXPIRED)

    by_owner: dict[uuid.UUID, list[tuple[DiskFile, set[uuid.UUID]]]] = defaultdict(list)
    for file, owners in settled:
        for owner in owners:
            by_owner[owner].append((file, owners))

    def take_jobs(jobs_now: Iterable[uuid.UUID]) -> None:
        # Why the checks: a stock file, or a file another job shares, is not the job's to take.
        for job in jobs_now:
            for file, owners in by_owner.get(job, ()):
                if file.storage_type != StorageType.STOCK and owners <= doomed_jobs.keys():
                    add(file, Reason.WITH_JOB, owners)

    take_jobs(list(doomed_jobs))
    for kind in StorageType:
        cap = policy(kind).max_size_mb
        if cap is None:
            continue
        used = sum(f.size for f in files if f.storage_type == kind)
        used -= sum(d.size for d in planned.values() if d.storage_type == kind)
        if used <= cap * MB:
            continue
        candidates = sorted(
            (pair for pair in settled
             if pair[0].storage_type == kind and pair[0].path not in planned
             and _may_go_for_space(pair[0], index, policy(kind), now - pair[0].mtime,
                                   grace_seconds)),
            key=lambda pair: (pair[0].mtime, pair[0].path))
        newly_doomed = []
        for file, owners in candidates:
            if used <= cap * MB:
                break
            add(file, Reason.OVER_SIZE_CAP, owners)
            used -= file.size
            video = index.video_by_path.get(file.path)
            if video is not None and video.completed and doom_video(video, Reason.OVER_SIZE_CAP):
                newly_doomed.append(video.job_id)
        take_jobs(job for job in newly_doomed if job is not None)

    order = list(StorageType)
    deletions = sorted([*planned.values(), *row_only],
                       key=lambda d: (order.index(d.storage_type), d.path, d.rows,
                                      [str(job) for job in d.job_ids]))
    return Plan(tuple(deletions), dict(sorted(doomed_jobs.items())), kept, tuple(notes))


def _may_go_for_space(file: DiskFile, index: _Index, rules: Policy, age: float,
                      grace_seconds: float) -> bool:
    video = index.video_by_path.get(file.path)
    if video is not None:
        return video.completed and not rules.preserve_completed_videos
    if file.partial:
        return False  # a fresh partial is being written; a stale one is already planned
    recorded = file.path in index.assets_by_path
    return (recorded or file.cache or file.storage_type == StorageType.STOCK
            or age > grace_seconds)


def _stem(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]
