"""Retention planning: which files and rows a cleanup removes, and why.

Pure: plain values in (what is on disk and what the database records, as ``storage.records``,
each type's policy, the time), a Plan out. Nothing here reads the disk, the database or the
clock.

The rules, in the order they are applied:

- A file that belongs to a job that has not reached COMPLETED or FAILED is never touched (see
  ``storage.records`` for when a file belongs to a job).
- Half-written files (``.partial-*``, anything in a ``.parts-*`` folder) older than the grace
  period: STALE_PARTIAL.
- temp/: files older than the TEMP policy's max_age_days: EXPIRED; a finished (or unknown)
  job's scratch files older than the grace period: STALE_TEMP.
- A library file (a stock item, an upload) that a video uses in place is never touched while
  any video does (``video_assets``); deleting the video ends the use.
- Recorded files, speech-cache files and stock files older than their type's max_age_days:
  EXPIRED, except completed videos while preserve_completed_videos is true, and the files
  beside a job's completed video (its posters and caption files), which live as long as it.
- Files in videos/, images/ and audio/ that no row records, older than the grace period:
  ORPHAN_FILE (not while the database knows no job at all: then it is more likely the wrong
  database than a media root full of orphans).
- Rows whose file is gone: ORPHAN_ROW.
- A type still over max_size_mb: its oldest deletable files, oldest first, until it is not:
  OVER_SIZE_CAP (a video's poster and caption files never go for space on their own).
- When a video goes (expired, over the cap, its file gone), its job goes with it, and so does a
  FAILED job older than the VIDEOS policy's max_age_days: every file of the job (WITH_JOB unless
  it already had a reason), then the job's rows. The seed's cascade removes its assets.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from reelflow.db.states import StorageType
from reelflow.storage.records import AssetRecord, DiskFile, JobRecord, Owners, VideoRecord

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
    REQUESTED = "requested"


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


class _Planner:
    """One planning pass: each rule is a method; ``planned`` collects files, first reason wins."""

    def __init__(self, now: float, policies: Mapping[StorageType, Policy],
                 files: Sequence[DiskFile], assets: Sequence[AssetRecord],
                 videos: Sequence[VideoRecord], jobs: Sequence[JobRecord],
                 grace_seconds: float) -> None:
        self.now, self.policies, self.files, self.jobs = now, policies, files, jobs
        self.grace = grace_seconds
        self.owners = Owners(assets, videos, {job.id: job for job in jobs})
        self.planned: dict[str, Deletion] = {}
        self.row_only: list[Deletion] = []
        self.doomed: dict[uuid.UUID, Reason] = {}
        self.settled: list[tuple[DiskFile, set[uuid.UUID]]] = []
        self.kept = 0
        self.notes: list[str] = []

    def policy(self, kind: StorageType) -> Policy:
        return self.policies.get(kind, Policy())

    def plan(self) -> Plan:
        for file, owners in self.settle():
            self.classify(file, owners)
        self.find_orphan_rows()
        self.find_expired_failures()
        self.take_doomed_jobs(list(self.doomed))
        for kind in StorageType:
            self.fit_under_cap(kind)
        return self.result()

    def settle(self) -> list[tuple[DiskFile, set[uuid.UUID]]]:
        """Sorts the files into kept (a job that has not ended owns them) and settled."""
        for file in self.files:
            owners = self.owners.of(file)
            if self.owners.any_unfinished(owners):
                self.kept += 1
            else:
                self.settled.append((file, owners))
        return self.settled

    def remove(self, video_ids: Iterable[uuid.UUID]) -> Plan:
        """Plans the removal of these videos: each with its ended job and all the job's files;
        a video with no job, its file and row."""
        self.settle()
        by_id = {video.id: video for video in self.owners.video_by_path.values()}
        settled = {file.path: (file, owners) for file, owners in self.settled}
        for video in (by_id[i] for i in video_ids if i in by_id):
            if self.doom(video, Reason.REQUESTED) or video.job_id is not None:
                continue
            if video.path in settled:
                file, owners = settled[video.path]
                self.add(file, Reason.REQUESTED, owners)
            elif video.storage_type is not None:
                self.row_only.append(Deletion(Reason.REQUESTED, video.storage_type, video.path,
                                              0, None, False, (), (), video.id))
        self.take_doomed_jobs(list(self.doomed))
        return self.result()

    def result(self) -> Plan:
        order = list(StorageType)
        deletions = sorted([*self.planned.values(), *self.row_only],
                           key=lambda d: (order.index(d.storage_type), d.path, d.rows,
                                          [str(job) for job in d.job_ids]))
        return Plan(tuple(deletions), dict(sorted(self.doomed.items())), self.kept,
                    tuple(self.notes))

    def add(self, file: DiskFile, reason: Reason, owners: set[uuid.UUID]) -> None:
        if file.path in self.planned:
            return
        video = self.owners.video_by_path.get(file.path)
        self.planned[file.path] = Deletion(
            reason, file.storage_type, file.path, file.size, file.mtime, True,
            tuple(sorted(owners)),
            tuple(a.id for a in self.owners.assets_by_path.get(file.path, ())),
            video.id if video is not None else None)

    def doom(self, video: VideoRecord, reason: Reason) -> bool:
        """Marks the job of a video that goes for removal; False when it has no ended job."""
        if video.job_id is not None and self.owners.is_finished(video.job_id):
            self.doomed.setdefault(video.job_id, reason)
            return True
        return False

    def classify(self, file: DiskFile, owners: set[uuid.UUID]) -> None:
        """Plans one settled file by the per-file rules (partial, temp, video, recorded,
        orphan)."""
        age, rules = self.now - file.mtime, self.policy(file.storage_type)
        recorded = file.path in self.owners.assets_by_path
        video = self.owners.video_by_path.get(file.path)
        if file.partial:
            if age > self.grace:
                self.add(file, Reason.STALE_PARTIAL, owners)
        elif file.storage_type == StorageType.TEMP and not recorded:
            if rules.expired(age):
                self.add(file, Reason.EXPIRED, owners)
            elif (file.job_dir is not None and age > self.grace
                  and (file.job_dir not in self.owners.jobs
                       or self.owners.jobs[file.job_dir].finished)):
                self.add(file, Reason.STALE_TEMP, owners)
        elif video is not None:
            if video.completed and rules.preserve_completed_videos:
                return
            if not video.completed and age > self.grace:
                self.add(file, Reason.ORPHAN_FILE, owners)
            elif video.completed and rules.expired(age):
                self.add(file, Reason.EXPIRED, owners)
                self.doom(video, Reason.EXPIRED)
        elif self.owners.is_companion(file, owners):
            return  # a completed video's poster or caption file: it goes with the video's job
        elif file.path in self.owners.in_use:
            return  # a library file a video uses: kept while any video does
        elif recorded or file.cache or file.storage_type == StorageType.STOCK:
            if rules.expired(age):
                self.add(file, Reason.EXPIRED, owners)
        elif age > self.grace:
            if self.owners.jobs:
                self.add(file, Reason.ORPHAN_FILE, owners)
            elif not self.notes:
                self.notes.append(
                    "the database knows no job, so files no row records are kept: check "
                    "that REELFLOW_DATABASE_URL is this media root's database")

    def find_orphan_rows(self) -> None:
        """Plans rows whose file is gone; a lost completed video takes its job."""
        on_disk = {file.path for file in self.files}
        for path, records in self.owners.assets_by_path.items():
            live = [a for a in records if a.storage_type is not None]
            if not live or path in on_disk or self.owners.any_unfinished(a.job_id for a in live):
                continue
            kind = live[0].storage_type or StorageType.IMAGES
            self.row_only.append(Deletion(Reason.ORPHAN_ROW, kind, path, 0, None, False,
                                          tuple(sorted({a.job_id for a in live})),
                                          tuple(a.id for a in live)))
        for video in self.owners.video_by_path.values():
            if (video.storage_type is None or not video.completed or video.path in on_disk
                    or self.owners.any_unfinished([video.job_id] if video.job_id else [])):
                continue
            if not self.doom(video, Reason.ORPHAN_ROW):
                self.row_only.append(Deletion(Reason.ORPHAN_ROW, video.storage_type,
                                              video.path, 0, None, False, (), (), video.id))

    def find_expired_failures(self) -> None:
        """Plans FAILED jobs that ended longer ago than the videos' max age."""
        rules = self.policy(StorageType.VIDEOS)
        for job in self.jobs:
            if job.failed and job.ended_at is not None and rules.expired(self.now - job.ended_at):
                self.doomed.setdefault(job.id, Reason.EXPIRED)

    def take_doomed_jobs(self, jobs: Iterable[uuid.UUID]) -> None:
        """Plans every file of these jobs (WITH_JOB unless it already has a reason)."""
        by_owner: dict[uuid.UUID, list[tuple[DiskFile, set[uuid.UUID]]]] = defaultdict(list)
        wanted = set(jobs)
        for file, owners in self.settled:
            for owner in owners & wanted:
                by_owner[owner].append((file, owners))
        # Why the checks: a stock file, or a file another job shares, is not the job's to take.
        for job in wanted:
            for file, owners in by_owner.get(job, ()):
                if (file.storage_type != StorageType.STOCK and owners <= self.doomed.keys()
                        and file.path not in self.owners.in_use):
                    self.add(file, Reason.WITH_JOB, owners)

    def fit_under_cap(self, kind: StorageType) -> None:
        """Plans a type's oldest deletable files until it is within max_size_mb."""
        cap = self.policy(kind).max_size_mb
        if cap is None:
            return
        used = sum(f.size for f in self.files if f.storage_type == kind)
        used -= sum(d.size for d in self.planned.values() if d.storage_type == kind)
        if used <= cap * MB:
            return
        candidates = sorted(
            (pair for pair in self.settled
             if pair[0].storage_type == kind and pair[0].path not in self.planned
             and self.may_go_for_space(pair[0])),
            key=lambda pair: (pair[0].mtime, pair[0].path))
        newly_doomed = []
        for file, owners in candidates:
            if used <= cap * MB:
                break
            self.add(file, Reason.OVER_SIZE_CAP, owners)
            used -= file.size
            video = self.owners.video_by_path.get(file.path)
            if video is not None and video.completed and self.doom(video, Reason.OVER_SIZE_CAP):
                newly_doomed.append(video.job_id)
        self.take_doomed_jobs(job for job in newly_doomed if job is not None)

    def may_go_for_space(self, file: DiskFile) -> bool:
        video = self.owners.video_by_path.get(file.path)
        if video is not None:
            rules = self.policy(file.storage_type)
            return video.completed and not rules.preserve_completed_videos
        if file.partial:
            return False  # a fresh partial is being written; a stale one is already planned
        if self.owners.is_companion(file, self.owners.of(file)):
            return False  # goes when its video goes for space, with the job
        if file.path in self.owners.in_use:
            return False  # a video uses it
        recorded = file.path in self.owners.assets_by_path
        return (recorded or file.cache or file.storage_type == StorageType.STOCK
                or self.now - file.mtime > self.grace)


def plan_cleanup(*, now: float, policies: Mapping[StorageType, Policy],
                 files: Sequence[DiskFile], assets: Sequence[AssetRecord],
                 videos: Sequence[VideoRecord], jobs: Sequence[JobRecord],
                 grace_seconds: float = 3600.0) -> Plan:
    """Given the disk, the rows, the policies and the time, returns what a cleanup deletes.

    Deterministic: the same values give the same plan, in the same order (by storage type,
    then path). A file is planned at most once, with the first reason that applies.
    """
    return _Planner(now, policies, files, assets, videos, jobs, grace_seconds).plan()


def plan_removal(video_ids: Iterable[uuid.UUID], *, files: Sequence[DiskFile],
                 assets: Sequence[AssetRecord], videos: Sequence[VideoRecord],
                 jobs: Sequence[JobRecord]) -> Plan:
    """Given videos someone asked to delete, returns the plan that removes each with its job:
    every file of the job (WITH_JOB; a file another job shares, and stock, stay), then the
    job's rows. A video whose job has not ended is not planned (its files are kept); a video
    whose job is gone goes alone (REQUESTED)."""
    return _Planner(0.0, {}, files, assets, videos, jobs, 0.0).remove(video_ids)
