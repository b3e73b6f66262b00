"""The cleanup-media flow on a seeded media root, on SQLite and PostgreSQL, under a real Prefect
test server: a dry run changes nothing, a run deletes exactly what it should, the counters then
equal the disk, and a second run does nothing."""

from __future__ import annotations

import hashlib
import os
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from reelflow.db.media_index import MediaIndexRepository
from reelflow.db.models import GeneratedVideo, MediaAsset, ScriptRecord, VideoGenerationJob
from reelflow.db.session import Database
from reelflow.db.states import AssetType, JobStatus, StorageType
from reelflow.errors import StorageError
from reelflow.flows.cleanup_media import cleanup_media
from reelflow.services.runtime import database as opened
from reelflow.settings import Settings
from reelflow.storage.accounting import measure
from reelflow.storage.cleanup import execute
from reelflow.storage.identity import marker_path, read_marker
from reelflow.storage.inventory import scan, snapshot
from reelflow.storage.layout import MediaLayout
from reelflow.storage.retention import plan_cleanup
from tests.integration.seeding import (
    age,
    complete_video,
    new_job,
    open_video,
    record,
    write,
)

pytestmark = pytest.mark.usefixtures("prefect_server")
MB = 2**20


@pytest.fixture
def settings(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("REELFLOW_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("REELFLOW_DATABASE_URL", db_url)
    return Settings.from_env()


@pytest.fixture
def media(settings: Settings, database: Database) -> MediaLayout:
    layout = MediaLayout(settings.media_root)
    with database.unit_of_work() as uow:
        uow.storage.ensure_defaults(layout.root)
        uow.storage.update_settings(StorageType.AUDIO, cleanup_policy={"max_size_mb": 1})
        uow.commit()
    opened(settings)  # as every command does first: records the media root's identity
    assert read_marker(layout.root) is not None
    return layout


@dataclass(frozen=True)
class Seeded:
    keep: set[Path]
    delete: set[Path]
    orphan_row: uuid.UUID


@pytest.fixture
def seeded(database: Database, media: MediaLayout) -> Seeded:
    """One file of each kind the issue names, plus a preserved completed video."""
    running = new_job(database, JobStatus.MEDIA_GENERATION)
    done = new_job(database, JobStatus.COMPLETED, ended_days_ago=40)
    by_running = write(media.narration(running, 0), 400_000, age_days=30)
    record(database, media, running, by_running, AssetType.AUDIO)
    within = write(media.slide(done, 0), 3000)
    expired = write(media.slide(done, 1), 2000)
    over_cap = write(media.narration(done, 0), MB // 2)
    newer = write(media.narration(done, 1), MB // 2)
    for path, kind in ((within, AssetType.IMAGE), (expired, AssetType.IMAGE),
                       (over_cap, AssetType.AUDIO), (newer, AssetType.AUDIO)):
        record(database, media, done, path, kind)
    gone = write(media.slide(done, 2), 100)
    orphan_row = record(database, media, done, gone)
    gone.unlink()
    video_path = media.video(done, "Done")
    video_id = open_video(database, media, done, video_path)
    write(video_path, 50_000)
    complete_video(database, media, video_id)
    for path, days in ((within, 2), (expired, 10), (over_cap, 3), (newer, 1), (video_path, 40)):
        age(path, days)
    orphan_file = write(media.folder(StorageType.IMAGES) / str(uuid.uuid4()) / "stray.png",
                        700, age_days=2)
    videos = media.folder(StorageType.VIDEOS)
    fresh_partial = write(videos / ".partial-0123456789ab-new.mp4", 900)
    stale_partial = write(videos / ".partial-ba9876543210-old.mp4", 800, age_days=0.2)
    return Seeded(keep={by_running, within, newer, video_path, fresh_partial},
                  delete={expired, over_cap, orphan_file, stale_partial},
                  orphan_row=orphan_row)


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for folder, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        digest.update(f"D {os.path.relpath(folder, root)}\n".encode())
        for name in sorted(files):
            path = Path(folder, name)
            info = path.lstat()
            digest.update(f"F {name} {info.st_size} {info.st_mtime_ns}\n".encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def files_under(root: Path) -> set[Path]:
    return {Path(folder, name) for folder, _, names in os.walk(root) for name in names}


def counters(database: Database) -> dict[StorageType, tuple[int, int]]:
    with database.unit_of_work(read_only=True) as uow:
        return {r.storage_type: (r.total_size_bytes or 0, r.file_count or 0)
                for r in uow.storage.all()}


def row_counts(database: Database) -> dict[str, int]:
    with database.unit_of_work(read_only=True) as uow:
        return {model.__name__: int(uow.session.scalar(
            select(func.count()).select_from(model)) or 0)
            for model in (ScriptRecord, VideoGenerationJob, MediaAsset, GeneratedVideo)}


def test_a_dry_run_then_a_run_then_a_second_run(
        database: Database, media: MediaLayout, seeded: Seeded) -> None:
    before, rows_before = tree_hash(media.root), row_counts(database)
    planned: dict[str, Any] = cleanup_media(dry_run=True)
    assert tree_hash(media.root) == before
    assert row_counts(database) == rows_before
    assert planned["dry_run"] is True
    assert {Path(item["path"]) for item in planned["items"] if item["file"]} == seeded.delete
    assert {(row["storage_type"], row["reason"], row["files"]) for row in
            planned["by_type_and_reason"]} == {
        ("VIDEOS", "stale_partial", 1), ("IMAGES", "expired", 1),
        ("IMAGES", "orphan_file", 1), ("IMAGES", "orphan_row", 0),
        ("AUDIO", "over_size_cap", 1)}
    assert planned["kept_for_unfinished_jobs"] == 1

    done = cleanup_media()
    assert done["dry_run"] is False and done["skipped"] == []
    assert done["files"] == 4 and done["rows"] == 3  # expired, over-cap and orphan rows
    left = files_under(media.root) - {marker_path(media.root)}
    assert seeded.keep <= left and not (seeded.delete & left)
    assert left == seeded.keep
    with database.unit_of_work(read_only=True) as uow:
        assert seeded.orphan_row not in {a.id for a in uow.media.assets()}
        assert all(r.last_cleanup is not None for r in uow.storage.all())
    assert counters(database) == {kind: measure(media.folder(kind)) for kind in StorageType}

    after, rows_after, counted = tree_hash(media.root), row_counts(database), counters(database)
    again = cleanup_media()
    assert (again["files"], again["rows"], again["jobs"], again["storage_fixes"]) == (
        0, 0, [], [])
    assert tree_hash(media.root) == after
    assert (row_counts(database), counters(database)) == (rows_after, counted)


def test_a_video_past_its_retention_takes_its_job_assets_and_files_when_not_preserved(
        database: Database, media: MediaLayout) -> None:
    job = new_job(database, JobStatus.COMPLETED, ended_days_ago=40)
    slide = write(media.slide(job, 0), 100)
    record(database, media, job, slide)
    video_path = media.video(job, "Old")
    video_id = open_video(database, media, job, video_path)
    write(video_path, 1000)
    complete_video(database, media, video_id)
    age(video_path, 40)
    with database.unit_of_work() as uow:
        uow.storage.update_settings(StorageType.VIDEOS,
                                    cleanup_policy={"preserve_completed_videos": False})
        uow.commit()
    report = cleanup_media()
    assert report["jobs"] == [str(job)]
    assert not slide.exists() and not video_path.exists()
    assert not media.slide(job, 0).parent.exists()  # the emptied job folder went too
    with database.unit_of_work(read_only=True) as uow:
        assert uow.jobs.find(job) is None
        assert uow.media.assets() == [] and uow.media.videos() == []
        assert uow.session.scalar(select(func.count()).select_from(ScriptRecord)) == 1
    assert counters(database) == {kind: measure(media.folder(kind)) for kind in StorageType}


def test_a_failure_between_deleting_files_and_their_rows_is_repaired_by_the_next_run(
        database: Database, media: MediaLayout, monkeypatch: pytest.MonkeyPatch) -> None:
    job = new_job(database, JobStatus.COMPLETED, ended_days_ago=10)
    expired = [write(media.slide(job, n), 100 + n) for n in range(3)]
    for path in expired:
        record(database, media, job, path)
        age(path, 10)
    records = snapshot(database, media)
    plan = plan_cleanup(now=time.time(), policies=records.policies,
                        files=scan(media), assets=records.assets, videos=records.videos,
                        jobs=records.jobs)

    def crash(self: MediaIndexRepository, ids: object) -> int:
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(MediaIndexRepository, "delete_assets", crash)
        with pytest.raises(RuntimeError):
            execute(plan, database, media)
    assert not any(path.exists() for path in expired)
    with database.unit_of_work(read_only=True) as uow:
        assert len(uow.media.assets()) == 3  # rows outlived their files
    report = cleanup_media()
    assert {(r["reason"], r["rows"]) for r in report["by_type_and_reason"]} == {
        ("orphan_row", 3)}
    assert [fix["storage_type"] for fix in report["storage_fixes"]] == ["IMAGES"]
    with database.unit_of_work(read_only=True) as uow:
        assert uow.media.assets() == []
    assert counters(database) == {kind: measure(media.folder(kind)) for kind in StorageType}
    assert cleanup_media()["rows"] == 0


def test_the_run_publishes_its_report_as_a_table_artifact(
        database: Database, media: MediaLayout, seeded: Seeded) -> None:
    from prefect.artifacts import Artifact

    cleanup_media(dry_run=True)
    artifact = Artifact.get("cleanup-media-report")
    assert artifact is not None and artifact.type == "table"
    assert "would delete (dry run): 4 files" in (artifact.description or "")
    assert "over_size_cap" in str(artifact.data)


@pytest.mark.parametrize("db_url", ["postgresql+psycopg2://nobody@127.0.0.1:9/none"])
def test_without_a_readable_database_nothing_is_deleted(
        settings: Settings, tmp_path: Path) -> None:
    stale = write(settings.media_root / "videos" / ".partial-0123456789ab-x.mp4", 10,
                  age_days=3)
    expired = write(settings.media_root / "audio" / "cache" / "old.wav", 10, age_days=300)
    with pytest.raises(StorageError, match="refusing to delete anything"):
        cleanup_media()
    assert stale.exists() and expired.exists()
