"""How long retention takes over a media root of 100,000 files.

Builds a media root in a temporary folder and its database (SQLite by default, or the URL
given), with rows the way jobs write them: finished jobs with a slide and a narration per scene
and a video each, some running jobs, a speech cache, orphan files, orphan rows, stale and fresh
partial files, scratch left by crashed jobs, and file ages spread over 60 days. Then times each
phase of a cleanup, and the rescan that closes it:

    .venv/bin/python bench/cleanup_100k.py [--files 100000] [--database-url URL] [--flow]

--flow also times the whole cleanup-media flow (dry run, then a real run) under Prefect's local
ephemeral server (or PREFECT_API_URL), on a second, identical tree with a SQLite database.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert  # noqa: E402

from reelflow.db.models import GeneratedVideo, MediaAsset, ScriptRecord, VideoGenerationJob  # noqa: E402
from reelflow.db.session import Database  # noqa: E402
from reelflow.db.states import AssetType, JobStatus, SourceType, StorageType, VideoStatus  # noqa: E402
from reelflow.storage.accounting import reconcile  # noqa: E402
from reelflow.storage.cleanup import execute  # noqa: E402
from reelflow.storage.inventory import scan, snapshot  # noqa: E402
from reelflow.storage.layout import MediaLayout  # noqa: E402
from reelflow.storage.retention import plan_cleanup  # noqa: E402

DAY = 86_400
SCENES = 20  # per job: 20 slides + 20 narrations + 1 video = 41 files
FILE_BYTES = 512


def build(media: MediaLayout, database: Database, files: int, seed: int = 7) -> dict[str, int]:
    """Writes about ``files`` files and their rows; returns how many of each kind."""
    rng = random.Random(seed)
    now = time.time()
    payload = os.urandom(FILE_BYTES)
    jobs = int(files * 0.85) // (2 * SCENES + 1)
    made = {"files": 0}
    scripts, job_rows, asset_rows, video_rows = [], [], [], []

    def put(path: Path, age_days: float) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
        stamp = now - age_days * DAY
        os.utime(path, (stamp, stamp))
        made["files"] += 1

    script_id = uuid.uuid4()
    stamp = datetime.now(UTC) - timedelta(days=61)
    scripts.append({"id": script_id, "title": "bench", "kind": "INLINE", "sha256": "0" * 64,
                    "content": "# bench", "session_id": "bench", "created_at": stamp})
    for number in range(jobs):
        job_id = uuid.uuid4()
        running = number % 100 == 0  # 1 % of the jobs are still running
        age_days = rng.uniform(0, 60)
        ended = datetime.now(UTC) - timedelta(days=age_days)
        job_rows.append({
            "id": job_id, "session_id": "bench", "script_id": script_id,
            "status": JobStatus.MEDIA_GENERATION if running else JobStatus.COMPLETED,
            "progress_percentage": 50 if running else 100,
            "started_at": ended - timedelta(minutes=1),
            "completed_at": None if running else ended,
            "resource_usage": None if running else {
                "generation_time_seconds": 1, "peak_memory_mb": 1, "disk_space_used_mb": 1,
                "cpu_time_seconds": 1}})
        for scene in range(SCENES):
            for path, kind, meta in (
                    (media.slide(job_id, scene), AssetType.IMAGE,
                     {"dimensions": [1280, 720], "format": "png", "generation_method": "b"}),
                    (media.narration(job_id, scene), AssetType.AUDIO,
                     {"sample_rate": 22050, "channels": 1, "codec": "pcm_s16le"})):
                put(path, age_days)
                asset_rows.append({
                    "id": uuid.uuid4(), "asset_type": kind, "file_path": str(path),
                    "url_path": media.url_path(path), "source_type": SourceType.GENERATED,
                    "creation_timestamp": ended, "generation_job_id": job_id,
                    "duration": 2.0 if kind == AssetType.AUDIO else None,
                    "asset_metadata": {**meta, "file_size": FILE_BYTES}})
        video = media.video(job_id, f"bench {number}")
        put(video, age_days)
        video_rows.append({
            "id": uuid.uuid4(), "file_path": str(video), "url_path": media.url_path(video),
            "title": "bench", "duration": 30.0, "resolution": "1280x720",
            "file_size": None if running else FILE_BYTES, "format": "mp4",
            "creation_timestamp": ended - timedelta(minutes=1),
            "completion_timestamp": None if running else ended,
            "generation_status": VideoStatus.GENERATING if running else VideoStatus.COMPLETED,
            "script_id": script_id, "session_id": "bench", "generation_job_id": job_id})
    rest = files - made["files"]
    for n in range(rest):
        share = n / max(rest, 1)
        if share < 0.6:
            put(media.speech_cache() / f"{uuid.uuid4().hex}.wav", rng.uniform(0, 30))
        elif share < 0.8:
            put(media.folder(StorageType.IMAGES) / str(uuid.uuid4()) / "stray.png",
                rng.uniform(0, 10))
        elif share < 0.9:
            put(media.folder(StorageType.VIDEOS) / f".partial-{uuid.uuid4().hex[:12]}-x.mp4",
                rng.uniform(0, 1))
        else:
            put(media.folder(StorageType.TEMP) / str(uuid.uuid4()) / "narration.wav",
                rng.uniform(0, 3))
    for n in range(files // 100):  # rows whose file is gone
        job = job_rows[(n * 7) % len(job_rows)]
        asset_rows.append({**asset_rows[0], "id": uuid.uuid4(), "generation_job_id": job["id"],
                           "file_path": str(media.folder(StorageType.IMAGES) / "gone" /
                                            f"{n}.png")})
    with database.unit_of_work() as uow:
        for model, rows in ((ScriptRecord, scripts), (VideoGenerationJob, job_rows),
                            (MediaAsset, asset_rows), (GeneratedVideo, video_rows)):
            for start in range(0, len(rows), 5000):
                uow.session.execute(insert(model), rows[start:start + 5000])
        uow.commit()
    return {"files": made["files"], "jobs": jobs, "asset_rows": len(asset_rows),
            "video_rows": len(video_rows)}


def timed(results: dict[str, float], name: str, work: Any) -> Any:
    started = time.perf_counter()
    value = work()
    results[name] = round(time.perf_counter() - started, 3)
    return value


def bench_storage(workdir: Path, url: str | None, files: int) -> dict[str, Any]:
    media = MediaLayout(workdir / "media")
    database = Database.open(url or f"sqlite:///{workdir / 'bench.db'}", media_root=media.root)
    seconds: dict[str, float] = {}
    made = timed(seconds, "build", lambda: build(media, database, files))
    timed(seconds, "first_rescan", lambda: reconcile(database, media))
    records = timed(seconds, "read_rows", lambda: snapshot(database, media))
    found = timed(seconds, "scan_disk", lambda: scan(media))
    # A quiet day: the same 100,000 files and rows when (nearly) nothing is due yet.
    timed(seconds, "plan_quiet_day", lambda: plan_cleanup(
        now=time.time() - 70 * DAY, policies=records.policies, files=found,
        assets=records.assets, videos=records.videos, jobs=records.jobs))
    plan = timed(seconds, "plan", lambda: plan_cleanup(
        now=time.time(), policies=records.policies, files=found, assets=records.assets,
        videos=records.videos, jobs=records.jobs))
    outcome = timed(seconds, "execute", lambda: execute(plan, database, media))
    drift = timed(seconds, "closing_rescan", lambda: reconcile(database, media))
    seconds["plan_total"] = round(seconds["read_rows"] + seconds["scan_disk"]
                                  + seconds["plan"], 3)
    seconds["cleanup_total"] = round(seconds["plan_total"] + seconds["execute"]
                                     + seconds["closing_rescan"], 3)
    second = plan_cleanup(now=time.time(), policies=snapshot(database, media).policies,
                          files=scan(media), assets=snapshot(database, media).assets,
                          videos=snapshot(database, media).videos,
                          jobs=snapshot(database, media).jobs)
    database.dispose()
    return {"database": "postgresql" if url and url.startswith("postg") else "sqlite",
            "built": made, "seconds": seconds,
            "planned": {"files": sum(r["files"] for r in plan.summary()),
                        "rows": sum(r["rows"] for r in plan.summary()),
                        "by_type_and_reason": plan.summary()},
            "deleted_files": sum(r["files"] for r in outcome.summary()),
            "skipped": len(outcome.skipped), "drift_after": [d.as_dict() for d in drift],
            "second_plan_empty": second.is_empty}


def bench_flow(workdir: Path, files: int) -> dict[str, Any]:
    os.environ["REELFLOW_HOME"] = str(workdir)
    os.environ.pop("REELFLOW_DATABASE_URL", None)
    os.environ.pop("REELFLOW_MEDIA_ROOT", None)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_HOME", str(workdir / "prefect"))
    from reelflow.flows.cleanup_media import cleanup_media
    from reelflow.settings import Settings

    settings = Settings.from_env()
    database = Database.open(settings.database_url, media_root=settings.media_root)
    build(MediaLayout(settings.media_root), database, files)
    reconcile(database, MediaLayout(settings.media_root))
    database.dispose()
    seconds: dict[str, float] = {}
    timed(seconds, "flow_warm_up_dry_run", lambda: cleanup_media(dry_run=True))
    dry = timed(seconds, "flow_dry_run", lambda: cleanup_media(dry_run=True))
    done = timed(seconds, "flow_run", cleanup_media)
    return {"seconds": seconds, "dry_run_files": dry["files"], "deleted_files": done["files"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--database-url", help="default: a SQLite file in the temp folder")
    parser.add_argument("--flow", action="store_true",
                        help="also time the cleanup-media flow under Prefect")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="reelflow-bench-") as folder:
        result = bench_storage(Path(folder) / "storage", args.database_url, args.files)
        if args.flow:
            result["flow"] = bench_flow(Path(folder) / "flow", args.files)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
