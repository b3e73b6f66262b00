"""Rows and cards from services/ turned into the API's views, with the URLs a browser can
use: plain for public storage types, signed (valid one hour) for the others."""

from __future__ import annotations

import uuid
from typing import Any

from reelflow.db.policies import STORAGE_DIRECTORY
from reelflow.db.states import StorageType
from reelflow.web.context import Web
from reelflow.web.schemas import JobView, VideoView

VIDEOS = StorageType.VIDEOS
_KIND_OF_FOLDER = {folder: kind for kind, folder in STORAGE_DIRECTORY.items()}


def video_view(web: Web, card: dict[str, Any]) -> VideoView:
    """Returns a video's card with the URLs this caller's browser can use."""
    served = card["completed"]
    url = web.link(card["url_path"], VIDEOS) if served else None
    poster = card["poster_url_path"]
    captions = card["captions_file"] or card["captions_mode"] == "soft"
    return VideoView(
        id=card["id"], job_id=card["job_id"] or None, status=card["status"],
        title=card["title"], duration=card["duration"], resolution=card["resolution"],
        file_size=card["file_size"], format=card["format"], session_id=card["session_id"],
        completed_at=card["completed_at"], url_path=card["url_path"], url=url,
        download_url=None if url is None else url + ("&" if "?" in url else "?") + "download=1",
        poster_url=web.link(poster, kind_of(poster)) if served and poster else None,
        captions_url=web.link(f"/captions/{card['id']}.vtt", VIDEOS)
        if served and captions else None,
        language=card["language"])


def kind_of(url_path: str) -> StorageType:
    """Returns the storage type of a media URL path (/media/<folder>/...)."""
    parts = url_path.strip("/").split("/")
    return _KIND_OF_FOLDER.get(parts[1] if len(parts) > 1 else "", VIDEOS)


def prefect_url(web: Web, job_id: uuid.UUID | str) -> str | None:
    return f"{web.prefect_ui}/runs/flow-run/{job_id}" if web.prefect_ui else None


def job_view(web: Web, row: dict[str, Any]) -> JobView:
    video = row.get("video")
    title = row.get("title") or (video.get("title") if isinstance(video, dict) else None)
    return JobView(id=row["id"], status=row["status"],
                   progress_percentage=row["progress_percentage"] or 0, title=title,
                   session_id=row["session_id"], started_at=_iso(row["started_at"]),
                   completed_at=_iso(row["completed_at"]),
                   error_message=row.get("error_message"),
                   prefect_url=prefect_url(web, row["id"]))


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()
