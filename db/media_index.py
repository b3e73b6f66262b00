"""What the database records about the media root's files, as plain rows, and removing rows.

Retention and rescans read every job, asset and video at once, so these queries return plain
column tuples instead of ORM objects (about ten times faster at 100,000 rows). An asset's
"recorded size" is the byte count its row was counted with (``metadata.file_size``, written
by ``storage.accounting.record_asset``); rows written before that was recorded have none.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterator
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from reelflow.db.models import GeneratedVideo, MediaAsset, VideoGenerationJob
from reelflow.db.states import TERMINAL_JOB_STATES, JobStatus, VideoStatus

# Why: SQLite and PostgreSQL both cap the parameters of one statement; 500 is far below both.
_CHUNK = 500


class JobRow(NamedTuple):
    id: uuid.UUID
    status: JobStatus
    started_at: datetime
    completed_at: datetime | None


class AssetRow(NamedTuple):
    id: uuid.UUID
    job_id: uuid.UUID
    file_path: str
    recorded_size: int | None


class VideoRow(NamedTuple):
    id: uuid.UUID
    job_id: uuid.UUID | None
    file_path: str
    status: VideoStatus
    file_size: int | None


class MediaIndexRepository:
    """Plain-row reads of jobs, assets and videos for retention and accounting; row deletion."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def jobs(self) -> list[JobRow]:
        """Returns every job's id, status and times."""
        query = select(
            VideoGenerationJob.id,
            VideoGenerationJob.status,
            VideoGenerationJob.started_at,
            VideoGenerationJob.completed_at,
        )
        return [JobRow(*row) for row in self.session.execute(query)]

    def unfinished_job_ids(self, among: Collection[uuid.UUID] | None = None) -> set[uuid.UUID]:
        """Returns the ids of the jobs not yet COMPLETED or FAILED (only those in ``among``,
        if given)."""
        query = select(VideoGenerationJob.id).where(
            VideoGenerationJob.status.not_in(list(TERMINAL_JOB_STATES))
        )
        if among is None:
            return set(self.session.scalars(query))
        found: set[uuid.UUID] = set()
        for chunk in _chunks(among):
            found.update(self.session.scalars(query.where(VideoGenerationJob.id.in_(chunk))))
        return found

    def assets(self, job_ids: Collection[uuid.UUID] | None = None) -> list[AssetRow]:
        """Returns every asset (only those of ``job_ids``, if given) with its recorded size."""
        query = select(
            MediaAsset.id,
            MediaAsset.generation_job_id,
            MediaAsset.file_path,
            MediaAsset.asset_metadata["file_size"].as_integer(),
        )
        if job_ids is None:
            return [AssetRow(*row) for row in self.session.execute(query)]
        rows: list[AssetRow] = []
        for chunk in _chunks(job_ids):
            where = query.where(MediaAsset.generation_job_id.in_(chunk))
            rows.extend(AssetRow(*row) for row in self.session.execute(where))
        return rows

    def videos(self, job_ids: Collection[uuid.UUID] | None = None) -> list[VideoRow]:
        """Returns every generated video (only those of ``job_ids``, if given)."""
        query = select(
            GeneratedVideo.id,
            GeneratedVideo.generation_job_id,
            GeneratedVideo.file_path,
            GeneratedVideo.generation_status,
            GeneratedVideo.file_size,
        )
        if job_ids is None:
            return [VideoRow(*row) for row in self.session.execute(query)]
        rows: list[VideoRow] = []
        for chunk in _chunks(job_ids):
            where = query.where(GeneratedVideo.generation_job_id.in_(chunk))
            rows.extend(VideoRow(*row) for row in self.session.execute(where))
        return rows

    def assets_recording(self, file_path: str) -> list[AssetRow]:
        """Returns the asset rows of any job that record ``file_path``."""
        query = select(
            MediaAsset.id,
            MediaAsset.generation_job_id,
            MediaAsset.file_path,
            MediaAsset.asset_metadata["file_size"].as_integer(),
        ).where(MediaAsset.file_path == file_path)
        return [AssetRow(*row) for row in self.session.execute(query)]

    def is_published(self, file_path: str) -> bool:
        """Whether ``file_path`` is a finished product: the file of a COMPLETED video, or a file
        an asset row of a COMPLETED job records."""
        video = select(GeneratedVideo.id).where(
            GeneratedVideo.file_path == file_path,
            GeneratedVideo.generation_status == VideoStatus.COMPLETED)
        asset = (select(MediaAsset.id)
                 .join(VideoGenerationJob, MediaAsset.generation_job_id == VideoGenerationJob.id)
                 .where(MediaAsset.file_path == file_path,
                        VideoGenerationJob.status == JobStatus.COMPLETED))
        return (self.session.scalars(video.limit(1)).first() is not None
                or self.session.scalars(asset.limit(1)).first() is not None)

    def delete_assets(self, ids: Collection[uuid.UUID]) -> int:
        """Deletes the asset rows with these ids (their video links cascade); returns how many."""
        return self._delete(MediaAsset, ids)

    def delete_videos(self, ids: Collection[uuid.UUID]) -> int:
        """Deletes the generated-video rows with these ids; returns how many."""
        return self._delete(GeneratedVideo, ids)

    def delete_jobs(self, ids: Collection[uuid.UUID]) -> int:
        """Deletes the jobs with these ids, their assets with them (the seed's cascade), and
        their video rows; returns how many jobs."""
        self._delete(GeneratedVideo, ids, column=GeneratedVideo.generation_job_id)
        return self._delete(VideoGenerationJob, ids)

    def _delete(self, model: type, ids: Collection[uuid.UUID], column: Any = None) -> int:
        key = column if column is not None else model.id  # type: ignore[attr-defined]
        removed = 0
        for chunk in _chunks(ids):
            statement = delete(model).where(key.in_(chunk))
            result = self.session.execute(
                statement, execution_options={"synchronize_session": False}
            )
            removed += int(result.rowcount or 0)  # type: ignore[attr-defined]
        return removed


def _chunks(values: Collection[uuid.UUID]) -> Iterator[list[uuid.UUID]]:
    items = list(values)
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]
