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

from reelflow.db.states import StorageType
from reelflow.engine.script import MAX_SCRIPT_BYTES
from reelflow.errors import InvalidScript, NotFound
from reelflow.services.catalog import find_video, video_cards
from reelflow.services.intake import accept
from reelflow.services.removal import remove_video
from reelflow.services.reports import job_detail, job_rows
from reelflow.services.scripts import load_script, overrides
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
from reelflow.web.views import job_view, prefect_url, video_view

router = APIRouter(prefix="/api/v1")
Session = Annotated[str | None, Query(pattern=SESSION_PATTERN, description="a user session")]
Limit = Annotated[int, Query(ge=1, le=500)]
VIDEOS = StorageType.VIDEOS


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
    return JobList(jobs=[job_view(web, row) for row in
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
                       prefect_url=prefect_url(web, job_id))
    view = job_view(web, row)
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
    parameters: dict[str, Any] = {
        "script": text, "title": job.title, "custom_resolution": job.resolution,
        "quality_preset": job.quality, "tts": job.tts, "session_id": job.session_id,
        "include_audio": job.include_audio, "captions": job.captions, "motion": job.motion,
        "formats": job.formats, "caption_position": job.caption_position,
        "poster_scene": job.poster_scene, "language": job.language, "music": job.music,
        "music_volume": job.music_volume, "transition": job.transition,
        "transition_seconds": job.transition_seconds, "fit": job.fit,
        "clip_audio": job.clip_audio}
    parameters = {key: value for key, value in parameters.items() if value is not None}
    chosen: dict[str, Any] = {key: value for key, value in parameters.items()
                              if key not in ("script", "session_id")}
    # Judged here as the flow will judge it (pictures and references included, no folder: it
    # arrives inline): a bad script is refused before a run exists.
    await run_in_threadpool(lambda: accept(web.settings, text.encode("utf-8", "surrogatepass"),
                                           source_name=name, script_folder=None,
                                           overrides=overrides(**chosen)))
    run_id = await launch.create_run(parameters, session_id=job.session_id,
                                     idempotency_key=job.idempotency_key or idempotency_key)
    return JobAccepted(job_id=run_id, status_url=f"{router.prefix}/jobs/{run_id}",
                       prefect_url=prefect_url(web, run_id))


def _script_of(web: Web, job: StartJob) -> tuple[str, str | None]:
    if (job.script is None) == (job.script_id is None):
        raise InvalidScript("give either the script text (script) or an uploaded script's id "
                            "(script_id)")
    if job.script is not None:
        return job.script, None
    return load_script(web.settings, job.script_id)  # type: ignore[arg-type]
