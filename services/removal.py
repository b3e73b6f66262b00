"""Deleting a video on request: its file, its job's files and rows go together.

The plan comes from retention's planner (``storage.retention.plan_removal``) and is carried
out by the cleanup's executor (``storage.cleanup.execute``), so a deletion re-checks each
file, subtracts exactly what it deleted from the counters, and removes rows only after their
files, as every cleanup does.
"""

from __future__ import annotations

import uuid
from typing import Any

from reelflow.errors import InvalidTransition
from reelflow.services.runtime import database, layout
from reelflow.settings import Settings
from reelflow.storage.cleanup import execute
from reelflow.storage.identity import verify
from reelflow.storage.inventory import scan, snapshot
from reelflow.storage.retention import plan_removal


def remove_video(settings: Settings, video_id: uuid.UUID) -> dict[str, Any]:
    """Deletes a video with its job, the job's files and rows; returns what was deleted.

    Raises NotFound for an unknown video, InvalidTransition while its job is still running,
    StorageError when the media root is not the one this database recorded.
    """
    media, opened = layout(settings), database(settings)
    with opened.unit_of_work(read_only=True) as uow:
        video = uow.videos.get(video_id)
        job = uow.jobs.find(video.generation_job_id) if video.generation_job_id else None
        if job is not None and not job.is_finished:
            raise InvalidTransition(f"the video's job is {job.status}; cancel it or wait for "
                                    "it to end before deleting the video")
        verify(uow, media.root)  # never delete from another installation's media root
    records = snapshot(opened, media)
    plan = plan_removal([video_id], files=scan(media), assets=records.assets,
                        videos=records.videos, jobs=records.jobs)
    outcome = execute(plan, opened, media)
    deleted = [item for item in outcome.deleted if item.present]
    return {"video_id": str(video_id), "files": len(deleted),
            "bytes": sum(item.size for item in deleted),
            "rows": sum(item.rows for item in outcome.deleted) + len(outcome.jobs),
            "jobs": [str(job) for job in outcome.jobs],
            "skipped": [{"path": item.path, "why": why} for item, why in outcome.skipped]}
