"""Carrying out a retention plan: files first, then their rows, then whole jobs.

Each batch of one storage type is one transaction under that type's lock: every file is checked
again (its job has not started running again, it has not changed since it was planned), deleted,
and then its rows are deleted and its bytes subtracted from the counters, and the transaction
commits. If anything fails between a file's deletion and that commit, the file is gone and its
rows are not: the next run sees rows whose file is gone and removes them, and its closing rescan
(``storage.accounting.reconcile``) corrects the counters. A job's own rows go last, after all
its files, and only if every one of them went.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from reelflow.db.session import Database
from reelflow.db.states import StorageType
from reelflow.storage.layout import MediaLayout
from reelflow.storage.retention import Deletion, Plan, summarize

BATCH = 500


@dataclass
class Outcome:
    """What a cleanup did: deleted items, the ones it left and why, the jobs it removed."""

    deleted: list[Deletion] = field(default_factory=list)
    skipped: list[tuple[Deletion, str]] = field(default_factory=list)
    jobs: list[uuid.UUID] = field(default_factory=list)

    def summary(self) -> list[dict[str, Any]]:
        """Returns files, bytes and rows deleted per storage type and reason."""
        return summarize(self.deleted)


def execute(plan: Plan, database: Database, media: MediaLayout,
            batch_size: int = BATCH) -> Outcome:
    """Given a plan, deletes its files and rows (see the module's contract); returns what it
    did. Raises what the database raises; files already deleted then are repaired next run."""
    outcome = Outcome()
    kept_jobs: set[uuid.UUID] = set()
    by_type: dict[StorageType, list[Deletion]] = defaultdict(list)
    for item in plan.deletions:
        by_type[item.storage_type].append(item)
    for kind, items in by_type.items():
        for batch in _batches(items, batch_size):
            _delete_batch(database, media, kind, batch, plan, outcome, kept_jobs)
    doomed = [job for job in plan.jobs if job not in kept_jobs]
    if doomed:
        with database.unit_of_work() as uow:
            running = uow.media.unfinished_job_ids(doomed)
            gone = [job for job in doomed if job not in running]
            uow.media.delete_jobs(gone)
            uow.commit()
        outcome.jobs.extend(gone)
    return outcome


def _delete_batch(database: Database, media: MediaLayout, kind: StorageType,
                  batch: Sequence[Deletion], plan: Plan, outcome: Outcome,
                  kept_jobs: set[uuid.UUID]) -> None:
    done: list[Deletion] = []
    skipped: list[tuple[Deletion, str]] = []
    asset_ids: list[uuid.UUID] = []
    video_ids: list[uuid.UUID] = []
    freed_bytes = freed_files = 0
    with database.unit_of_work() as uow:
        uow.storage.lock(kind)
        running = uow.media.unfinished_job_ids({job for item in batch for job in item.job_ids})
        for item in batch:
            why = _reason_to_keep(item, running)
            if why is None and item.present:
                try:
                    os.unlink(item.path)
                    freed_bytes, freed_files = freed_bytes + item.size, freed_files + 1
                except FileNotFoundError:
                    pass  # gone meanwhile (another cleanup); its rows can go
                except OSError as exc:
                    why = f"cannot delete: {exc.strerror or exc}"
            if why is not None:
                skipped.append((item, why))
                kept_jobs.update(job for job in item.job_ids if job in plan.jobs)
                continue
            done.append(item)
            asset_ids.extend(item.asset_ids)
            if item.video_id is not None and not any(job in plan.jobs for job in item.job_ids):
                video_ids.append(item.video_id)
        uow.media.delete_assets(asset_ids)
        uow.media.delete_videos(video_ids)
        if freed_files:
            uow.storage.add_usage(kind, -freed_bytes, -freed_files)
        uow.commit()
    outcome.deleted.extend(done)
    outcome.skipped.extend(skipped)
    _prune_empty_folders(media, kind, [item.path for item in done if item.present])


def _reason_to_keep(item: Deletion, running: set[uuid.UUID]) -> str | None:
    if running.intersection(item.job_ids):
        return "its job is running"
    if not item.present:
        return "its file is back" if os.path.lexists(item.path) else None
    try:
        info = os.lstat(item.path)
    except FileNotFoundError:
        return None
    if (info.st_size, info.st_mtime) != (item.size, item.mtime):
        return "changed since it was planned"
    return None


def _prune_empty_folders(media: MediaLayout, kind: StorageType, paths: list[str]) -> None:
    # Job folders and .parts folders that held only deleted files; never a storage folder or
    # the speech cache itself.
    top = os.path.normpath(str(media.folder(kind)))
    keep = {top, os.path.normpath(str(media.speech_cache()))}
    for start in sorted({os.path.dirname(path) for path in paths}, key=len, reverse=True):
        folder = os.path.normpath(start)
        while folder.startswith(top + os.sep) and folder not in keep:
            try:
                os.rmdir(folder)
            except OSError:
                break  # not empty, or gone
            folder = os.path.dirname(folder)


def _batches(items: list[Deletion], size: int) -> Iterator[list[Deletion]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
