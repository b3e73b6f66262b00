"""What the gallery shows: completed videos with their poster and caption files, as plain data.

A poster is an IMAGE asset of the video's job that is a JPEG named after the video (or marked
``role: poster`` in its metadata); a caption file is a ``.vtt`` asset of the job. Jobs that
have neither still play: the browser shows the first frame, and captions are extracted from
the video's own subtitle track (web/captions.py).
"""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from reelflow.db.models import GeneratedVideo, MediaAsset
from reelflow.db.session import UnitOfWork
from reelflow.db.states import AssetType, VideoStatus
from reelflow.errors import NotFound
from reelflow.services.runtime import database
from reelflow.settings import Settings

POSTER_SUFFIXES = (".jpg", ".jpeg")


def video_cards(settings: Settings, session_id: str | None, limit: int) -> list[dict[str, Any]]:
    """Returns up to ``limit`` COMPLETED videos, newest first, of one session if given."""
    with database(settings).unit_of_work(read_only=True) as uow:
        return [_card(uow, video) for video in uow.videos.completed(session_id, limit)]


def find_video(settings: Settings, video_or_job_id: uuid.UUID) -> dict[str, Any]:
    """Given a video id or the id of the job that made it, returns the video's card (any
    status: ``status`` says which). Raises NotFound when neither id is known."""
    with database(settings).unit_of_work(read_only=True) as uow:
        video = uow.session.get(GeneratedVideo, video_or_job_id)
        video = video or uow.videos.get_for_job(video_or_job_id)
        if video is None:
            raise NotFound(f"no video and no job with a video has the id {video_or_job_id}")
        return _card(uow, video)


def _card(uow: UnitOfWork, video: GeneratedVideo) -> dict[str, Any]:
    assets = uow.assets.for_job(video.generation_job_id) if video.generation_job_id else []
    settings = uow.jobs.get(video.generation_job_id).composition_settings \
        if video.generation_job_id else None
    poster = next((a for a in assets if _is_poster(a, video)), None)
    captions = next((a for a in assets if a.file_path.lower().endswith(".vtt")), None)
    return {
        "id": str(video.id), "job_id": str(video.generation_job_id or ""),
        "status": str(video.generation_status),
        "completed": video.generation_status == VideoStatus.COMPLETED,
        "title": video.title, "duration": video.duration, "resolution": video.resolution,
        "file_size": video.file_size, "format": video.format, "session_id": video.session_id,
        "file_path": video.file_path, "url_path": video.url_path,
        "completed_at": video.completion_timestamp.isoformat()
        if video.completion_timestamp else None,
        "captions_mode": (settings or {}).get("captions"),
        "language": (settings or {}).get("language") or "en",
        "poster_url_path": poster.url_path if poster else None,
        "captions_file": captions.file_path if captions else None,
    }


def _is_poster(asset: MediaAsset, video: GeneratedVideo) -> bool:
    if asset.asset_type != AssetType.IMAGE:
        return False
    if (asset.asset_metadata or {}).get("role") == "poster":
        return True
    path = Path(asset.file_path)
    return path.suffix.lower() in POSTER_SUFFIXES and path.stem == Path(video.file_path).stem
