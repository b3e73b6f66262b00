"""Values come back from SQLite and PostgreSQL exactly as they went in."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from reelflow.db.models import GeneratedVideo, MediaAsset, VideoGenerationJob
from reelflow.db.session import Database
from reelflow.db.states import AssetType, JobStatus, SourceType, VideoStatus
from reelflow.errors import RecordInvalid
from tests.integration.conftest import T0, Seeded

SETTINGS = {
    "target_resolution": "1920x1080",
    "target_duration": 61.25,
    "quality_preset": "veryfast",
    "include_audio": True,
    "voices": ["piper:joe", "gtts:en"],
    "music": None,
    "title": "Überschrift — 見出し",
    "nested": {"fps": 24, "scenes": [{"n": 1}, {"n": 2}]},
}


def test_json_settings_round_trip_unchanged(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        uow.jobs.get(seeded.job_id).composition_settings = SETTINGS
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.jobs.get(seeded.job_id).composition_settings == SETTINGS


def test_python_none_in_a_json_column_is_sql_null(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        null = uow.session.scalar(
            select(VideoGenerationJob.resource_usage.is_(None)).where(
                VideoGenerationJob.id == seeded.job_id
            )
        )
    assert null is True


def test_timestamps_come_back_timezone_aware_in_utc(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        started = uow.jobs.get(seeded.job_id).started_at
    assert started == T0
    assert started.tzinfo is UTC


def test_a_timestamp_in_another_zone_is_stored_as_the_same_instant(
    database: Database, seeded: Seeded
) -> None:
    berlin = datetime(2025, 9, 25, 14, 30, 0, 123456, tzinfo=timezone(timedelta(hours=2)))
    with database.unit_of_work() as uow:
        uow.jobs.get(seeded.job_id).fail("boom", berlin)
        uow.commit()
    with database.unit_of_work() as uow:
        completed = uow.jobs.get(seeded.job_id).completed_at
    assert completed == berlin
    assert completed is not None and completed.tzinfo is UTC and completed.hour == 12


def test_a_naive_timestamp_is_refused_with_a_clear_error(
    database: Database, seeded: Seeded
) -> None:
    with database.unit_of_work() as uow:
        uow.jobs.get(seeded.job_id).completed_at = datetime(2025, 9, 25, 13, 0)
        with pytest.raises(RecordInvalid, match=r"naive datetime .* pass an aware datetime"):
            uow.commit()


@pytest.mark.parametrize("duration", [12.345, 0.001, 3599.999999])
def test_durations_keep_sub_second_precision(
    database: Database, seeded: Seeded, duration: float
) -> None:
    with database.unit_of_work() as uow:
        uow.videos.get(seeded.video_id).duration = duration
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.videos.get(seeded.video_id).duration == duration


def test_enum_columns_come_back_as_enum_members(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
        asset = uow.session.get(MediaAsset, seeded.asset_id)
        video = uow.session.get(GeneratedVideo, seeded.video_id)
    assert job.status is JobStatus.MEDIA_GENERATION
    assert asset is not None and asset.asset_type is AssetType.IMAGE
    assert asset.source_type is SourceType.GENERATED
    assert video is not None and video.generation_status is VideoStatus.PENDING


def test_an_unknown_status_is_refused_before_it_reaches_the_database(
    database: Database, seeded: Seeded
) -> None:
    with database.unit_of_work() as uow:
        uow.jobs.get(seeded.job_id).status = "PAUSED"  # type: ignore[assignment]
        with pytest.raises(RecordInvalid, match="'PAUSED' is not a JobStatus"):
            uow.commit()


def test_ids_round_trip_as_uuids(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
    assert isinstance(job.id, uuid.UUID) and job.id == seeded.job_id
    assert isinstance(job.script_id, uuid.UUID) and job.script_id == seeded.script_id


def test_large_file_sizes_fit(database: Database, seeded: Seeded) -> None:
    five_terabytes = 5 * 1024**4
    with database.unit_of_work() as uow:
        uow.videos.get(seeded.video_id).file_size = five_terabytes
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.videos.get(seeded.video_id).file_size == five_terabytes
