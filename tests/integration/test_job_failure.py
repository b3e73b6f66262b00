"""A job failed late (services.jobs.mark_failed, the reconciler): a job, its video and its run
never disagree."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reelflow.db.models import GeneratedVideo, ScriptRecord, VideoGenerationJob
from reelflow.db.states import JobStatus, ScriptKind, StorageType, VideoStatus
from reelflow.services.jobs import mark_failed
from reelflow.services.reconcile import reconcile_jobs
from reelflow.services.runtime import database, layout
from reelflow.settings import Settings
from reelflow.storage.accounting import count_new_file, measure

T0 = datetime(2025, 9, 25, 12, 0, tzinfo=UTC)
SIZE = 4096


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, database_url=db_url, media_root=tmp_path / "media")


def _job_in_composition(settings: Settings, video_status: VideoStatus) -> tuple[uuid.UUID, Path]:
    """A job in VIDEO_COMPOSITION whose video file is on disk with the given status."""
    media = layout(settings)
    with database(settings).unit_of_work() as uow:
        script = ScriptRecord.from_text(title="Late", kind=ScriptKind.INLINE,
                                        content="# Late\n\nHello.", session_id="s", now=T0)
        uow.scripts.add(script)
        job = VideoGenerationJob.start(script_id=script.id, session_id="s", now=T0)
        uow.jobs.add(job)
        job.move_to(JobStatus.MEDIA_GENERATION, T0)
        job.move_to(JobStatus.VIDEO_COMPOSITION, T0)
        path = media.video(job.id, "Late")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\0" * SIZE)
        video = GeneratedVideo.plan(job=job, file_path=str(path), url_path=media.url_path(path),
                                    title="Late", duration=2.0, resolution="320x180",
                                    format="mp4", now=T0)
        uow.videos.add(video)
        video.move_to(VideoStatus.GENERATING, T0)
        if video_status == VideoStatus.COMPLETED:
            video.complete(file_size=SIZE, duration=2.0, now=T0)
            count_new_file(uow, media, path, SIZE)  # as verification counts it
        uow.commit()
        return job.id, path


def _videos_counters(settings: Settings) -> tuple[int, int]:
    with database(settings).unit_of_work(read_only=True) as uow:
        row = uow.storage.get(StorageType.VIDEOS)
        return int(row.total_size_bytes or 0), int(row.file_count or 0)


def test_a_job_failed_after_verification_keeps_no_completed_video_row_nor_its_file(
        settings: Settings) -> None:
    job_id, path = _job_in_composition(settings, VideoStatus.COMPLETED)
    assert _videos_counters(settings) == (SIZE, 1)

    assert mark_failed(settings, job_id, "lost: the worker died after verification")

    with database(settings).unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(job_id)
        assert job.status == JobStatus.FAILED and "after verification" in (job.error_message or "")
        assert uow.videos.get_for_job(job_id) is None
    assert not path.exists()
    folder = layout(settings).folder(StorageType.VIDEOS)
    assert _videos_counters(settings) == measure(folder) == (0, 0)


def test_a_job_failed_mid_render_marks_its_video_failed_and_removes_the_file(
        settings: Settings) -> None:
    job_id, path = _job_in_composition(settings, VideoStatus.GENERATING)

    assert mark_failed(settings, job_id, "crashed: killed while rendering")

    with database(settings).unit_of_work(read_only=True) as uow:
        video = uow.videos.get_for_job(job_id)
        assert video is not None and video.generation_status == VideoStatus.FAILED
    assert not path.exists()
    assert _videos_counters(settings) == (0, 0)


def test_failing_an_ended_job_again_changes_nothing(settings: Settings) -> None:
    job_id, _ = _job_in_composition(settings, VideoStatus.GENERATING)
    assert mark_failed(settings, job_id, "first")
    assert not mark_failed(settings, job_id, "second")
    with database(settings).unit_of_work(read_only=True) as uow:
        assert uow.jobs.get(job_id).error_message == "first"


def test_the_reconciler_fails_a_silent_job_and_ends_its_run_but_leaves_ended_runs_alone(
        settings: Settings) -> None:
    silent, _ = _job_in_composition(settings, VideoStatus.GENERATING)
    crashed, _ = _job_in_composition(settings, VideoStatus.GENERATING)
    states = {silent: ("RUNNING", "Running"), crashed: ("CRASHED", "Crashed")}
    ended: list[tuple[uuid.UUID, str]] = []

    def end_run(job_id: uuid.UUID, reason: str) -> str:
        ended.append((job_id, reason))
        return "CRASHED"

    fixed = reconcile_jobs(settings, states.get, end_run=end_run, stale_after_seconds=60)

    by_job = {uuid.UUID(item["job_id"]): item for item in fixed}
    assert set(by_job) == {silent, crashed}
    assert by_job[silent]["error_message"].startswith("lost: no heartbeat")
    assert by_job[crashed]["error_message"] == "crashed: Prefect reports the flow run Crashed"
    assert ended == [(silent, by_job[silent]["error_message"])]  # the crashed run stays as is
    assert by_job[silent]["run_state"] == by_job[crashed]["run_state"] == "CRASHED"
    with database(settings).unit_of_work(read_only=True) as uow:
        assert {uow.jobs.get(job).status for job in (silent, crashed)} == {JobStatus.FAILED}


def test_a_job_killed_between_writing_its_poster_and_captions_and_recording_them_leaves_none(
        settings: Settings) -> None:
    job_id, path = _job_in_composition(settings, VideoStatus.GENERATING)
    media = layout(settings)
    beside = media.beside(path)
    assert [p.name for p in beside] == [f"{path.name}.jpg", f"{path.stem}.srt", f"{path.stem}.vtt"]
    for file in beside:  # published at their final paths, but no row records them yet
        file.write_bytes(b"x" * 182)
    half = path.with_name(f".partial-0123456789ab-{path.stem}.vtt")
    half.write_bytes(b"x")
    other = media.video(uuid.uuid4(), "Late", "srt")  # another job's caption file stays
    other.write_bytes(b"y")

    assert mark_failed(settings, job_id, "crashed: killed after the join")

    assert not any(file.exists() for file in [path, *beside, half])
    assert other.exists()
    folder = media.folder(StorageType.VIDEOS)
    assert measure(folder) == (1, 1) and _videos_counters(settings) == (0, 0)
