"""Exact storage accounting on SQLite and PostgreSQL: counters move with the rows, rescans fix
drift without counting a running job's files twice, and concurrent jobs lose nothing."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from reelflow.db.session import Database
from reelflow.db.states import AssetType, JobStatus, StorageType
from reelflow.engine.speech import SpeechChain
from reelflow.engine.speech.fake import FakeEngine
from reelflow.storage.accounting import check_job_files, counted_publisher, measure, reconcile
from reelflow.storage.layout import MediaLayout
from tests.integration.seeding import complete_video, new_job, open_video, record, write


@pytest.fixture
def media(database: Database, tmp_path: Path) -> MediaLayout:
    layout = MediaLayout(tmp_path / "media")
    with database.unit_of_work() as uow:
        uow.storage.ensure_defaults(layout.root)
        uow.commit()
    return layout


def counters(database: Database) -> dict[StorageType, tuple[int, int]]:
    with database.unit_of_work(read_only=True) as uow:
        return {r.storage_type: (r.total_size_bytes or 0, r.file_count or 0)
                for r in uow.storage.all()}


def on_disk(media: MediaLayout) -> dict[StorageType, tuple[int, int]]:
    return {kind: measure(media.folder(kind)) for kind in StorageType}


def narrate(database: Database, media: MediaLayout, job_id: uuid.UUID, index: int,
            text: str) -> None:
    """What narrate-scene does, without Prefect: the speech chain with the counted cache."""
    chain = SpeechChain([FakeEngine("fake", seconds_per_char=0.01)],
                        cache_dir=media.speech_cache(), publish=counted_publisher(database, media))
    target = media.narration(job_id, index)
    target.parent.mkdir(parents=True, exist_ok=True)
    chain.narrate(text, target)
    record(database, media, job_id, target, AssetType.AUDIO)


def test_recording_a_file_counts_its_size_once_and_a_rewrite_only_the_difference(
        database: Database, media: MediaLayout) -> None:
    job = new_job(database, JobStatus.MEDIA_GENERATION)
    slide = write(media.slide(job, 0), 1000)
    record(database, media, job, slide)
    assert counters(database)[StorageType.IMAGES] == (1000, 1)
    write(slide, 1500)
    record(database, media, job, slide)
    assert counters(database)[StorageType.IMAGES] == (1500, 1)
    other = new_job(database, JobStatus.MEDIA_GENERATION)
    record(database, media, other, slide)  # a second job using the same file
    assert counters(database)[StorageType.IMAGES] == (1500, 1) == on_disk(media)[
        StorageType.IMAGES]


def test_a_cache_entry_that_several_jobs_publish_at_once_counts_once(
        database: Database, media: MediaLayout) -> None:
    jobs = [new_job(database, JobStatus.MEDIA_GENERATION) for _ in range(6)]
    start = threading.Barrier(len(jobs))

    def job_narrates(job: uuid.UUID) -> None:
        start.wait(10)
        narrate(database, media, job, 0, "The same words for everyone.")

    with ThreadPoolExecutor(len(jobs)) as pool:
        for done in [pool.submit(job_narrates, job) for job in jobs]:
            done.result(60)
    assert len(list(media.speech_cache().iterdir())) == 2  # one .wav and one .json
    assert counters(database) == on_disk(media)


def test_a_rescan_fixes_drift_says_what_it_fixed_and_then_finds_none(
        database: Database, media: MediaLayout) -> None:
    job = new_job(database, JobStatus.COMPLETED)
    kept = record(database, media, job, write(media.slide(job, 0), 300))
    assert kept
    gone = write(media.slide(job, 1), 200)
    record(database, media, job, gone)
    gone.unlink()  # by hand
    write(media.folder(StorageType.STOCK) / "music.mp3", 5000)  # by hand
    drift = reconcile(database, media)
    assert {(d.storage_type, d.counted_files, d.actual_files) for d in drift} == {
        (StorageType.IMAGES, 2, 1), (StorageType.STOCK, 0, 1)}
    assert counters(database) == on_disk(media)
    assert reconcile(database, media) == []


def test_a_rescan_while_a_job_runs_leaves_its_unrecorded_files_to_the_job(
        database: Database, media: MediaLayout) -> None:
    job = new_job(database, JobStatus.VIDEO_COMPOSITION)
    slide = write(media.slide(job, 0), 400)
    video_path = media.video(job, "T")
    video_id = open_video(database, media, job, video_path)
    write(video_path, 9000)  # rendered, not yet verified
    write(media.scratch(job) / "narration.wav", 700)
    write(video_path.with_name(f".parts-{video_path.stem}") / "scene-0000.mp4", 80)
    assert reconcile(database, media) == []
    record(database, media, job, slide)
    complete_video(database, media, video_id)
    assert reconcile(database, media) == []
    assert counters(database)[StorageType.IMAGES] == (400, 1)
    assert counters(database)[StorageType.VIDEOS] == (9000, 1)


def test_a_file_changed_after_it_was_counted_is_recounted_by_the_jobs_check(
        database: Database, media: MediaLayout) -> None:
    job = new_job(database, JobStatus.VIDEO_COMPOSITION)
    slide = write(media.slide(job, 0), 400)
    record(database, media, job, slide)
    write(slide, 450)
    with database.unit_of_work() as uow:
        fixed = check_job_files(uow, media, job)
        uow.commit()
    assert len(fixed) == 1 and "counted 400 bytes, has 450" in fixed[0]
    assert counters(database)[StorageType.IMAGES] == (450, 1)
    with database.unit_of_work() as uow:
        assert check_job_files(uow, media, job) == []


def test_eight_jobs_at_once_leave_the_counters_exact_and_a_rescan_meanwhile_finds_no_drift(
        database: Database, media: MediaLayout) -> None:
    jobs = [new_job(database, JobStatus.MEDIA_GENERATION) for _ in range(8)]
    start = threading.Barrier(len(jobs) + 1)
    finished = threading.Event()
    drifts: list[object] = []

    def run_job(number: int, job: uuid.UUID) -> None:
        start.wait(20)
        for index in range(3):
            # Shared words: jobs race to publish the same cache entries.
            narrate(database, media, job, index, f"Scene {index} of {number % 3}.")
            record(database, media, job, write(media.slide(job, index), 2000 + number))
        with database.unit_of_work() as uow:
            uow.jobs.get_for_update(job).move_to(JobStatus.VIDEO_COMPOSITION,
                                                 uow.jobs.get(job).started_at)
            uow.commit()
        video_path = media.video(job, f"job {number}")
        video_id = open_video(database, media, job, video_path)
        write(media.scratch(job) / "narration.wav", 300)
        write(video_path, 10_000 + number)
        (media.scratch(job) / "narration.wav").unlink()
        complete_video(database, media, video_id)
        with database.unit_of_work() as uow:
            assert check_job_files(uow, media, job) == []

    def rescan_meanwhile() -> None:
        start.wait(20)
        while not finished.is_set():
            drifts.extend(reconcile(database, media))

    with ThreadPoolExecutor(len(jobs) + 1) as pool:
        rescans = pool.submit(rescan_meanwhile)
        work = [pool.submit(run_job, n, job) for n, job in enumerate(jobs)]
        try:
            for done in work:
                done.result(120)
        finally:
            finished.set()
        rescans.result(60)
    assert drifts == []
    assert counters(database) == on_disk(media)
    assert counters(database)[StorageType.VIDEOS][1] == 8
    assert reconcile(database, media) == []
