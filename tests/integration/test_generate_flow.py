"""The generate-video flow under a real Prefect test server, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from prefect.exceptions import FailedRun
from sqlalchemy import func, select

from reelflow.db.models import GeneratedVideo, MediaAsset, MediaStorage, Script, VideoGenerationJob
from reelflow.db.session import Database
from reelflow.db.states import AssetType, JobStatus, StorageType, VideoStatus
from reelflow.engine.probe import probe
from reelflow.engine.script import RenderSettings, Scene
from reelflow.errors import RenderFailed
from reelflow.flows.generate_video import generate_video
from reelflow.services.media import narrate
from reelflow.settings import Settings
from reelflow.storage.accounting import measure
from reelflow.storage.layout import MediaLayout

TWO_SCENES = """# Two scenes

## First
Hello there. This is the first scene.

## Second
And this is the second one.
"""

pytestmark = pytest.mark.usefixtures("prefect_server")


@pytest.fixture
def settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("REELFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REELFLOW_DATABASE_URL", db_url)
    return Settings.from_env()


def _count(database: Database, model: Any) -> int:
    with database.unit_of_work() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_script_becomes_a_verified_video_recorded_under_the_flow_run_id(
    settings: Settings,
) -> None:
    state = generate_video(
        script=TWO_SCENES,
        custom_resolution="320x180",
        quality_preset="draft",
        session_id="s-1",
        return_state=True,
    )
    assert state.is_completed(), state.message
    result = state.result()
    run_id = state.state_details.flow_run_id
    assert result["job_id"] == str(run_id)

    database = Database.open(settings.database_url)
    with database.unit_of_work() as uow:
        job = uow.jobs.get(run_id)
        assert job.status == JobStatus.COMPLETED and job.progress_percentage == 100
        assert job.session_id == "s-1"
        usage = job.resource_usage or {}
        for key in (
            "generation_time_seconds",
            "peak_memory_mb",
            "disk_space_used_mb",
            "cpu_time_seconds",
        ):
            assert usage[key] > 0, key
        settings_json = job.composition_settings or {}
        assert settings_json["target_resolution"] == "320x180"
        assert settings_json["quality_preset"] == "draft"
        assert settings_json["include_audio"] is True

        video = uow.videos.get_for_job(run_id)
        assert video is not None and video.generation_status == VideoStatus.COMPLETED
        found = probe(Path(video.file_path))
        assert video.file_size == found.size == Path(video.file_path).stat().st_size
        assert video.duration == pytest.approx(found.video_duration, abs=1e-3)
        assert (video.resolution, video.format) == ("320x180", "mp4")
        assert video.url_path.startswith("/media/videos/") and video.url_path.endswith(".mp4")

        assets = list(uow.assets.for_job(run_id))
        audio = [a for a in assets if a.asset_type == AssetType.AUDIO]
        images = [a for a in assets if a.asset_type == AssetType.IMAGE
                  and a.asset_metadata.get("role") != "poster"]
        assert len(audio) == 2 and len(images) == 2
        assert all(a.asset_metadata["engine"] == "piper" for a in audio)
        spoken = sum((a.duration or 0) + 0.6 for a in audio)
        assert found.video_duration == pytest.approx(spoken, abs=0.1)
        assert all(Path(a.file_path).is_file() for a in assets)
    assert _count(database, Script) == 1
    assert _count(database, VideoGenerationJob) == 1

    media = MediaLayout(settings.media_root)
    with database.unit_of_work() as uow:
        rows = {row.storage_type: row for row in uow.session.scalars(select(MediaStorage))}
    assert set(rows) == set(StorageType)
    for kind, row in rows.items():
        assert (row.total_size_bytes, row.file_count) == measure(media.folder(kind)), kind
    assert list(media.folder(StorageType.TEMP).iterdir()) == []


def test_a_failure_marks_the_job_failed_with_its_message_and_leaves_no_video(
    settings: Settings, monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RenderFailed("the encoder gave up")

    monkeypatch.setattr("reelflow.services.compose.join_video", broken)
    state = generate_video(
        script=TWO_SCENES, custom_resolution="320x180", quality_preset="draft",
        return_state=True)
    assert state.is_failed()
    with pytest.raises(RenderFailed):
        state.result()
    database = Database.open(settings.database_url)
    with database.unit_of_work() as uow:
        job = uow.jobs.get(state.state_details.flow_run_id)
        assert job.status == JobStatus.FAILED
        assert "the encoder gave up" in (job.error_message or "")
        assert job.completed_at is not None and job.completed_at >= job.started_at
        video = uow.videos.get_for_job(job.id)
        assert video is not None and video.generation_status == VideoStatus.FAILED
        assert not Path(video.file_path).exists()
    media = MediaLayout(settings.media_root)
    assert list(media.folder(StorageType.VIDEOS).iterdir()) == []
    assert list(media.folder(StorageType.TEMP).iterdir()) == []


def test_a_missing_picture_is_refused_before_a_job_or_a_file_exists(settings: Settings) -> None:
    script = TWO_SCENES.replace("## Second\n", "## Second\n![missing](stock/picture.png)\n")
    state = generate_video(script=script, custom_resolution="320x180", return_state=True)
    assert state.is_failed()
    assert state.message == ("invalid script: scene 2 (line 7): image 'stock/picture.png' "
                             "not found")
    assert _count(Database.open(settings.database_url), VideoGenerationJob) == 0
    media_files = [p for p in settings.media_root.rglob("*") if p.is_file()]
    assert [p.name for p in media_files] in ([], [".reelflow-media-root"])


def test_an_invalid_script_fails_the_run_at_once_without_a_job(settings: Settings) -> None:
    state = generate_video(script="# Only a title\n", return_state=True)
    assert state.is_failed()
    assert (state.message or "").startswith("invalid script: ") and "narration" in state.message
    with pytest.raises(FailedRun, match="narration"):
        state.result()
    assert _count(Database.open(settings.database_url), VideoGenerationJob) == 0


def test_a_rerun_narration_step_keeps_one_file_and_one_row(settings: Settings) -> None:
    generate_video(script=TWO_SCENES, custom_resolution="320x180", quality_preset="draft")
    database = Database.open(settings.database_url)
    with database.unit_of_work() as uow:
        job = uow.jobs.list(limit=1)[0]
        before = {a.file_path: a.id for a in uow.assets.for_job(job.id)}
    scene = Scene(heading="First", narration="Hello there. This is the first scene.")
    narrate(settings, job.id, 0, scene, RenderSettings())
    narrate(settings, job.id, 0, scene, RenderSettings())
    with database.unit_of_work() as uow:
        after = {a.file_path: a.id for a in uow.assets.for_job(job.id)}
    assert after == before  # the same files, each still on its first row
    audio_dir = MediaLayout(settings.media_root).narration(job.id, 0).parent
    assert sorted(p.name for p in audio_dir.iterdir()) == ["scene-001.wav", "scene-002.wav"]
    # 2 narrations, 2 slides, the poster and the SRT and WebVTT caption files
    assert _count(database, GeneratedVideo) == 1 and _count(database, MediaAsset) == 7


def test_invalid_parameters_fail_the_run_at_once_with_the_validation_message(
        settings: Settings) -> None:
    state = generate_video(script=TWO_SCENES, resolution="1920*1080",  # type: ignore[arg-type]
                           return_state=True)
    assert state.is_failed()
    assert "resolution" in (state.message or "") and "1280x720" in (state.message or "")
    assert _count(Database.open(settings.database_url), VideoGenerationJob) == 0


def test_the_run_is_named_after_the_title_tagged_with_the_session_and_reports_artifacts(
        settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from prefect.client.orchestration import get_client

    monkeypatch.setenv("REELFLOW_PUBLIC_URL", "http://videos.example:8800")

    state = generate_video(script=TWO_SCENES, custom_resolution="320x180",
                           quality_preset="draft", session_id="team-7", return_state=True)
    run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(run_id)
        artifacts = client.read_artifacts()
    assert run.name == "Two scenes"
    assert "session:team-7" in run.tags
    mine = [a for a in artifacts if a.flow_run_id == run_id]
    kinds = {a.type for a in mine}
    assert {"progress", "markdown", "table"} <= kinds
    progress = next(a for a in mine if a.type == "progress")
    assert progress.data == 100 and progress.description == "100% - completed"
    markdown = next(a for a in mine if a.type == "markdown")
    assert "/media/videos/" in str(markdown.data) and "320x180" in str(markdown.data)
    # The artifact links back to the playable video at the configured public address.
    assert "](http://videos.example:8800/media/videos/" in str(markdown.data)
    table = next(a for a in mine if a.type == "table")
    # Two narrations; two slides and the poster; the caption files as SRT and WebVTT.
    assert str(table.data).count("AUDIO") == 2 and str(table.data).count("IMAGE") == 3
    assert str(table.data).count("TEXT_OVERLAY") == 2
