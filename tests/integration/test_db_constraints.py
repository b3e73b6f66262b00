"""What the database itself refuses, whoever writes to it, and what it deletes along the way."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from sqlalchemy import delete, exc, func, select

from reelflow.db.models import (
    GeneratedVideo,
    MediaAsset,
    ScriptRecord,
    VideoGenerationJob,
    video_assets,
)
from reelflow.db.session import Database
from reelflow.db.states import AssetType, SourceType
from reelflow.errors import RecordInvalid
from tests.integration.conftest import IMAGE_METADATA, T0, Seeded

BAD_ROWS = [
    ("UPDATE video_generation_jobs SET status = 'PAUSED'", "ck_video_generation_jobs_status"),
    (
        "UPDATE video_generation_jobs SET progress_percentage = 101",
        "ck_video_generation_jobs_progress_range",
    ),
    (
        "UPDATE video_generation_jobs SET progress_percentage = -1",
        "ck_video_generation_jobs_progress_range",
    ),
    (
        "UPDATE video_generation_jobs SET status = 'FAILED'",
        "ck_video_generation_jobs_failed_has_error",
    ),
    (
        "UPDATE video_generation_jobs SET status = 'COMPLETED'",
        "ck_video_generation_jobs_completed_has_usage",
    ),
    (
        "UPDATE video_generation_jobs SET completed_at = '2000-01-01 00:00:00'",
        "ck_video_generation_jobs_completed_after_started",
    ),
    (
        "UPDATE generated_videos SET generation_status = 'DONE'",
        "ck_generated_videos_generation_status",
    ),
    ("UPDATE generated_videos SET file_size = -1", "ck_generated_videos_file_size_non_negative"),
    (
        "UPDATE generated_videos SET generation_status = 'COMPLETED', file_size = 0",
        "ck_generated_videos_completed_has_file_size",
    ),
    (
        "UPDATE generated_videos SET generation_status = 'COMPLETED'",
        "ck_generated_videos_completed_has_file_size",
    ),
    ("UPDATE generated_videos SET duration = 0", "ck_generated_videos_duration_positive"),
    ("UPDATE generated_videos SET format = 'avi'", "ck_generated_videos_format"),
    (
        "UPDATE generated_videos SET completion_timestamp = '2000-01-01 00:00:00'",
        "ck_generated_videos_completed_after_created",
    ),
    ("UPDATE media_assets SET asset_type = 'GIF'", "ck_media_assets_asset_type"),
    ("UPDATE media_assets SET source_type = 'STOLEN'", "ck_media_assets_source_type"),
    ("UPDATE media_assets SET duration = -0.5", "ck_media_assets_duration_positive"),
    ("UPDATE media_assets SET asset_type = 'AUDIO'", "ck_media_assets_timed_has_duration"),
    ("UPDATE media_storage SET storage_type = 'CACHE'", "ck_media_storage_storage_type"),
    ("UPDATE media_storage SET total_size_bytes = -1", "ck_media_storage_total_size_non_negative"),
    ("UPDATE media_storage SET file_count = -1", "ck_media_storage_file_count_non_negative"),
    ("UPDATE scripts SET kind = 'EMAILED'", "ck_scripts_kind"),
]


@pytest.mark.parametrize(("sql", "constraint"), BAD_ROWS, ids=[c for _, c in BAD_ROWS])
def test_the_database_refuses_a_row_that_breaks_a_check_constraint(
    database: Database, seeded: Seeded, sql: str, constraint: str
) -> None:
    with pytest.raises(exc.IntegrityError) as refused, database.engine.begin() as connection:
        connection.exec_driver_sql(sql)
    assert constraint in str(refused.value)


def test_the_database_accepts_rows_within_the_constraints(
    database: Database, seeded: Seeded
) -> None:
    with database.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE video_generation_jobs SET progress_percentage = 100")
        connection.exec_driver_sql(
            "UPDATE video_generation_jobs SET status = 'FAILED', error_message = 'boom', "
            "completed_at = started_at"
        )
        connection.exec_driver_sql("UPDATE media_assets SET duration = 0.001")
    with database.engine.connect() as connection:
        job = connection.exec_driver_sql(
            "SELECT progress_percentage, status, error_message FROM video_generation_jobs"
        ).one()
        durations = connection.exec_driver_sql("SELECT duration FROM media_assets").scalars()
        assert tuple(job) == (100, "FAILED", "boom")
        assert set(durations) == {0.001}


def test_a_job_cannot_point_at_a_missing_script(database: Database) -> None:
    with database.unit_of_work() as uow:
        uow.jobs.add(VideoGenerationJob.start(script_id=uuid.uuid4(), session_id="s", now=T0))
        with pytest.raises(RecordInvalid, match="refused") as refused:
            uow.commit()
    assert isinstance(refused.value.__cause__, exc.IntegrityError)


def test_an_asset_cannot_point_at_a_missing_job(database: Database, seeded: Seeded) -> None:
    slide = seeded.media_root / "images" / "slide-1.png"
    with database.unit_of_work() as uow, pytest.raises(RecordInvalid):
        uow.assets.upsert(
            uuid.uuid4(),
            str(slide),
            asset_type=AssetType.IMAGE,
            url_path="/x",
            source_type=SourceType.GENERATED,
            asset_metadata=IMAGE_METADATA,
        )


def _another_video(job: VideoGenerationJob, video_format: str) -> GeneratedVideo:
    return GeneratedVideo.plan(
        job=job,
        file_path=f"/m/v2.{video_format}",
        url_path=f"/media/videos/v2.{video_format}",
        title="again",
        duration=1.0,
        resolution="640x360",
        format=video_format,
        now=T0,
    )


def test_a_job_has_at_most_one_video_of_each_format(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        uow.videos.add(_another_video(uow.jobs.get(seeded.job_id), "mp4"))
        with pytest.raises(RecordInvalid, match="refused"):
            uow.commit()


def test_a_job_keeps_an_mp4_and_a_webm_side_by_side(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        webm = _another_video(uow.jobs.get(seeded.job_id), "webm")
        uow.videos.add(webm)
        uow.commit()
    with database.unit_of_work() as uow:
        assert [video.format for video in uow.videos.for_job(seeded.job_id)] == ["mp4", "webm"]
        found = uow.videos.get_for_job(seeded.job_id, "webm")
        assert found is not None and found.id == webm.id
        assert uow.videos.get_for_job(seeded.job_id).id == seeded.video_id  # type: ignore[union-attr]


def test_deleting_a_job_deletes_its_assets_in_the_database(
    database: Database, seeded: Seeded
) -> None:
    with database.engine.begin() as connection:
        connection.execute(delete(VideoGenerationJob).where(VideoGenerationJob.id == seeded.job_id))
    with database.unit_of_work() as uow:
        assert uow.assets.for_job(seeded.job_id) == []
        assert uow.session.get(MediaAsset, seeded.asset_id) is None


def test_deleting_a_job_through_the_session_deletes_its_assets(
    database: Database, seeded: Seeded
) -> None:
    with database.unit_of_work() as uow:
        uow.session.delete(uow.jobs.get(seeded.job_id))
        uow.commit()
    with database.unit_of_work() as uow:
        assert uow.session.get(MediaAsset, seeded.asset_id) is None


def test_deleting_a_job_keeps_its_video_but_forgets_the_job(
    database: Database, seeded: Seeded
) -> None:
    with database.engine.begin() as connection:
        connection.execute(delete(VideoGenerationJob).where(VideoGenerationJob.id == seeded.job_id))
    with database.unit_of_work() as uow:
        video = uow.videos.get(seeded.video_id)
        assert video.generation_job_id is None


def test_deleting_a_script_deletes_its_jobs_videos_assets_and_their_links(
    database: Database, seeded: Seeded
) -> None:
    with database.engine.begin() as connection:
        connection.execute(delete(ScriptRecord).where(ScriptRecord.id == seeded.script_id))
    with database.engine.connect() as connection:
        counts = [
            connection.scalar(select(func.count()).select_from(table))
            for table in (
                VideoGenerationJob.__table__,
                MediaAsset.__table__,
                GeneratedVideo.__table__,
                video_assets,
            )
        ]
    assert counts == [0, 0, 0, 0]


def test_deleting_a_video_unlinks_its_assets_without_deleting_them(
    database: Database, seeded: Seeded
) -> None:
    with database.engine.begin() as connection:
        connection.execute(delete(GeneratedVideo).where(GeneratedVideo.id == seeded.video_id))
    with database.engine.connect() as connection:
        links = connection.scalar(select(func.count()).select_from(video_assets))
        assets = connection.scalar(select(func.count()).select_from(MediaAsset.__table__))
    assert (links, assets) == (0, 1)


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    database = Database.open(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'reelflow.db'}")
    try:
        with database.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30_000
    finally:
        database.dispose()
