"""The models' lifecycle methods, followed all the way into the database and back."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from reelflow.db.models import GeneratedVideo, MediaStorage, ScriptRecord, VideoGenerationJob
from reelflow.db.session import Database
from reelflow.db.states import JobStatus, ScriptKind, StorageType, VideoStatus
from reelflow.errors import InvalidTransition, RecordInvalid
from tests.integration.conftest import T0, Seeded

USAGE = {
    "generation_time_seconds": 8.2,
    "peak_memory_mb": 310.5,
    "disk_space_used_mb": 14.0,
    "cpu_time_seconds": 12.9,
}


def test_a_job_runs_from_pending_to_completed_with_its_video(
    database: Database, seeded: Seeded
) -> None:
    output = seeded.media_root / "videos" / "out.mp4"
    output.write_bytes(b"\x00" * 2048)
    with database.unit_of_work() as uow:
        job = uow.jobs.get_for_update(seeded.job_id)
        job.set_progress(50)
        job.move_to(JobStatus.VIDEO_COMPOSITION, T0 + timedelta(seconds=5))
        video = uow.videos.get(seeded.video_id)
        video.file_path = str(output)
        video.move_to(VideoStatus.GENERATING, T0 + timedelta(seconds=5))
        video.complete(2048, 12.345, T0 + timedelta(seconds=9))
        job.complete(USAGE, T0 + timedelta(seconds=10))
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        job, video = uow.jobs.get(seeded.job_id), uow.videos.get(seeded.video_id)
    assert (job.status, job.progress, job.resource_usage) == (JobStatus.COMPLETED, 100, USAGE)
    assert job.completed_at == T0 + timedelta(seconds=10)
    assert (video.generation_status, video.file_size, video.duration) == (
        VideoStatus.COMPLETED,
        2048,
        12.345,
    )
    assert video.completion_timestamp == T0 + timedelta(seconds=9)


def test_rerunning_a_finished_step_changes_nothing(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
        job.fail("narration failed: gTTS 429", T0 + timedelta(seconds=3))
        uow.commit()
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
        job.fail("a second, later failure", T0 + timedelta(seconds=60))
        job.move_to(JobStatus.FAILED, T0 + timedelta(seconds=61))
        job.set_progress(job.progress)
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(seeded.job_id)
    assert job.error_message == "narration failed: gTTS 429"
    assert job.completed_at == T0 + timedelta(seconds=3)


def test_a_failed_job_cannot_be_completed(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
        job.fail("boom", T0)
        with pytest.raises(InvalidTransition, match="FAILED to COMPLETED"):
            job.complete(USAGE, T0)
        with pytest.raises(InvalidTransition, match="progress can no longer change"):
            job.set_progress(99)


def test_a_job_cannot_complete_without_going_through_composition(
    database: Database, seeded: Seeded
) -> None:
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
        with pytest.raises(InvalidTransition, match="MEDIA_GENERATION to COMPLETED"):
            job.complete(USAGE, T0)
        assert job.status is JobStatus.MEDIA_GENERATION


def test_a_job_completes_only_with_full_resource_usage(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
        job.move_to(JobStatus.VIDEO_COMPOSITION, T0)
        with pytest.raises(RecordInvalid, match="cpu_time_seconds"):
            job.complete({k: v for k, v in USAGE.items() if k != "cpu_time_seconds"}, T0)
        with pytest.raises(RecordInvalid, match="resource_usage is required"):
            job.move_to(JobStatus.COMPLETED, T0)
        assert job.status is JobStatus.VIDEO_COMPOSITION and job.completed_at is None


def test_a_job_cannot_fail_without_a_message_or_before_it_started(
    database: Database, seeded: Seeded
) -> None:
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
        with pytest.raises(RecordInvalid, match="error_message"):
            job.fail("  ", T0)
        with pytest.raises(RecordInvalid, match="completed_at"):
            job.fail("boom", T0 - timedelta(seconds=1))
        with pytest.raises(RecordInvalid, match="error_message"):
            job.move_to(JobStatus.FAILED, T0)
        assert job.status is JobStatus.MEDIA_GENERATION


def test_progress_outside_0_to_100_is_refused_before_the_database_sees_it(
    database: Database, seeded: Seeded
) -> None:
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
        with pytest.raises(RecordInvalid, match="progress_percentage"):
            job.set_progress(101)
        assert job.progress == 0


def test_a_video_completes_only_when_its_file_exists_and_is_not_empty(
    database: Database, seeded: Seeded
) -> None:
    with database.unit_of_work() as uow:
        video = uow.videos.get(seeded.video_id)
        video.move_to(VideoStatus.GENERATING, T0)
        with pytest.raises(RecordInvalid, match="must exist"):
            video.complete(100, 12.0, T0)
        with pytest.raises(RecordInvalid, match="file_size must be positive"):
            video.complete(0, 12.0, T0, file_exists=True)
        with pytest.raises(RecordInvalid, match="resolution"):
            video.complete(100, 12.0, T0, file_exists=True, resolution="hd")
        video.complete(100, 11.96, T0, file_exists=True, resolution="1280x720")
        assert (video.generation_status, video.resolution) == (VideoStatus.COMPLETED, "1280x720")
        video.complete(999, 1.0, T0, file_exists=True)  # a rerun is a no-op
        assert video.file_size == 100
        with pytest.raises(InvalidTransition, match="COMPLETED to FAILED"):
            video.fail(T0)


def test_a_pending_video_can_fail_and_stays_failed(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        video = uow.videos.get(seeded.video_id)
        video.fail(T0 + timedelta(seconds=1))
        video.fail(T0 + timedelta(seconds=2))
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        video = uow.videos.get(seeded.video_id)
    assert video.generation_status is VideoStatus.FAILED
    assert video.completion_timestamp == T0 + timedelta(seconds=1)
    with pytest.raises(InvalidTransition, match="FAILED to GENERATING"):
        video.move_to(VideoStatus.GENERATING, T0)


def test_a_video_is_planned_with_its_jobs_script_and_session() -> None:
    job = VideoGenerationJob.start(script_id=uuid.uuid4(), session_id="s9", now=T0)
    with pytest.raises(RecordInvalid, match="resolution"):
        GeneratedVideo.plan(
            job=job,
            file_path="/v.mp4",
            url_path="/media/videos/v.mp4",
            title="t",
            duration=1.0,
            resolution="1920:1080",
            format="mp4",
            now=T0,
        )
    video = GeneratedVideo.plan(
        job=job,
        file_path="/v.mp4",
        url_path="/media/videos/v.mp4",
        title="t",
        duration=1.0,
        resolution="1920x1080",
        format="mp4",
        now=T0,
    )
    assert (video.script_id, video.session_id, video.generation_job_id) == (
        job.script_id,
        "s9",
        job.id,
    )
    assert video.generation_status is VideoStatus.PENDING


def test_a_job_keeps_the_flow_run_id_it_is_given(database: Database, seeded: Seeded) -> None:
    flow_run_id = uuid.uuid4()
    with database.unit_of_work() as uow:
        uow.jobs.add(
            VideoGenerationJob.start(
                id=flow_run_id,
                script_id=seeded.script_id,
                session_id="s1",
                now=T0,
                composition_settings={"quality_preset": "veryfast"},
            )
        )
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(flow_run_id)
    assert (job.status, job.progress) == (JobStatus.PENDING, 0)


def test_a_script_is_stored_with_the_hash_of_its_text() -> None:
    script = ScriptRecord.from_text(
        title="t", kind=ScriptKind.INLINE, content="abc", session_id="s", now=T0
    )
    assert script.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    with pytest.raises(RecordInvalid, match="timezone-aware"):
        ScriptRecord.from_text(
            title="t",
            kind=ScriptKind.INLINE,
            content="abc",
            session_id="s",
            now=T0.replace(tzinfo=None),
        )


def test_a_storage_record_needs_an_absolute_directory() -> None:
    with pytest.raises(RecordInvalid, match="absolute"):
        MediaStorage.for_type(StorageType.VIDEOS, Path("relative/videos"))
