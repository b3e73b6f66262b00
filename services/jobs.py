"""A job's lifecycle as the database records it: start, stages, progress, completion, failure."""

from __future__ import annotations

import errno
import shutil
import uuid
from pathlib import Path
from typing import Any

from reelflow.db.models import VideoGenerationJob
from reelflow.db.states import TERMINAL_VIDEO_STATES, JobStatus, VideoStatus
from reelflow.services.runtime import database, layout, utcnow
from reelflow.settings import Settings
from reelflow.storage.accounting import remove_counted_file, tree_bytes


def start_job(settings: Settings, job_id: uuid.UUID, script_id: uuid.UUID, session_id: str,
              composition_settings: dict[str, Any]) -> None:
    """Creates the job row in PENDING with id = the flow run's id; a rerun leaves it as it is.

    Raises RecordInvalid when the job breaks a rule of the data model.
    """
    with database(settings).unit_of_work() as uow:
        if uow.jobs.find(job_id) is not None:
            return
        uow.jobs.add(VideoGenerationJob.start(
            id=job_id, script_id=script_id, session_id=session_id, now=utcnow(),
            composition_settings=composition_settings))
        uow.commit()


def enter_stage(settings: Settings, job_id: uuid.UUID, status: JobStatus) -> None:
    """Moves the job to ``status``; raises InvalidTransition when its lifecycle forbids it."""
    with database(settings).unit_of_work() as uow:
        uow.jobs.get_for_update(job_id).move_to(status, utcnow())
        uow.commit()


def set_progress(settings: Settings, job_id: uuid.UUID, percent: int) -> None:
    """Records the job's progress in percent; raises RecordInvalid outside 0..100."""
    with database(settings).unit_of_work() as uow:
        uow.jobs.get_for_update(job_id).set_progress(percent)
        uow.commit()


def complete_job(settings: Settings, job_id: uuid.UUID,
                 resource_usage: dict[str, Any]) -> dict[str, Any]:
    """Marks the job COMPLETED with progress 100 and its resource usage; returns the usage as
    stored. disk_space_used_mb is added here: the bytes of the job's video and assets on disk.
    """
    with database(settings).unit_of_work() as uow:
        job = uow.jobs.get_for_update(job_id)
        paths = [Path(asset.file_path) for asset in uow.assets.for_job(job_id)]
        paths += [Path(video.file_path) for video in uow.videos.for_job(job_id)]
        usage = {**resource_usage, "disk_space_used_mb": round(tree_bytes(paths) / 2**20, 3)}
        job.set_progress(100)
        job.complete(usage, utcnow())
        uow.commit()
        return dict(job.resource_usage or usage)


def mark_failed(settings: Settings, job_id: uuid.UUID, message: str) -> bool:
    """Marks the job and its unfinished videos FAILED with ``message``; removes what it left.

    A job and its videos never disagree: the video files, every partial file and every file
    in the job's folders that no row records are deleted first (what rows record stays,
    counted), then the rows change in the same transaction, so a rescan never counts a file
    that is about to go. A video that was never verified is marked FAILED; one already verified
    (the job was stopped between verification and completion) is removed with its row and
    uncounted, since a FAILED job keeps no finished video. Returns False when there is no such
    job or it had already ended (its first outcome stands), True when this call failed it.
    """
    now = utcnow()
    media = layout(settings)
    with database(settings).unit_of_work() as uow:
        job = uow.jobs.find(job_id, for_update=True)
        if job is None or job.is_finished:
            return False
        videos = uow.videos.for_job(job_id)
        for video in videos:
            if video.generation_status == VideoStatus.COMPLETED:
                remove_counted_file(uow, media, Path(video.file_path), video.file_size or 0)
                uow.media.delete_videos([video.id])
            else:
                Path(video.file_path).unlink(missing_ok=True)
        recorded = frozenset(asset.file_path for asset in uow.assets.for_job(job_id))
        _remove(media.leftovers(job_id, [Path(video.file_path) for video in videos], recorded))
        job.fail(message[:4000].strip() or "failed", now)
        for video in videos:
            if video.generation_status not in TERMINAL_VIDEO_STATES:
                video.fail(now)
        uow.commit()
    return True


def _remove(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def describe_failure(error: BaseException, media_root: Path) -> str:
    """The job's error_message for what failed it: the error's type and text; a full disk
    says so, naming the media root and the file it could not write when known."""
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        where = f" writing {error.filename}" if error.filename else ""
        return (f"StorageError: no space left on the device{where} (the media root "
                f"{media_root} is full)")
    text = str(error).strip()
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
