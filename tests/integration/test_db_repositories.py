"""The repositories on a real database: lookups, idempotent upserts, atomic storage accounting."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from reelflow.db.models import ScriptRecord, VideoGenerationJob
from reelflow.db.session import Database
from reelflow.db.states import AssetType, ScriptKind, SourceType, StorageType
from reelflow.errors import NotFound, RecordInvalid
from tests.integration.conftest import IMAGE_METADATA, T0, Seeded

AUDIO_METADATA = {"sample_rate": 22050, "channels": 1, "codec": "pcm_s16le"}


def add_script(database: Database, content: str, session_id: str, minutes: int = 0) -> uuid.UUID:
    with database.unit_of_work() as uow:
        script = ScriptRecord.from_text(
            title="t",
            kind=ScriptKind.UPLOADED,
            content=content,
            session_id=session_id,
            now=T0 + timedelta(minutes=minutes),
            source_name="talk.md",
        )
        uow.scripts.add(script)
        uow.commit()
        return script.id


def add_job(database: Database, script_id: uuid.UUID, session_id: str, minutes: int) -> uuid.UUID:
    with database.unit_of_work() as uow:
        job = VideoGenerationJob.start(
            script_id=script_id, session_id=session_id, now=T0 + timedelta(minutes=minutes)
        )
        uow.jobs.add(job)
        uow.commit()
        return job.id


# scripts


def test_a_missing_script_is_not_found(database: Database) -> None:
    with database.unit_of_work() as uow, pytest.raises(NotFound):
        uow.scripts.get(uuid.uuid4())


def test_a_script_is_found_by_its_text_within_its_session_only(database: Database) -> None:
    add_script(database, "same text", "alice", minutes=0)
    newest = add_script(database, "same text", "alice", minutes=5)
    add_script(database, "same text", "bob", minutes=9)
    with database.unit_of_work() as uow:
        sha = uow.scripts.get(newest).sha256
        found = uow.scripts.find_by_sha256(sha, "alice")
        assert found is not None and found.id == newest
        assert uow.scripts.find_by_sha256(sha, "carol") is None
        assert uow.scripts.find_by_sha256("0" * 64, "alice") is None


# jobs


def test_jobs_are_listed_newest_first_and_filtered_by_session(database: Database) -> None:
    script = add_script(database, "x", "alice")
    first = add_job(database, script, "alice", 1)
    second = add_job(database, script, "alice", 2)
    bobs = add_job(database, script, "bob", 3)
    with database.unit_of_work() as uow:
        assert [job.id for job in uow.jobs.list()] == [bobs, second, first]
        assert [job.id for job in uow.jobs.list(session_id="alice")] == [second, first]
        assert [job.id for job in uow.jobs.list(limit=1)] == [bobs]


def test_finding_a_missing_job_gives_none(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        assert uow.jobs.find(uuid.uuid4()) is None
        found = uow.jobs.find(seeded.job_id)
        assert found is not None and found.id == seeded.job_id


def test_a_missing_job_is_not_found(database: Database) -> None:
    with database.unit_of_work() as uow:
        with pytest.raises(NotFound):
            uow.jobs.get(uuid.uuid4())
        with pytest.raises(NotFound):
            uow.jobs.get_for_update(uuid.uuid4())


def test_a_job_locked_for_update_blocks_a_second_locker_until_commit(
    database: Database, seeded: Seeded
) -> None:
    order: list[str] = []
    locked = threading.Event()

    def second_worker() -> None:
        locked.wait(10)
        with database.unit_of_work() as uow:
            uow.jobs.get_for_update(seeded.job_id).set_progress(60)
            order.append("second")
            uow.commit()

    worker = threading.Thread(target=second_worker)
    worker.start()
    with database.unit_of_work() as uow:
        uow.jobs.get_for_update(seeded.job_id).set_progress(50)
        locked.set()
        worker.join(0.5)  # the second worker must still be waiting for the lock
        order.append("first")
        uow.commit()
    worker.join(10)
    assert order == ["first", "second"]
    with database.unit_of_work() as uow:
        assert uow.jobs.get(seeded.job_id).progress == 60


# assets


def test_upserting_the_same_file_twice_keeps_one_row_updated_in_place(
    database: Database, seeded: Seeded
) -> None:
    narration = seeded.media_root / "audio" / "scene-1.wav"
    narration.parent.mkdir(parents=True, exist_ok=True)
    narration.write_bytes(b"RIFF")
    fields: dict[str, Any] = {
        "asset_type": AssetType.AUDIO,
        "url_path": "/media/audio/scene-1.wav",
        "source_type": SourceType.GENERATED,
        "asset_metadata": AUDIO_METADATA,
    }
    with database.unit_of_work() as uow:
        first = uow.assets.upsert(seeded.job_id, str(narration), duration=3.25, **fields)
        uow.commit()
    with database.unit_of_work() as uow:
        again = uow.assets.upsert(
            seeded.job_id,
            str(narration),
            duration=3.5,
            creation_timestamp=T0 + timedelta(hours=1),
            **fields,
        )
        uow.commit()
    with database.unit_of_work() as uow:
        audio = [a for a in uow.assets.for_job(seeded.job_id) if a.asset_type is AssetType.AUDIO]
    assert [a.id for a in audio] == [first.id] and again.id == first.id
    assert audio[0].duration == 3.5
    assert audio[0].creation_timestamp == first.creation_timestamp


def test_upserting_returns_the_current_row_within_the_same_unit_of_work(
    database: Database, seeded: Seeded
) -> None:
    slide = str(seeded.media_root / "images" / "slide-1.png")
    with database.unit_of_work() as uow:
        before = uow.session.get(type(uow.assets.for_job(seeded.job_id)[0]), seeded.asset_id)
        metadata = {**IMAGE_METADATA, "format": "webp"}
        after = uow.assets.upsert(
            seeded.job_id,
            slide,
            asset_type=AssetType.IMAGE,
            url_path="/media/images/s.webp",
            source_type=SourceType.GENERATED,
            asset_metadata=metadata,
        )
        assert after is before
        assert after.asset_metadata == metadata and after.url_path == "/media/images/s.webp"


def test_the_same_file_may_be_an_asset_of_two_jobs(database: Database, seeded: Seeded) -> None:
    slide = str(seeded.media_root / "images" / "slide-1.png")
    other_job = add_job(database, seeded.script_id, "s1", 1)
    with database.unit_of_work() as uow:
        asset = uow.assets.upsert(
            other_job,
            slide,
            asset_type=AssetType.IMAGE,
            url_path="/media/images/slide-1.png",
            source_type=SourceType.STOCK,
            asset_metadata=IMAGE_METADATA,
        )
        uow.commit()
    assert asset.id != seeded.asset_id


def test_an_asset_whose_file_is_missing_is_refused(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow, pytest.raises(RecordInvalid, match="must exist"):
        uow.assets.upsert(
            seeded.job_id,
            "/nowhere/slide.png",
            asset_type=AssetType.IMAGE,
            url_path="/x",
            source_type=SourceType.GENERATED,
            asset_metadata=IMAGE_METADATA,
        )


def test_an_audio_asset_without_duration_is_refused(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow, pytest.raises(RecordInvalid, match="duration"):
        uow.assets.upsert(
            seeded.job_id,
            "/a.wav",
            asset_type=AssetType.AUDIO,
            url_path="/x",
            source_type=SourceType.GENERATED,
            asset_metadata=AUDIO_METADATA,
            file_exists=True,
        )


# videos


def test_a_jobs_video_is_found_by_the_job(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        video = uow.videos.get_for_job(seeded.job_id)
        assert video is not None and video.id == seeded.video_id
        assert [asset.id for asset in video.assets] == [seeded.asset_id]
        assert uow.videos.get_for_job(uuid.uuid4()) is None
        with pytest.raises(NotFound):
            uow.videos.get(uuid.uuid4())


# storage


def test_ensure_defaults_creates_one_record_and_directory_per_storage_type(
    database: Database, tmp_path: Path
) -> None:
    root = tmp_path / "fresh-root"
    with database.unit_of_work() as uow:
        records = uow.storage.ensure_defaults(root)
        uow.commit()
    assert [r.storage_type for r in records] == list(StorageType)
    for record in records:
        directory = Path(record.directory_path)
        assert directory.is_absolute() and directory.is_dir()
        assert directory == root / record.storage_type.value.lower()
        assert (record.total_size_bytes, record.file_count) == (0, 0)
        assert record.cleanup_policy is not None and record.access_permissions is not None


def test_ensure_defaults_is_idempotent(database: Database, tmp_path: Path) -> None:
    with database.unit_of_work() as uow:
        first = [r.id for r in uow.storage.ensure_defaults(tmp_path / "root")]
        uow.commit()
    with database.unit_of_work() as uow:
        uow.storage.add_usage(StorageType.VIDEOS, 10, 1)
        second = uow.storage.ensure_defaults(tmp_path / "elsewhere")
        uow.commit()
    assert [r.id for r in second] == first
    assert second[0].directory_path == str(tmp_path / "root" / "videos")
    assert second[0].total_size_bytes == 10


def test_ensure_defaults_resolves_a_relative_root(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with database.unit_of_work() as uow:
        records = uow.storage.ensure_defaults(Path("media"))
        uow.commit()
    assert records[0].directory_path == str(tmp_path.resolve() / "media" / "videos")


def test_all_storage_records_are_listed_in_storage_type_order(
    database: Database, seeded: Seeded
) -> None:
    with database.unit_of_work() as uow:
        assert [r.storage_type for r in uow.storage.all()] == list(StorageType)


def test_storage_usage_is_added_and_subtracted(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        assert uow.storage.add_usage(StorageType.AUDIO, 1000, 2) == (1000, 2)
        assert uow.storage.add_usage(StorageType.AUDIO, -400, -1) == (600, 1)
        record = uow.storage.get(StorageType.AUDIO)
        assert (record.total_size_bytes, record.file_count) == (600, 1)
        uow.commit()


def test_storage_usage_never_drops_below_zero(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        uow.storage.add_usage(StorageType.TEMP, 100, 1)
        assert uow.storage.add_usage(StorageType.TEMP, -500, -3) == (0, 0)


def test_storage_usage_of_a_missing_record_is_not_found(database: Database) -> None:
    with database.unit_of_work() as uow:
        with pytest.raises(NotFound):
            uow.storage.add_usage(StorageType.VIDEOS, 1, 1)
        with pytest.raises(NotFound):
            uow.storage.get(StorageType.VIDEOS)


def test_concurrent_usage_updates_are_never_lost(database: Database, seeded: Seeded) -> None:
    threads, rounds = 6, 25
    start = threading.Barrier(threads)

    def account() -> None:
        start.wait(10)
        for _ in range(rounds):
            with database.unit_of_work() as uow:
                uow.storage.add_usage(StorageType.VIDEOS, 7, 1)
                uow.commit()

    with ThreadPoolExecutor(threads) as pool:
        for done in [pool.submit(account) for _ in range(threads)]:
            done.result(60)
    with database.unit_of_work() as uow:
        record = uow.storage.get(StorageType.VIDEOS)
    assert (record.total_size_bytes, record.file_count) == (7 * threads * rounds, threads * rounds)


def test_measured_usage_overwrites_the_counters(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        uow.storage.add_usage(StorageType.IMAGES, 50, 5)
        record = uow.storage.set_usage(StorageType.IMAGES, 20, 2, cleaned_at=T0)
        uow.commit()
    assert (record.total_size_bytes, record.file_count, record.last_cleanup) == (20, 2, T0)
    with database.unit_of_work() as uow:
        assert uow.storage.get(StorageType.IMAGES).last_cleanup == T0


def test_negative_measured_usage_is_refused(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow, pytest.raises(RecordInvalid, match="file_count"):
        uow.storage.set_usage(StorageType.IMAGES, 0, -1)
