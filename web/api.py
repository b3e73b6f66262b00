"""The JSON API under /api/v1: jobs (start, follow), videos (list, delete) and options.

Reads check the VIDEOS type's read permission, starting a job and deleting a video its write
permission (storage/access.py via web/context.py). Errors are raised, never answered here:
web/errors.py picks the status.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from starlette.concurrency import run_in_threadpool

from reelflow.db.policies import STORAGE_DIRECTORY
from reelflow.db.states import StorageType
from reelflow.engine.parsing import parse_script
from reelflow.engine.script import MAX_SCRIPT_BYTES
from reelflow.errors import InvalidScript, NotFound
from reelflow.services.catalog import find_video, video_cards
from reelflow.services.removal import remove_video
from reelflow.services.reports import job_detail, job_rows
from reelflow.services.scripts import load_script
from reelflow.vocabulary import (
    CAPTIONS,
    DEFAULT_CAPTIONS,
    DEFAULT_MOTION,
    DEFAULT_QUALITY,
    DEFAULT_RESOLUTION,
    MOTIONS,
    QUALITIES,
    RESOLUTIONS,
)
from reelflow.web import launch
from reelflow.web.context import Web
from reelflow.web.schemas import (
    SESSION_PATTERN,
    Deleted,
    JobAccepted,
    JobList,
    JobView,
    Options,
    StartJob,
    VideoList,
    VideoView,
)

router = APIRouter(prefix="/api/v1")
Session = Annotated[str | None, Query(pattern=SESSION_PATTERN, description="a user session")]
Limit = Annotated[int, Query(ge=1, le=500)]
VIDEOS = StorageType.VIDEOS
_KIND_OF_FOLDER = {folder: kind for kind, folder in STORAGE_DIRECTORY.items()}


def _web(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


@router.get("/health", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/options", response_model=Options, summary="What the start form offers")
def options(request: Request) -> Options:
    web = _web(request)
    return Options(resolutions=list(RESOLUTIONS), qualities=list(QUALITIES),
                   captions=list(CAPTIONS), motions=list(MOTIONS),
                   defaults={"resolution": DEFAULT_RESOLUTION, "quality": DEFAULT_QUALITY,
                             "captions": DEFAULT_CAPTIONS, "motion": DEFAULT_MOTION},
                   max_script_bytes=MAX_SCRIPT_BYTES,
                   max_upload_bytes=web.settings.upload_max_bytes,
                   can_start_jobs=launch.prefect_configured(), prefect_ui=web.prefect_ui,
                   public_url=web.settings.public_url)


@router.get("/videos", response_model=VideoList, summary="A session's completed videos")
def list_videos(request: Request, session: Session = None, limit: Limit = 50) -> VideoList:
    web = _web(request)
    web.check_read(request, VIDEOS)
    return VideoList(videos=[video_view(web, card)
                             for card in video_cards(web.settings, session, limit)])


@router.get("/videos/{video_id}", response_model=VideoView, summary="One video (or a job's)")
def get_video(request: Request, video_id: uuid.UUID) -> VideoView:
    web = _web(request)
    web.check_read(request, VIDEOS)
    return video_view(web, find_video(web.settings, video_id))


@router.delete("/videos/{video_id}", response_model=Deleted,
               summary="Delete a video with its job, files and rows (admin)")
def delete_video(request: Request, video_id: uuid.UUID) -> dict[str, Any]:
    web = _web(request)
    web.check_write(request, VIDEOS)
    video = find_video(web.settings, video_id)
    return remove_video(web.settings, uuid.UUID(video["id"]))


@router.get("/jobs", response_model=JobList, summary="A session's recent jobs")
def list_jobs(request: Request, session: Session = None, limit: Limit = 20) -> JobList:
    web = _web(request)
    web.check_read(request, VIDEOS)
    return JobList(jobs=[_job_view(web, row) for row in
                         job_rows(web.settings, session_id=session, limit=limit)])


@router.get("/jobs/{job_id}", response_model=JobView,
            summary="A job's status, progress and error; its video once completed")
async def get_job(request: Request, job_id: uuid.UUID) -> JobView:
    web = _web(request)
    await run_in_threadpool(web.check_read, request, VIDEOS)
    try:
        row = await run_in_threadpool(job_detail, web.settings, job_id)
    except NotFound:
        state = await launch.run_state(job_id)
        if state is None:
            raise
        kind, message = state
        ended = kind in ("FAILED", "CRASHED", "CANCELLED")
        return JobView(id=job_id, status="FAILED" if ended else "PENDING", progress_percentage=0,
                       run_state=kind, error_message=message or kind if ended else None,
                       prefect_url=_prefect_url(web, job_id))
    view = _job_view(web, row)
    if row["video"] is not None and row["status"] == "COMPLETED":
        card = await run_in_threadpool(find_video, web.settings, job_id)
        view.video = await run_in_threadpool(video_view, web, card)
    return view


@router.post("/jobs", response_model=JobAccepted, status_code=202,
             summary="Start a job: a run of the generate-video deployment")
async def start_job(request: Request, job: StartJob,
                    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
                    ) -> JobAccepted:
    web = _web(request)
    await run_in_threadpool(web.check_write, request, VIDEOS)
    text, name = await run_in_threadpool(_script_of, web, job)
    overrides = {"title": job.title, "resolution": job.resolution, "quality": job.quality,
                 "tts": job.tts, "include_audio": job.include_audio, "captions": job.captions,
                 "motion": job.motion}
    # Validated here, as the flow will: a bad script is refused before a run exists.
    await run_in_threadpool(lambda: parse_script(text, source_name=name, overrides=overrides))
    parameters = {"script": text, "title": job.title, "custom_resolution": job.resolution,
                  "quality_preset": job.quality, "tts": job.tts, "session_id": job.session_id,
                  "include_audio": job.include_audio, "captions": job.captions,
                  "motion": job.motion}
    run_id = await launch.create_run({k: v for k, v in parameters.items() if v is not None},
                                     session_id=job.session_id,
                                     idempotency_key=job.idempotency_key or idempotency_key)
    return JobAccepted(job_id=run_id, status_url=f"{router.prefix}/jobs/{run_id}",
                       prefect_url=_prefect_url(web, run_id))


def _script_of(web: Web, job: StartJob) -> tuple[str, str | None]:
    if (job.script is None) == (job.script_id is None):
        raise InvalidScript("give either the script text (script) or an uploaded script's id "
                            "(script_id)")
    if job.script is not None:
        return job.script, None
    return load_script(web.settings, job.script_id)  # type: ignore[arg-type]


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
        if served and captions else None)


def kind_of(url_path: str) -> StorageType:
    """Returns the storage type of a media URL path (/media/<folder>/...)."""
    parts = url_path.strip("/").split("/")
    return _KIND_OF_FOLDER.get(parts[1] if len(parts) > 1 else "", VIDEOS)


def _prefect_url(web: Web, job_id: uuid.UUID | str) -> str | None:
    return f"{web.prefect_ui}/runs/flow-run/{job_id}" if web.prefect_ui else None


def _job_view(web: Web, row: dict[str, Any]) -> JobView:
    video = row.get("video")
    title = row.get("title") or (video.get("title") if isinstance(video, dict) else None)
    return JobView(id=row["id"], status=row["status"],
                   progress_percentage=row["progress_percentage"] or 0, title=title,
                   session_id=row["session_id"], started_at=_iso(row["started_at"]),
                   completed_at=_iso(row["completed_at"]),
                   error_message=row.get("error_message"),
                   prefect_url=_prefect_url(web, row["id"]))


def _iso(value: Any) -> str | None:
    return None if value is None else value.isoformat()
