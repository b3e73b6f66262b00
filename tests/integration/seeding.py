"""Jobs, recorded files and ages for the storage tests, written the way the tasks write them."""

from __future__ import annotations

import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from reelflow.db.models import GeneratedVideo, ScriptRecord, VideoGenerationJob
from reelflow.db.session import Database
from reelflow.db.states import AssetType, JobStatus, ScriptKind, SourceType, VideoStatus
from reelflow.storage.accounting import count_new_file, record_asset
from reelflow.storage.layout import MediaLayout

DAY = 86_400
USAGE = {"generation_time_seconds": 1.0, "peak_memory_mb": 1.0, "disk_space_used_mb": 0.0,
         "cpu_time_seconds": 1.0}
METADATA = {
    AssetType.IMAGE: {"dimensions": [32, 18], "format": "png", "generation_method": "test"},
    AssetType.AUDIO: {"sample_rate": 22050, "channels": 1, "codec": "pcm_s16le"},
}


def new_job(database: Database, status: JobStatus, ended_days_ago: float = 0.0) -> uuid.UUID:
    """Commits a script and a job in ``status`` (COMPLETED and FAILED ones ended that long ago)."""
    now = datetime.now(UTC)
    ended = now - timedelta(days=ended_days_ago)
    with database.unit_of_work() as uow:
        script = ScriptRecord.from_text(title="T", kind=ScriptKind.INLINE, content="# T\nHi.",
                                        session_id="storage", now=ended - timedelta(hours=1))
        uow.scripts.add(script)
        job = VideoGenerationJob.start(script_id=script.id, session_id="storage",
                                       now=ended - timedelta(hours=1))
        uow.jobs.add(job)
        if status not in (JobStatus.COMPLETED, JobStatus.FAILED):
            job.heartbeat_at = now  # its worker is alive: the job reconciler leaves it alone
        if status == JobStatus.FAILED:
            job.fail("failed on purpose", ended)
        elif status != JobStatus.PENDING:
            job.move_to(JobStatus.MEDIA_GENERATION, ended)
            if status in (JobStatus.VIDEO_COMPOSITION, JobStatus.COMPLETED):
                job.move_to(JobStatus.VIDEO_COMPOSITION, ended)
            if status == JobStatus.COMPLETED:
                job.complete(USAGE, ended)
        uow.commit()
        return job.id


def write(path: Path, size: int, age_days: float = 0.0) -> Path:
    """Writes ``size`` bytes at ``path`` with a modification time ``age_days`` ago."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    age(path, age_days)
    return path


def age(path: Path, days: float) -> None:
    stamp = time.time() - days * DAY
    os.utime(path, (stamp, stamp))


def record(database: Database, media: MediaLayout, job_id: uuid.UUID, path: Path,
           kind: AssetType = AssetType.IMAGE) -> uuid.UUID:
    """Records a job's file as its task would: asset row and counters in one transaction."""
    duration = 1.0 if kind == AssetType.AUDIO else None
    with database.unit_of_work() as uow:
        asset = record_asset(uow, media, job_id, path, asset_type=kind,
                             url_path=media.url_path(path), source_type=SourceType.GENERATED,
                             asset_metadata=METADATA[kind], duration=duration)
        uow.commit()
        return asset.id


def open_video(database: Database, media: MediaLayout, job_id: uuid.UUID,
               path: Path) -> uuid.UUID:
    """Adds the job's video row in GENERATING, as composition does before it renders."""
    with database.unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        video = GeneratedVideo.plan(job=job, file_path=str(path), url_path=media.url_path(path),
                                    title="T", duration=2.0, resolution="32x18", format="mp4",
                                    now=job.started_at)
        uow.videos.add(video)
        video.move_to(VideoStatus.GENERATING, job.started_at)
        uow.commit()
        return video.id


def complete_video(database: Database, media: MediaLayout, video_id: uuid.UUID) -> None:
    """Completes the video row and counts its file in one transaction, as verification does."""
    with database.unit_of_work() as uow:
        video = uow.videos.get(video_id)
        path = Path(video.file_path)
        count_new_file(uow, media, path, path.stat().st_size)
        video.complete(path.stat().st_size, 2.0, max(datetime.now(UTC),
                                                     video.creation_timestamp))
        uow.commit()
