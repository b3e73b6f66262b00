"""Jobs, videos, assets and storage records read from the database as plain dictionaries."""

from __future__ import annotations

import uuid
from typing import Any

from reelflow.db.models import GeneratedVideo, MediaAsset, VideoGenerationJob
from reelflow.db.states import AssetType, StorageType
from reelflow.services.runtime import database
from reelflow.settings import Settings


def job_rows(settings: Settings, *, session_id: str | None, limit: int) -> list[dict[str, Any]]:
    """Returns the newest jobs (optionally of one session) with their video titles; ingest
    jobs (the records of uploads) are left out."""
    with database(settings).unit_of_work(read_only=True) as uow:
        rows = []
        for job in uow.jobs.list(session_id=session_id, limit=limit):
            videos = ordered_videos(job, uow.videos.for_job(job.id))
            video = videos[0] if videos else None
            script = uow.scripts.get(job.script_id)
            rows.append({
                "id": str(job.id), "status": str(job.status),
                "progress_percentage": job.progress_percentage,
                "started_at": job.started_at, "completed_at": job.completed_at,
                "session_id": job.session_id, "error_message": job.error_message,
                "title": video.title if video is not None else script.title,
                "video": video.file_path if video is not None else None,
            })
        return rows


def ordered_videos(job: VideoGenerationJob, videos: list[GeneratedVideo]
                   ) -> list[GeneratedVideo]:
    """Returns a job's videos in the order of the formats it asked for (the first is "the"
    video); formats it did not list (older jobs) keep their planned order, after those."""
    asked = list((job.composition_settings or {}).get("formats") or [])
    return sorted(videos, key=lambda video: (
        asked.index(video.format) if video.format in asked else len(asked)))


def video_dict(video: GeneratedVideo) -> dict[str, Any]:
    """Returns a video row as the commands print it."""
    return {"id": str(video.id), "status": str(video.generation_status),
            "file_path": video.file_path, "url_path": video.url_path, "title": video.title,
            "duration": video.duration, "resolution": video.resolution,
            "file_size": video.file_size, "format": video.format}


def is_job_file(asset: MediaAsset) -> bool:
    """Whether an asset is one of the files a job delivers beside its videos: a poster or a
    caption file (the slides and narration are its ingredients)."""
    metadata = asset.asset_metadata or {}
    return asset.asset_type == AssetType.TEXT_OVERLAY or metadata.get("role") == "poster"


def file_dict(asset: MediaAsset) -> dict[str, Any]:
    """Returns a poster or caption file as the commands list it under ``files``."""
    metadata = asset.asset_metadata or {}
    kind = "poster" if metadata.get("role") == "poster" else f"captions.{metadata.get('format')}"
    return {"kind": kind, "file_path": asset.file_path, "url_path": asset.url_path,
            "file_size": metadata.get("file_size"), "asset_id": str(asset.id),
            **({"video": metadata["video"]} if "video" in metadata else {})}


def job_files(settings: Settings, job_id: uuid.UUID) -> list[dict[str, Any]]:
    """Returns the posters and caption files of a job, oldest first."""
    with database(settings).unit_of_work(read_only=True) as uow:
        return [file_dict(asset) for asset in uow.assets.for_job(job_id) if is_job_file(asset)]


def job_detail(settings: Settings, job_id: uuid.UUID) -> dict[str, Any]:
    """Returns one job with its videos (``video``: the first), its posters and caption files
    (``files``), all its assets, and the library items (stock, uploads) its videos use in
    place (``library``); raises NotFound."""
    with database(settings).unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(job_id)
        rows = ordered_videos(job, uow.videos.for_job(job_id))
        videos = [video_dict(video) for video in rows]
        assets = uow.assets.for_job(job_id)
        used = {asset.id: asset for video in rows for asset in video.assets}
        return {
            "id": str(job.id), "status": str(job.status),
            "progress_percentage": job.progress_percentage,
            "started_at": job.started_at, "completed_at": job.completed_at,
            "error_message": job.error_message, "session_id": job.session_id,
            "script_id": str(job.script_id), "resource_usage": job.resource_usage,
            "composition_settings": job.composition_settings,
            "video": videos[0] if videos else None,
            "videos": videos,
            "files": [file_dict(asset) for asset in assets if is_job_file(asset)],
            "library": [{"id": str(a.id), "asset_type": str(a.asset_type),
                         "source_type": str(a.source_type), "file_path": a.file_path,
                         "tags": list((a.asset_metadata or {}).get("tags") or [])}
                        for a in used.values()],
            "assets": [{
                "id": str(a.id), "asset_type": str(a.asset_type),
                "source_type": str(a.source_type), "file_path": a.file_path,
                "url_path": a.url_path, "duration": a.duration,
                "metadata": a.asset_metadata,
            } for a in assets],
        }


def storage_rows(settings: Settings) -> list[dict[str, Any]]:
    """Returns each storage record as a plain dictionary, in StorageType order."""
    with database(settings).unit_of_work(read_only=True) as uow:
        return [{"storage_type": str(r.storage_type), "directory_path": r.directory_path,
                 "total_size_bytes": r.total_size_bytes or 0, "file_count": r.file_count or 0,
                 "last_cleanup": r.last_cleanup.isoformat() if r.last_cleanup else None,
                 "cleanup_policy": r.cleanup_policy, "access_permissions": r.access_permissions}
                for r in uow.storage.all()]


def update_storage(settings: Settings, kind: StorageType, *, cleanup_policy: dict[str, Any],
                   access_permissions: dict[str, Any]) -> dict[str, Any]:
    """Merges new policy and permission values into a storage type's record; returns the
    record's settings. Raises RecordInvalid naming the key when a value breaks a rule."""
    with database(settings).unit_of_work() as uow:
        record = uow.storage.update_settings(kind, cleanup_policy=cleanup_policy,
                                             access_permissions=access_permissions)
        uow.commit()
        return {"storage_type": str(kind), "cleanup_policy": record.cleanup_policy,
                "access_permissions": record.access_permissions}
