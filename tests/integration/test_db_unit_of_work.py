"""The unit of work: nothing is kept unless committed, refusals become RecordInvalid."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import exc
from sqlalchemy.orm.exc import DetachedInstanceError

from reelflow.db.session import Database, UnitOfWork
from reelflow.db.states import JobStatus, StorageType
from reelflow.errors import RecordInvalid, ReelflowError
from tests.integration.conftest import Seeded


def progress_of(database: Database, seeded: Seeded) -> int:
    with database.unit_of_work(read_only=True) as uow:
        return uow.jobs.get(seeded.job_id).progress


def test_work_not_committed_is_rolled_back(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        uow.jobs.get(seeded.job_id).set_progress(30)
        uow.flush()
    assert progress_of(database, seeded) == 0


def test_work_is_rolled_back_when_the_block_raises(database: Database, seeded: Seeded) -> None:
    with pytest.raises(KeyError), database.unit_of_work() as uow:
        uow.jobs.get(seeded.job_id).set_progress(30)
        uow.storage.add_usage(StorageType.VIDEOS, 5, 1)
        raise KeyError("boom")
    assert progress_of(database, seeded) == 0
    with database.unit_of_work(read_only=True) as uow:
        assert uow.storage.get(StorageType.VIDEOS).total_size_bytes == 0


def test_committed_work_is_kept_and_later_work_is_not(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        uow.jobs.get(seeded.job_id).set_progress(30)
        uow.commit()
        uow.jobs.get(seeded.job_id).set_progress(60)
    assert progress_of(database, seeded) == 30


def test_objects_only_read_stay_usable_after_the_block(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
    assert job.status is JobStatus.MEDIA_GENERATION and job.session_id == "s1"


def test_objects_of_uncommitted_writes_are_expired(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work() as uow:
        job = uow.jobs.get(seeded.job_id)
        job.set_progress(30)
    with pytest.raises(DetachedInstanceError):
        _ = job.progress_percentage


def test_a_refused_commit_raises_record_invalid_with_the_database_error_chained(
    database: Database, seeded: Seeded
) -> None:
    with database.unit_of_work() as uow:
        uow.jobs.get(seeded.job_id).progress_percentage = 101  # bypassing set_progress
        with pytest.raises(RecordInvalid, match="ck_video_generation_jobs_progress_range") as e:
            uow.commit()
        assert isinstance(e.value.__cause__, exc.IntegrityError)
        assert uow.jobs.get(seeded.job_id).progress == 0  # usable again after the refusal


def test_a_read_only_unit_of_work_refuses_to_write(database: Database, seeded: Seeded) -> None:
    with database.unit_of_work(read_only=True) as uow:
        uow.jobs.get(seeded.job_id).set_progress(10)
        with pytest.raises(ReelflowError, match="read-only"):
            uow.commit()
    with (
        database.unit_of_work(read_only=True) as uow,
        pytest.raises(ReelflowError, match="read-only"),
    ):
        uow.storage.add_usage(StorageType.VIDEOS, 1, 1)
    assert progress_of(database, seeded) == 0


def test_a_reader_does_not_wait_for_a_writer(database: Database, seeded: Seeded) -> None:
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        with database.unit_of_work() as uow:
            uow.jobs.get(seeded.job_id).set_progress(70)
            uow.flush()
            writing.set()
            done.wait(10)
            uow.commit()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        started = time.monotonic()
        assert progress_of(database, seeded) == 0  # the writer has not committed yet
        assert time.monotonic() - started < 2
    finally:
        done.set()
        thread.join(10)
    assert progress_of(database, seeded) == 70


def test_the_session_is_only_available_inside_the_block(database: Database) -> None:
    uow = database.unit_of_work()
    with pytest.raises(ReelflowError, match="not open"):
        _ = uow.session
    with uow:
        assert isinstance(uow, UnitOfWork) and uow.session is not None
    with pytest.raises(ReelflowError, match="not open"):
        _ = uow.session
