"""The JSON shapes of the API: what requests send and responses return (the OpenAPI schema)."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from reelflow.engine.script import MAX_SCENES, MAX_SCRIPT_BYTES, MAX_TITLE_CHARS
from reelflow.vocabulary import (
    LANGUAGE_PATTERN,
    MUSIC_VOLUME_RANGE,
    RESOLUTION_PATTERN,
    TRANSITION_SECONDS_RANGE,
    CaptionPosition,
    Captions,
    ClipAudio,
    Fit,
    Motion,
    Quality,
    Transition,
    VideoFormat,
)

SESSION_PATTERN = r"^[A-Za-z0-9_.@:-]{1,128}$"


class StartJob(BaseModel):
    """A job to start: the script (inline, or the id of an uploaded one) and its options."""

    model_config = ConfigDict(extra="forbid")

    script: str | None = Field(default=None, max_length=MAX_SCRIPT_BYTES,
                               description="The script's text: Markdown, plain text, YAML or "
                                           "JSON. Give this or script_id.")
    script_id: uuid.UUID | None = Field(default=None, description="A script uploaded to /scripts.")
    title: str | None = Field(default=None, max_length=MAX_TITLE_CHARS)
    resolution: str | None = Field(default=None, pattern=RESOLUTION_PATTERN,
                                   description="WIDTHxHEIGHT, even numbers, e.g. 1280x720")
    quality: Quality | None = None
    captions: Captions | None = None
    motion: Motion | None = None
    tts: str | None = Field(default=None, max_length=64, description="piper, gtts or gtts,piper")
    include_audio: bool | None = None
    formats: list[VideoFormat] | None = Field(default=None, min_length=1, max_length=2,
                                              description="mp4, webm or both")
    caption_position: CaptionPosition | None = None
    poster_scene: int | None = Field(default=None, ge=1, le=MAX_SCENES,
                                     description="the scene whose first frame is the poster")
    language: str | None = Field(default=None, pattern=LANGUAGE_PATTERN,
                                 description="a language tag: en narrates offline, others "
                                             "with gtts")
    music: str | None = Field(default=None, min_length=1, max_length=1024,
                              description="background music: a path in the media root "
                                          "(audio/uploads/...), asset:<uuid> or "
                                          "stock:<id or tag>")
    music_volume: float | None = Field(default=None, ge=MUSIC_VOLUME_RANGE[0],
                                       le=MUSIC_VOLUME_RANGE[1], allow_inf_nan=False,
                                       description="the music's loudness between scenes, dB "
                                                   "relative to the narration")
    transition: Transition | None = None
    transition_seconds: float | None = Field(default=None, ge=TRANSITION_SECONDS_RANGE[0],
                                             le=TRANSITION_SECONDS_RANGE[1],
                                             allow_inf_nan=False,
                                             description="a crossfade's length in seconds")
    fit: Fit | None = Field(default=None, description="how scene pictures fill the frame: "
                            "cover (cropped) or contain (whole, on a blurred fill)")
    clip_audio: ClipAudio | None = Field(default=None, description="a scene clip's own sound: "
                                         "mute, or mix (under the narration)")
    session_id: str = Field(default="default", pattern=SESSION_PATTERN)
    idempotency_key: str | None = Field(default=None, min_length=1, max_length=200,
                                        description="The same key twice starts one job.")


class JobAccepted(BaseModel):
    """A job that was started (or found again by its idempotency key)."""

    job_id: uuid.UUID
    status_url: str
    prefect_url: str | None


class VideoView(BaseModel):
    """A video with the URLs a browser needs (signed when its type is not public)."""

    id: uuid.UUID
    job_id: uuid.UUID | None
    status: str
    title: str
    duration: float
    resolution: str
    file_size: int | None
    format: str
    session_id: str
    completed_at: str | None
    url_path: str
    url: str | None
    download_url: str | None
    poster_url: str | None
    captions_url: str | None
    language: str = Field(description="the BCP 47 tag of the narration and captions")


class JobView(BaseModel):
    """A job's state, progress and error, and its video once it has one."""

    id: uuid.UUID
    status: str
    progress_percentage: int
    title: str | None = None
    session_id: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    error_message: str | None = None
    run_state: str | None = Field(default=None,
                                  description="Prefect's state while no job row exists")
    prefect_url: str | None = None
    video: VideoView | None = None


class JobList(BaseModel):
    jobs: list[JobView]


class VideoList(BaseModel):
    videos: list[VideoView]


class Deleted(BaseModel):
    """What deleting a video removed."""

    video_id: uuid.UUID
    files: int
    bytes: int
    rows: int
    jobs: list[str]
    skipped: list[dict[str, str]]


class ScriptStored(BaseModel):
    """An uploaded script, validated and stored; start jobs from it by ``script_id``."""

    script_id: uuid.UUID
    title: str
    scenes: int
    session_id: str


class Uploaded(BaseModel):
    """An uploaded image, audio or video file, recorded as a USER_UPLOADED media asset."""

    asset_id: uuid.UUID
    job_id: uuid.UUID
    kind: str
    asset_type: str
    file_path: str = Field(description="Where scripts find it, e.g. ![alt](FILE_PATH)")
    url_path: str
    url: str
    file_size: int
    duration: float | None
    metadata: dict[str, Any]


class Options(BaseModel):
    """What the start form offers, and what this server can do."""

    resolutions: list[str]
    qualities: list[str]
    captions: list[str]
    motions: list[str]
    defaults: dict[str, str]
    max_script_bytes: int
    max_upload_bytes: int
    can_start_jobs: bool
    prefect_ui: str | None
    public_url: str | None
