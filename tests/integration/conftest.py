"""Rows the database integration tests build on: one script, job, asset, video, storage set."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reelflow.db.models import GeneratedVideo, ScriptRecord, VideoGenerationJob
from reelflow.db.session import Database
from reelflow.db.states import AssetType, JobStatus, ScriptKind, SourceType
from reelflow.settings import Settings

T0 = datetime(2025, 9, 25, 12, 0, tzinfo=UTC)
IMAGE_METADATA = {"dimensions": [1920, 1080], "format": "png", "generation_method": "pillow"}


@dataclass(frozen=True)
class Seeded:
    """Ids of the rows ``seeded`` wrote, and the media root their files live in."""

    script_id: uuid.UUID
    job_id: uuid.UUID
    asset_id: uuid.UUID
    video_id: uuid.UUID
    media_root: Path


@pytest.fixture
def settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Settings of a fresh home in tmp_path on ``db_url``, in the environment as a flow reads
    them."""
    monkeypatch.setenv("REELFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REELFLOW_DATABASE_URL", db_url)
    return Settings.from_env()


@pytest.fixture
def media_root(tmp_path: Path) -> Path:
    """An empty media root in tmp_path."""
    root = tmp_path / "media"
    root.mkdir()
    return root


@pytest.fixture
def seeded(database: Database, media_root: Path) -> Seeded:
    """A committed script with one running job, one image asset of that job, the job's planned
    video (using the asset) and the default storage records."""
    slide = media_root / "images" / "slide-1.png"
    slide.parent.mkdir(parents=True, exist_ok=True)
    slide.write_bytes(b"\x89PNG fake")
    with database.unit_of_work() as uow:
        uow.storage.ensure_defaults(media_root)
        script = ScriptRecord.from_text(
            title="Hello",
            kind=ScriptKind.INLINE,
            content="# Hello\nWorld.",
            session_id="s1",
            now=T0,
        )
        uow.scripts.add(script)
        job = VideoGenerationJob.start(script_id=script.id, session_id="s1", now=T0)
        uow.jobs.add(job)
        job.move_to(JobStatus.MEDIA_GENERATION, T0)
        uow.flush()
        asset = uow.assets.upsert(
            job.id,
            str(slide),
            asset_type=AssetType.IMAGE,
            url_path="/media/images/slide-1.png",
            source_type=SourceType.GENERATED,
            asset_metadata=IMAGE_METADATA,
            creation_timestamp=T0,
        )
        video = GeneratedVideo.plan(
            job=job,
            file_path=str(media_root / "videos" / f"{job.id}.mp4"),
            url_path=f"/media/videos/{job.id}.mp4",
            title="Hello",
            duration=12.5,
            resolution="1920x1080",
            format="mp4",
            now=T0,
        )
        video.assets.append(asset)
        uow.videos.add(video)
        uow.commit()
        return Seeded(script.id, job.id, asset.id, video.id, media_root)
