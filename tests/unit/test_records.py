"""Who owns a file, and what the counters must say, with plain values."""

from __future__ import annotations

import uuid
from dataclasses import replace

from reelflow.db.states import StorageType
from reelflow.storage.records import (
    AssetRecord,
    DiskFile,
    JobRecord,
    Owners,
    VideoRecord,
    usage_of_settled_files,
)

A, IMG, V = StorageType.AUDIO, StorageType.IMAGES, StorageType.VIDEOS
DONE, RUNNING = uuid.uuid4(), uuid.uuid4()


def disk(kind: StorageType, relative: str, *, size: int = 100,
         job_dir: uuid.UUID | None = None, **flags: object) -> DiskFile:
    return DiskFile(f"/media/{kind.value.lower()}/{relative}", kind, size, 0.0, job_dir,
                    **flags)  # type: ignore[arg-type]


def asset(file: DiskFile, job: uuid.UUID) -> AssetRecord:
    return AssetRecord(uuid.uuid4(), job, file.path, file.storage_type, file.size)


def video(file: DiskFile, job: uuid.UUID | None, completed: bool = True) -> VideoRecord:
    return VideoRecord(uuid.uuid4(), job, file.path, file.storage_type, completed, file.size)


def test_a_file_belongs_to_the_jobs_that_record_it_its_job_folder_and_its_videos_job() -> None:
    shared = disk(IMG, "logo.png")
    in_folder = disk(A, f"{DONE}/scene-001.wav", job_dir=DONE)
    clip = disk(V, "talk-0123456789ab.mp4")
    parts = disk(V, ".parts-talk-0123456789ab/scene-0000.mp4", partial=True,
                 partial_of="talk-0123456789ab")
    partial = disk(V, ".partial-abcdefabcdef-talk-0123456789ab.mp4", partial=True,
                   partial_of="talk-0123456789ab")
    owners = Owners([asset(shared, DONE), asset(shared, RUNNING)], [video(clip, RUNNING)],
                    {DONE: JobRecord(DONE, finished=True),
                     RUNNING: JobRecord(RUNNING, finished=False)})
    assert owners.of(shared) == {DONE, RUNNING}
    assert owners.of(in_folder) == {DONE}
    assert owners.of(clip) == owners.of(parts) == owners.of(partial) == {RUNNING}
    assert owners.of(disk(IMG, "stray.png")) == set()
    assert owners.any_unfinished({DONE, RUNNING}) and not owners.any_unfinished({DONE})
    assert owners.is_finished(DONE) and not owners.is_finished(uuid.uuid4())


def test_counters_take_a_running_jobs_files_from_its_rows_and_the_rest_from_the_disk() -> None:
    done = disk(A, f"{DONE}/a.wav", size=1000, job_dir=DONE)
    recorded = disk(A, f"{RUNNING}/b.wav", size=700, job_dir=RUNNING)
    rewriting = disk(A, f"{RUNNING}/.partial-0123456789ab-c.wav", size=50, job_dir=RUNNING,
                     partial=True)
    unrecorded = disk(IMG, f"{RUNNING}/d.png", size=30, job_dir=RUNNING)
    rendered = disk(V, "talk.mp4", size=5000)
    row = replace(asset(recorded, RUNNING), recorded_size=650)  # counted before a rewrite
    usage = usage_of_settled_files(
        [done, recorded, rewriting, unrecorded, rendered], [row],
        [video(rendered, RUNNING, completed=False)], {RUNNING})
    assert usage[A] == (1650, 2)
    assert usage[IMG] == (0, 0)
    assert usage[V] == (0, 0)
