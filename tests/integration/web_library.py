"""A small media library behind the web app, and a raw ASGI client for it.

The client builds the ASGI scope itself, decoding the path once exactly as uvicorn does, so
hostile paths (``..``, ``%2e``, backslashes, NUL) reach the app unnormalised; an HTTP client
library would clean them up first.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from reelflow.db.models import GeneratedVideo, ScriptRecord, VideoGenerationJob
from reelflow.db.states import (
    AssetType,
    JobStatus,
    ScriptKind,
    SourceType,
    StorageType,
    VideoStatus,
)
from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.services.runtime import database, layout, utcnow
from reelflow.settings import Settings
from reelflow.storage.accounting import count_new_file, record_asset

READ_TOKEN = "reader-token-0123456789abcdef"
ADMIN_TOKEN = "admin-token-0123456789abcdef"
SECRET = b"TOP-SECRET-5f1d0c9e-never-served"
USAGE = {"generation_time_seconds": 1.0, "peak_memory_mb": 1.0, "disk_space_used_mb": 1.0,
         "cpu_time_seconds": 1.0}


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        import json

        return json.loads(self.body)


@dataclass
class Library:
    settings: Settings
    root: Path
    video_id: uuid.UUID
    job_id: uuid.UUID
    video: Path
    video_url: str
    image_url: str
    running_image_url: str
    pending_video_url: str
    extra: dict[str, Any] = field(default_factory=dict)


def settings_for(tmp_path: Path, db_url: str, **env: str) -> Settings:
    return Settings.from_env({"REELFLOW_HOME": str(tmp_path / "home"),
                              "REELFLOW_DATABASE_URL": db_url,
                              "REELFLOW_READ_TOKENS": READ_TOKEN,
                              "REELFLOW_ADMIN_TOKENS": ADMIN_TOKEN, **env})


def make_video(path: Path, seconds: int = 2) -> None:
    """A real H.264/AAC MP4 with a mov_text subtitle track."""
    srt = path.with_suffix(".srt")
    srt.write_text("1\n00:00:00,000 --> 00:00:01,500\nHello from the captions.\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(["-f", "lavfi", "-i", f"testsrc=size=160x90:rate=24:duration={seconds}",
                "-f", "lavfi", "-i", f"sine=d={seconds}", "-i", str(srt), "-map", "0", "-map",
                "1", "-map", "2", "-c:v", "libx264", "-preset", "ultrafast", "-c:a", "aac",
                "-c:s", "mov_text", "-shortest", str(path)], what="making a test video")
    srt.unlink()


def finished_job(settings: Settings, title: str, *, finish: bool = True,
                 session_id: str = "web") -> tuple[uuid.UUID, uuid.UUID]:
    """Creates a script and a job (COMPLETED when ``finish``); returns (job id, script id)."""
    now = utcnow()
    with database(settings).unit_of_work() as uow:
        script = ScriptRecord.from_text(title=title, kind=ScriptKind.INLINE,
                                        content=f"# {title}\n\nWords.", session_id=session_id,
                                        now=now)
        uow.scripts.add(script)
        job = VideoGenerationJob.start(script_id=script.id, session_id=session_id, now=now,
                                       composition_settings={"captions": "soft"})
        uow.jobs.add(job)
        job.move_to(JobStatus.MEDIA_GENERATION, now)
        if finish:
            job.move_to(JobStatus.VIDEO_COMPOSITION, now)
            job.complete(USAGE, now)
        uow.commit()
        return job.id, script.id


def add_image(settings: Settings, job_id: uuid.UUID, name: str) -> str:
    media = layout(settings)
    path = media.slide(job_id, 0).with_name(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    from PIL import Image

    Image.new("RGB", (32, 18), "navy").save(path)
    with database(settings).unit_of_work() as uow:
        asset = record_asset(uow, media, job_id, path, asset_type=AssetType.IMAGE,
                             url_path=media.url_path(path), source_type=SourceType.GENERATED,
                             asset_metadata={"dimensions": [32, 18], "format": "png",
                                             "generation_method": "test"})
        uow.commit()
        return asset.url_path


def add_video(settings: Settings, job_id: uuid.UUID, title: str, path: Path, *,
              complete: bool = True) -> uuid.UUID:
    media = layout(settings)
    with database(settings).unit_of_work() as uow:
        video = GeneratedVideo.plan(job=uow.jobs.get(job_id), file_path=str(path),
                                    url_path=media.url_path(path), title=title, duration=2.0,
                                    resolution="160x90", format="mp4", now=utcnow())
        uow.videos.add(video)
        video.move_to(VideoStatus.GENERATING, utcnow())
        if complete:
            size = path.stat().st_size
            count_new_file(uow, media, path, size)
            video.complete(file_size=size, duration=2.0, now=utcnow())
        uow.commit()
        return video.id


def build_library(tmp_path: Path, db_url: str, **env: str) -> Library:
    """A media root with one COMPLETED video and image, files that must never be served, and
    a secret outside the root (in a sibling folder named like the root, and behind links)."""
    settings = settings_for(tmp_path, db_url, **env)
    media = layout(settings)
    root = media.root
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "home" / "media-old").mkdir(parents=True)
    (tmp_path / "home" / "media-old" / "secret.txt").write_bytes(SECRET)
    job_id, _ = finished_job(settings, "Good one")
    video = media.video(job_id, "Good one")
    make_video(video)
    video_id = add_video(settings, job_id, "Good one", video)
    image_url = add_image(settings, job_id, "scene-001.png")
    running, _ = finished_job(settings, "Still running", finish=False)
    running_image_url = add_image(settings, running, "scene-001.png")
    pending = media.video(running, "Still running")
    make_video(pending, seconds=1)
    add_video(settings, running, "Still running", pending, complete=False)
    videos = media.folder(StorageType.VIDEOS)
    (videos / "unrecorded.mp4").write_bytes(b"unrecorded video")
    (videos / f".partial-0123456789ab-{video.name}").write_bytes(SECRET)
    (videos / f".parts-{video.stem}").mkdir()
    (videos / f".parts-{video.stem}" / "segment-001.mp4").write_bytes(SECRET)
    (media.scratch(job_id)).mkdir(parents=True)
    (media.scratch(job_id) / "narration.wav").write_bytes(SECRET)
    (media.speech_cache() / "ab").mkdir(parents=True)
    (media.speech_cache() / "ab" / "cached.wav").write_bytes(SECRET)
    (videos / "evil.mp4").symlink_to(tmp_path / "secret.txt")
    (videos / "outside").symlink_to(tmp_path / "home" / "media-old")
    return Library(settings, root, video_id, job_id, video, media.url_path(video), image_url,
                   running_image_url, media.url_path(pending))


def request(app: Any, method: str, target: str, headers: dict[str, str] | None = None,
            body: bytes = b"") -> Reply:
    """Sends one request to the ASGI app as uvicorn would hand it over; returns the reply."""
    raw, _, query = target.partition("?")
    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
             "http_version": "1.1", "method": method, "scheme": "http",
             "path": unquote(raw), "raw_path": raw.encode(), "root_path": "",
             "query_string": query.encode(), "server": ("127.0.0.1", 8800),
             "client": ("127.0.0.1", 50000),
             "headers": [(k.lower().encode(), v.encode())
                         for k, v in {"host": "127.0.0.1:8800",
                                      "content-length": str(len(body)),
                                      **(headers or {})}.items()]}
    replies: list[dict[str, Any]] = []

    async def run() -> None:
        sent = False
        done = asyncio.Event()

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await done.wait()
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            replies.append(message)
            if message["type"] == "http.response.body" and not message.get("more_body"):
                done.set()

        await app(scope, receive, send)

    asyncio.run(run())
    start = replies[0]
    return Reply(start["status"],
                 {k.decode(): v.decode() for k, v in start["headers"]},
                 b"".join(m.get("body", b"") for m in replies[1:]))
