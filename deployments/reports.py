"""Jobs, videos and assets read from the database as plain dictionaries for display."""

from __future__ import annotations

import uuid
from typing import Any

from deployments.database import opened
from deployments.settings import Settings


def job_rows(settings: Settings, *, session_id: str | None, limit: int) -> list[dict[str, Any]]:
    """Returns the newest jobs (optionally of one session) with their video titles."""
    with opened(settings) as database, database.unit_of_work(read_only=True) as uow:
        rows = []
        for job in uow.jobs.list(session_id=session_id, limit=limit):
            video = uow.videos.get_for_job(job.id)
            script = uow.scripts.get(job.script_id)
            rows.append({
                "id": str(job.id), "status": str(job.status),
                "progress_percentage": job.progress_percentage,
                "started_at": job.started_at, "completed_at": job.completed_at,
                "session_id": job.session_id,
                "title": video.title if video is not None else script.title,
                "video": video.file_path if video is not None else None,
            })
        return rows


def job_detail(settings: Settings, job_id: uuid.UUID) -> dict[str, Any]:
    """Returns one job with its video and assets; raises NotFound."""
    with opened(settings) as database, database.unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(job_id)
        video = uow.videos.get_for_job(job_id)
        return {
            "id": str(job.id), "status": str(job.status),
            "progress_percentage": job.progress_percentage,
            "started_at": job.started_at, "completed_at": job.completed_at,
            "error_message": job.error_message, "session_id": job.session_id,
            "script_id": str(job.script_id), "resource_usage": job.resource_usage,
            "composition_settings": job.composition_settings,
            "video": None if video is None else {
                "id": str(video.id), "status": str(video.generation_status),
                "file_path": video.file_path, "url_path": video.url_path,
                "title": video.title, "duration": video.duration,
                "resolution": video.resolution, "file_size": video.file_size,
                "format": video.format,
            },
            "assets": [{
                "id": str(a.id), "asset_type": str(a.asset_type),
                "source_type": str(a.source_type), "file_path": a.file_path,
                "url_path": a.url_path, "duration": a.duration,
                "metadata": a.asset_metadata,
            } for a in uow.assets.for_job(job_id)],
        }
