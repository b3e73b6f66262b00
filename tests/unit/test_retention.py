"""The retention planner with plain values: no disk, no database, no clock."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from reelflow.db.states import StorageType
from reelflow.storage.records import AssetRecord, DiskFile, JobRecord, VideoRecord
from reelflow.storage.retention import DAY, MB, Plan, Policy, Reason, plan_cleanup

NOW = 1_800_000_000.0
HOUR = 3600.0
ROOT = "/media"
V, IMG, A, T, S = (StorageType.VIDEOS, StorageType.IMAGES, StorageType.AUDIO,
                   StorageType.TEMP, StorageType.STOCK)
POLICIES = {
    V: Policy(30, None, True), IMG: Policy(7, None, True), A: Policy(7, None, True),
    T: Policy(1, 2048, True), S: Policy(None, None, True),
}
DONE, RUNNING, FAILED = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
JOBS = [JobRecord(DONE, finished=True, ended_at=NOW - 2 * DAY),
        JobRecord(RUNNING, finished=False),
        JobRecord(FAILED, finished=True, failed=True, ended_at=NOW - 2 * DAY)]


def disk(kind: StorageType, relative: str, *, age_days: float = 0.0, size: int = 100,
         job_dir: uuid.UUID | None = None, **flags: object) -> DiskFile:
    return DiskFile(f"{ROOT}/{kind.value.lower()}/{relative}", kind, size, NOW - age_days * DAY,
                    job_dir, **flags)  # type: ignore[arg-type]


def asset(file: DiskFile, job: uuid.UUID) -> AssetRecord:
    return AssetRecord(uuid.uuid4(), job, file.path, file.storage_type, file.size)


def video(file: DiskFile, job: uuid.UUID | None, completed: bool = True) -> VideoRecord:
    return VideoRecord(uuid.uuid4(), job, file.path, file.storage_type, completed, file.size)


def plan(files: Sequence[DiskFile], assets: Sequence[AssetRecord] = (),
         videos: Sequence[VideoRecord] = (), jobs: Sequence[JobRecord] = JOBS,
         policies: dict[StorageType, Policy] | None = None) -> Plan:
    return plan_cleanup(now=NOW, policies=policies or POLICIES, files=files, assets=assets,
                        videos=videos, jobs=jobs, grace_seconds=HOUR)


def reasons(result: Plan) -> dict[str, Reason]:
    return {item.path: item.reason for item in result.deletions}


def test_a_recorded_file_older_than_its_types_max_age_is_expired_with_its_row() -> None:
    old = disk(IMG, f"{DONE}/scene-001.png", age_days=8, job_dir=DONE)
    young = disk(IMG, f"{DONE}/scene-002.png", age_days=6, job_dir=DONE)
    rows = [asset(old, DONE), asset(young, DONE)]
    result = plan([old, young], rows)
    assert reasons(result) == {old.path: Reason.EXPIRED}
    assert result.deletions[0].asset_ids == (rows[0].id,)
    assert not result.jobs


def test_nothing_of_a_job_that_has_not_ended_is_planned_however_old_or_odd() -> None:
    files = [
        disk(A, f"{RUNNING}/scene-001.wav", age_days=90, job_dir=RUNNING),
        disk(A, f"{RUNNING}/.partial-0123456789ab-scene-002.wav", age_days=90,
             job_dir=RUNNING, partial=True),
        disk(T, f"{RUNNING}/narration.wav", age_days=90, job_dir=RUNNING),
        disk(V, "talk-0123456789ab.mp4", age_days=90),
        disk(V, ".parts-talk-0123456789ab/scene-0000.mp4", age_days=90, partial=True,
             partial_of="talk-0123456789ab"),
    ]
    rows = [asset(files[0], RUNNING)]
    videos = [video(files[3], RUNNING, completed=False)]
    result = plan(files, rows, videos)
    assert result.is_empty
    assert result.kept_for_unfinished_jobs == len(files)


def test_completed_videos_are_kept_while_the_policy_preserves_them() -> None:
    clip = disk(V, "talk.mp4", age_days=400)
    assert plan([clip], videos=[video(clip, DONE)]).is_empty


def test_an_expired_video_takes_its_job_and_every_file_of_the_job_with_it() -> None:
    clip = disk(V, "talk.mp4", age_days=40)
    slide = disk(IMG, f"{DONE}/scene-001.png", age_days=1, job_dir=DONE)
    voice = disk(A, f"{DONE}/scene-001.wav", age_days=1, job_dir=DONE)
    policies = {**POLICIES, V: Policy(30, None, False)}
    result = plan([clip, slide, voice], [asset(slide, DONE), asset(voice, DONE)],
                  [video(clip, DONE)], policies=policies)
    assert reasons(result) == {clip.path: Reason.EXPIRED, slide.path: Reason.WITH_JOB,
                               voice.path: Reason.WITH_JOB}
    assert dict(result.jobs) == {DONE: Reason.EXPIRED}


def _video_with_files(age_days: float) -> tuple[DiskFile, list[DiskFile]]:
    clip = disk(V, "talk-0123456789ab.mp4", age_days=age_days)
    return clip, [disk(V, name, age_days=age_days) for name in (
        "talk-0123456789ab.mp4.jpg", "talk-0123456789ab.srt", "talk-0123456789ab.vtt")]


def test_a_kept_videos_poster_and_caption_files_are_kept_however_old() -> None:
    clip, files = _video_with_files(400)
    webm = disk(V, "talk-0123456789ab.webm", age_days=400)
    result = plan([clip, webm, *files], [asset(file, DONE) for file in files],
                  [video(clip, DONE), video(webm, DONE)])
    assert result.is_empty


def test_an_expiring_videos_poster_and_caption_files_go_with_its_job() -> None:
    clip, files = _video_with_files(40)
    policies = {**POLICIES, V: Policy(30, None, False)}
    result = plan([clip, *files], [asset(file, DONE) for file in files], [video(clip, DONE)],
                  policies=policies)
    assert reasons(result) == {clip.path: Reason.EXPIRED,
                               **{file.path: Reason.WITH_JOB for file in files}}
    assert all(len(item.asset_ids) == 1 for item in result.deletions if item.path != clip.path)
    assert dict(result.jobs) == {DONE: Reason.EXPIRED}


def test_a_videos_files_never_go_for_space_without_it_but_go_with_it() -> None:
    clip, files = _video_with_files(2)
    rows = [asset(file, DONE) for file in files]
    kept = {**POLICIES, V: Policy(None, 0.000001, True)}
    assert plan([clip, *files], rows, [video(clip, DONE)], policies=kept).is_empty
    result = plan([clip, *files], rows, [video(clip, DONE)],
                  policies={**POLICIES, V: Policy(None, 0.000001, False)})
    assert reasons(result) == {clip.path: Reason.OVER_SIZE_CAP,
                               **{file.path: Reason.WITH_JOB for file in files}}


def test_the_files_of_a_failed_job_without_a_video_expire_like_any_recorded_file() -> None:
    poster = disk(V, "broken-0123456789ab.mp4.jpg", age_days=40)
    result = plan([poster], [asset(poster, FAILED)])
    assert reasons(result) == {poster.path: Reason.EXPIRED}


def test_a_type_over_its_size_cap_loses_its_oldest_files_first_until_it_fits() -> None:
    policies = {**POLICIES, A: Policy(None, 1, True)}
    big = MB // 2
    oldest = disk(A, "cache/a.wav", age_days=3, size=big, cache=True)
    middle = disk(A, "cache/b.wav", age_days=2, size=big, cache=True)
    newest = disk(A, "cache/c.wav", age_days=1, size=big, cache=True)
    running = disk(A, f"{RUNNING}/scene-001.wav", age_days=9, size=big, job_dir=RUNNING)
    result = plan([newest, running, oldest, middle], policies=policies)
    # 2 MB on disk, 1 MB allowed, the running job's file may not go: the two oldest others go.
    assert reasons(result) == {oldest.path: Reason.OVER_SIZE_CAP,
                               middle.path: Reason.OVER_SIZE_CAP}


def test_a_file_no_row_records_is_an_orphan_once_older_than_the_grace_period() -> None:
    stray = disk(IMG, "stray.png", age_days=1)
    fresh = disk(IMG, "fresh.png", age_days=0.01)
    assert reasons(plan([stray, fresh])) == {stray.path: Reason.ORPHAN_FILE}


def test_without_any_job_in_the_database_no_file_is_taken_for_an_orphan() -> None:
    stray = disk(IMG, f"{uuid.uuid4()}/scene-001.png", age_days=5)
    result = plan([stray], jobs=[])
    assert result.is_empty
    assert "REELFLOW_DATABASE_URL" in result.notes[0]


def test_a_row_whose_file_is_gone_is_removed_and_a_lost_video_takes_its_job() -> None:
    gone_slide = AssetRecord(uuid.uuid4(), DONE, f"{ROOT}/images/{DONE}/x.png", IMG, 10)
    gone_video = VideoRecord(uuid.uuid4(), FAILED, f"{ROOT}/videos/lost.mp4", V, True, 10)
    outside = AssetRecord(uuid.uuid4(), DONE, "/elsewhere/picture.png", None, 10)
    running = AssetRecord(uuid.uuid4(), RUNNING, f"{ROOT}/audio/{RUNNING}/y.wav", A, 10)
    result = plan([], [gone_slide, outside, running], [gone_video])
    assert [(d.reason, d.present, d.asset_ids) for d in result.deletions] == [
        (Reason.ORPHAN_ROW, False, (gone_slide.id,))]
    assert dict(result.jobs) == {FAILED: Reason.ORPHAN_ROW}


def test_partial_files_go_once_stale_unless_their_job_is_still_writing() -> None:
    fresh = disk(V, ".partial-0123456789ab-new.mp4", age_days=0.01, partial=True,
                 partial_of="new")
    stale = disk(V, ".partial-ba9876543210-old.mp4", age_days=0.2, partial=True,
                 partial_of="old")
    parts = disk(V, ".parts-old/scene-0001.mp4", age_days=0.2, partial=True, partial_of="old")
    writing = disk(V, ".parts-busy/scene-0001.mp4", age_days=0.2, partial=True,
                   partial_of="busy")
    busy = VideoRecord(uuid.uuid4(), RUNNING, f"{ROOT}/videos/busy.mp4", V, False)
    result = plan([fresh, stale, parts, writing], videos=[busy])
    assert reasons(result) == {stale.path: Reason.STALE_PARTIAL,
                               parts.path: Reason.STALE_PARTIAL}


def test_scratch_files_of_an_ended_or_unknown_job_are_stale_and_old_temp_files_expire() -> None:
    ended = disk(T, f"{DONE}/narration.wav", age_days=0.1, job_dir=DONE)
    unknown_job = uuid.uuid4()
    unknown = disk(T, f"{unknown_job}/captions.srt", age_days=0.1, job_dir=unknown_job)
    running = disk(T, f"{RUNNING}/narration.wav", age_days=0.1, job_dir=RUNNING)
    loose_old = disk(T, "notes.txt", age_days=2)
    loose_new = disk(T, "notes-new.txt", age_days=0.1)
    result = plan([ended, unknown, running, loose_old, loose_new])
    assert reasons(result) == {ended.path: Reason.STALE_TEMP, unknown.path: Reason.STALE_TEMP,
                               loose_old.path: Reason.EXPIRED}


def test_a_failed_job_older_than_the_video_retention_goes_with_its_files() -> None:
    old_failure = uuid.uuid4()
    jobs = [*JOBS, JobRecord(old_failure, finished=True, failed=True, ended_at=NOW - 31 * DAY)]
    slide = disk(IMG, f"{old_failure}/scene-001.png", age_days=1, job_dir=old_failure)
    result = plan([slide], [asset(slide, old_failure)], jobs=jobs)
    assert reasons(result) == {slide.path: Reason.WITH_JOB}
    assert dict(result.jobs) == {old_failure: Reason.EXPIRED}


def test_a_job_removal_leaves_stock_files_and_files_another_job_shares() -> None:
    clip = disk(V, "talk.mp4", age_days=40)
    stock = disk(S, "music.mp3", age_days=40)
    shared = disk(IMG, "logo.png", age_days=1)
    policies = {**POLICIES, V: Policy(30, None, False)}
    rows = [asset(stock, DONE), asset(shared, DONE), asset(shared, FAILED)]
    result = plan([clip, stock, shared], rows, [video(clip, DONE)], policies=policies)
    assert reasons(result) == {clip.path: Reason.EXPIRED}


def test_planning_again_after_the_plan_is_carried_out_plans_nothing() -> None:
    policies = {**POLICIES, A: Policy(7, 1, True)}
    half = MB // 2
    files = [
        disk(IMG, f"{DONE}/old.png", age_days=8, job_dir=DONE),
        disk(A, f"{DONE}/a.wav", age_days=3, size=half, job_dir=DONE),
        disk(A, f"{DONE}/b.wav", age_days=2, size=half, job_dir=DONE),
        disk(A, f"{DONE}/c.wav", age_days=1, size=half, job_dir=DONE),
        disk(IMG, "stray.png", age_days=1),
        disk(V, ".partial-0123456789ab-x.mp4", age_days=1, partial=True, partial_of="x"),
    ]
    rows = [asset(f, DONE) for f in files[:4]]
    rows.append(AssetRecord(uuid.uuid4(), DONE, f"{ROOT}/images/{DONE}/gone.png", IMG, 5))
    first = plan(files, rows, policies=policies)
    assert len(first.deletions) == 5  # old.png, a.wav (1.5 MB > 1 MB), stray, partial, row
    removed_paths = {d.path for d in first.deletions if d.present}
    removed_rows = {row for d in first.deletions for row in d.asset_ids}
    second = plan([f for f in files if f.path not in removed_paths],
                  [r for r in rows if r.id not in removed_rows], policies=policies)
    assert second.is_empty


def test_the_summary_counts_files_bytes_and_rows_per_type_and_reason() -> None:
    old = [disk(IMG, f"{DONE}/{n}.png", age_days=8, size=10 * n, job_dir=DONE) for n in (1, 2)]
    gone = AssetRecord(uuid.uuid4(), DONE, f"{ROOT}/images/{DONE}/gone.png", IMG, 5)
    result = plan(old, [*(asset(f, DONE) for f in old), gone])
    assert result.summary() == [
        {"storage_type": "IMAGES", "reason": "expired", "files": 2, "bytes": 30, "rows": 2},
        {"storage_type": "IMAGES", "reason": "orphan_row", "files": 0, "bytes": 0, "rows": 1},
    ]


def test_the_same_inputs_give_the_same_plan() -> None:
    files = [disk(IMG, f"{DONE}/{n}.png", age_days=8 + n, job_dir=DONE) for n in range(5)]
    rows = [asset(f, DONE) for f in files]
    assert plan(files, rows) == plan(list(reversed(files)), list(reversed(rows)))



def test_removing_a_video_takes_its_job_and_files_but_not_a_shared_file() -> None:
    from reelflow.storage.retention import plan_removal

    movie = disk(V, "movie.mp4")
    slide = disk(IMG, f"{DONE}/scene-001.png", job_dir=DONE)
    shared = disk(IMG, "uploads/photo.png")
    stock = disk(S, "tune.wav")
    other_movie = disk(V, "other.mp4")
    removed = video(movie, DONE)
    rows = [asset(slide, DONE), asset(shared, DONE), asset(shared, FAILED), asset(stock, DONE)]
    result = plan_removal([removed.id], files=[movie, slide, shared, stock, other_movie],
                          assets=rows, videos=[removed, video(other_movie, FAILED)], jobs=JOBS)
    assert reasons(result) == {movie.path: Reason.WITH_JOB, slide.path: Reason.WITH_JOB}
    assert dict(result.jobs) == {DONE: Reason.REQUESTED}


def test_removing_a_running_jobs_video_plans_nothing_and_a_jobless_video_goes_alone() -> None:
    from reelflow.storage.retention import plan_removal

    running, alone = disk(V, "running.mp4"), disk(V, "alone.mp4")
    busy, orphan = video(running, RUNNING, completed=False), video(alone, None)
    result = plan_removal([busy.id, orphan.id, uuid.uuid4()], files=[running, alone],
                          assets=[], videos=[busy, orphan], jobs=JOBS)
    assert reasons(result) == {alone.path: Reason.REQUESTED}
    assert result.deletions[0].video_id == orphan.id and not result.jobs
    assert result.kept_for_unfinished_jobs == 1


def test_a_library_file_a_video_uses_is_kept_past_every_limit_until_no_video_uses_it() -> None:
    ingest = uuid.uuid4()
    jobs = [*JOBS, JobRecord(ingest, finished=True, ended_at=NOW - 400 * DAY)]
    item = disk(S, f"{uuid.uuid4()}.png", age_days=400, size=5 * int(MB))
    upload = disk(IMG, f"uploads/{uuid.uuid4()}.png", age_days=400)
    strict = {**POLICIES, S: Policy(1, 1, True), IMG: Policy(1, 1, True)}
    used = [AssetRecord(uuid.uuid4(), ingest, item.path, S, item.size, in_use=True),
            AssetRecord(uuid.uuid4(), ingest, upload.path, IMG, upload.size, in_use=True)]
    assert plan([item, upload], used, jobs=jobs, policies=strict).is_empty
    unused = [AssetRecord(row.id, row.job_id, row.path, row.storage_type, row.recorded_size)
              for row in used]
    assert reasons(plan([item, upload], unused, jobs=jobs, policies=strict)) == {
        item.path: Reason.EXPIRED, upload.path: Reason.EXPIRED}


def test_a_job_that_goes_leaves_the_library_file_its_video_used() -> None:
    ingest = uuid.uuid4()
    jobs = [*JOBS, JobRecord(ingest, finished=True, ended_at=NOW - 40 * DAY)]
    movie = disk(V, "talk-0123456789ab.mp4", age_days=40)
    upload = disk(IMG, f"uploads/{uuid.uuid4()}.png", age_days=3)
    rows = [AssetRecord(uuid.uuid4(), ingest, upload.path, IMG, upload.size, in_use=True),
            # the same file also recorded by the job that used it: still not the job's to take
            AssetRecord(uuid.uuid4(), DONE, upload.path, IMG, upload.size, in_use=True)]
    result = plan([movie, upload], rows, [video(movie, DONE)], jobs=jobs,
                  policies={**POLICIES, V: Policy(30, None, False)})
    assert reasons(result) == {movie.path: Reason.EXPIRED}
    assert DONE in result.jobs


def test_files_named_after_a_running_jobs_video_are_kept_even_before_rows_record_them() -> None:
    # A worker writes a poster, caption files and partials before it records them; a cleanup
    # on another worker (even with no grace period) must take them for that job's.
    clip = disk(V, "talk-0123456789ab.mp4", age_days=2)
    unrecorded = [disk(V, name, age_days=2) for name in (
        "talk-0123456789ab.mp4.jpg", "talk-0123456789ab.srt", "talk-0123456789ab.vtt")]
    poster_partial = disk(V, ".partial-00ff00ff00ff-talk-0123456789ab.mp4.jpg", age_days=2,
                          partial=True, partial_of="talk-0123456789ab.mp4")
    stray = disk(V, "other-0123456789ab.srt", age_days=2)
    files = [clip, *unrecorded, poster_partial, stray]
    result = plan_cleanup(now=NOW, policies=POLICIES, files=files, assets=(),
                          videos=[video(clip, RUNNING, completed=False)], jobs=JOBS,
                          grace_seconds=0)
    assert reasons(result) == {stray.path: Reason.ORPHAN_FILE}
    assert result.kept_for_unfinished_jobs == 5
