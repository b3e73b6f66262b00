"""Many workers: one Prefect server on PostgreSQL, process workers started by ``reelflow worker``
in working directories of their own, one app database (the same PostgreSQL database, Prefect's
tables in their own schema, as ``reelflow up --database`` lays it out) and one media root.

What must hold: a batch submitted at once over the API spreads over the workers and completes,
each job's id is its flow run's id, outputs are distinct, the counters equal the disk, and a
cleanup run in the middle (with no grace period) deletes nothing of the running jobs. A worker
killed outright (its whole process tree, as when its machine dies) mid-job: the reconciler
fails that job, the render slot it held comes back, the other worker completes the rest, and a
resubmission completes.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import subprocess
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from reelflow.db.session import Database
from reelflow.db.states import JobStatus
from reelflow.deployments.prefect_database import create_prefect_schema, prefect_env
from tests import pg, prefect_server
from tests.e2e.conftest import REELFLOW, run
from tests.prefect_server import call, clean_env, wait_for

pytestmark = [pytest.mark.long, pytest.mark.postgres]
FINAL = ("COMPLETED", "FAILED", "CRASHED", "CANCELLED")
ACTIVE = (JobStatus.MEDIA_GENERATION, JobStatus.VIDEO_COMPOSITION)
TINY = {"custom_resolution": "320x180", "quality_preset": "draft"}


@dataclass
class Fleet:
    api: str
    database_url: str
    env: dict[str, str]  # what a worker's machine sets (no Prefect database settings)
    media_root: Path


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Fleet]:
    home = tmp_path_factory.mktemp("fleet")
    with pg.fresh_database() as url:
        create_prefect_schema(url)
        server_env = {**clean_env(), **prefect_env(url)}
        server, api = prefect_server.start(home, server_env)
        env = {**clean_env(), "PREFECT_API_URL": api, "PREFECT_HOME": str(home / "prefect"),
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_WORKER_QUERY_SECONDS": "1",
               "REELFLOW_HOME": str(home / "server-side"), "REELFLOW_DATABASE_URL": url,
               "REELFLOW_MEDIA_ROOT": str(home / "shared-media"),
               "REELFLOW_HEARTBEAT_SECONDS": "2"}
        try:
            done = run(["deploy", "--max-renders", "2"], env)
            assert done.returncode == 0, done.stderr
            assert "at most 2 at once" in done.stdout, done.stdout
            yield Fleet(api, url, env, home / "shared-media")
        finally:
            prefect_server.stop(server)


def start_workers(fleet: Fleet, tmp_path: Path, count: int = 2,
                  ) -> tuple[list[subprocess.Popen[bytes]], list[Path]]:
    """Starts ``count`` workers, each in its own working directory and REELFLOW_HOME, in a
    session of its own; returns them and their logs once each polls."""
    workers, logs = [], []
    for n in range(1, count + 1):
        place = tmp_path / f"machine-{n}"
        place.mkdir()
        log = place / "worker.log"
        env = {**fleet.env, "REELFLOW_HOME": str(place / "home")}
        with open(log, "wb") as out:
            workers.append(subprocess.Popen(
                [str(REELFLOW), "worker", "--limit", "1", "--name", f"machine-{n}"], env=env,
                cwd=place, stdout=out, stderr=subprocess.STDOUT, start_new_session=True))
        logs.append(log)
    wait_for("the workers polling", lambda: all("started!" in log.read_text() for log in logs),
             timeout=180)
    return workers, logs


def submit(fleet: Fleet, scripts: list[str]) -> list[uuid.UUID]:
    """Creates one generate-video run per script, all at once; returns their ids."""
    deployment = call(fleet.api, "GET", "/deployments/name/generate-video/generate-video")["id"]

    def create(script: str) -> uuid.UUID:
        body = {"parameters": {"script": script, **TINY}}
        return uuid.UUID(call(fleet.api, "POST", f"/deployments/{deployment}/create_flow_run",
                              body, attempts=10)["id"])

    with ThreadPoolExecutor(len(scripts)) as pool:
        return list(pool.map(create, scripts))


def run_states(fleet: Fleet, runs: list[uuid.UUID]) -> list[str]:
    return [str(call(fleet.api, "GET", f"/flow_runs/{run}")["state"]["type"]) for run in runs]


def taken_by(logs: list[Path], runs: list[uuid.UUID]) -> list[set[uuid.UUID]]:
    """The runs each worker started (two may try one run: the server lets one have it)."""
    texts = [log.read_text() for log in logs]
    return [{run for run in runs if f"submitting flow run '{run}'" in text
             and f"Aborted submission of flow run '{run}'" not in text} for text in texts]


def jobs(fleet: Fleet) -> dict[uuid.UUID, JobStatus]:
    database = Database.open(fleet.database_url, migrate=False)
    try:
        with database.unit_of_work(read_only=True) as uow:
            return {job.id: job.status for job in uow.jobs.list(limit=1000)}
    finally:
        database.dispose()


def recorded_files(fleet: Fleet, ids: list[uuid.UUID]) -> list[Path]:
    database = Database.open(fleet.database_url, migrate=False)
    try:
        with database.unit_of_work(read_only=True) as uow:
            return [Path(row.file_path) for row in [*uow.media.assets(ids),
                                                    *uow.media.videos(ids)]]
    finally:
        database.dispose()


def stop(*workers: subprocess.Popen[bytes]) -> None:
    prefect_server.stop(*workers)


def test_six_jobs_submitted_at_once_spread_over_two_workers_and_a_cleanup_spares_them(
        fleet: Fleet, tmp_path: Path) -> None:
    stray = fleet.media_root / "images" / "stray-slide.png"
    stray.write_bytes(b"\x89PNG left by nobody")
    os.utime(stray, (1_000_000_000, 1_000_000_000))
    workers, logs = start_workers(fleet, tmp_path)
    try:
        runs = submit(fleet, [f"# Batch {n}\n\n## One\n\nJob {n}, first scene.\n\n## Two\n\n"
                              f"Job {n}, second scene." for n in range(1, 7)])
        wait_for("a job composing its video", lambda: any(
            jobs(fleet).get(run) == JobStatus.VIDEO_COMPOSITION for run in runs), timeout=300)
        cleanup = run(["cleanup", "--grace-hours", "0", "--json"], fleet.env)
        unfinished_after = sum(jobs(fleet).get(run) != JobStatus.COMPLETED for run in runs)
        assert cleanup.returncode == 0, cleanup.stderr
        wait_for("the batch", lambda: all(s in FINAL for s in run_states(fleet, runs)),
                 timeout=900)
        assert run_states(fleet, runs) == ["COMPLETED"] * 6
    finally:
        stop(*workers)
    report = json.loads(cleanup.stdout)
    deleted = [item["path"] for item in report["items"]]
    assert deleted == [str(stray)], report
    assert unfinished_after > 0  # the cleanup ran while the batch was still running
    statuses = jobs(fleet)
    assert {run: statuses.get(run) for run in runs} == {run: JobStatus.COMPLETED for run in runs}
    files = recorded_files(fleet, runs)
    assert files and all(path.is_file() for path in files)
    videos = [path for path in files if path.suffix == ".mp4"]
    assert len(videos) == 6
    assert len({hashlib.sha256(path.read_bytes()).hexdigest() for path in videos}) == 6
    taken = taken_by(logs, runs)
    assert taken[0] and taken[1], [log.read_text()[-1500:] for log in logs]
    assert taken[0] | taken[1] == set(runs) and not taken[0] & taken[1]
    drift = run(["storage", "reconcile", "--json"], fleet.env)
    assert json.loads(drift.stdout) == {"fixed": []}, drift.stdout


def kill_tree(worker: subprocess.Popen[bytes]) -> None:
    """SIGKILLs the worker's process group and every process under it: Prefect starts each
    flow run in a session of its own, which a group kill alone would leave running."""
    tree = [psutil.Process(worker.pid), *psutil.Process(worker.pid).children(recursive=True)]
    os.killpg(worker.pid, signal.SIGKILL)
    for process in tree:
        with contextlib.suppress(psutil.NoSuchProcess):
            process.kill()
    worker.wait(timeout=30)


def test_a_worker_killed_mid_job_loses_only_that_job_and_its_render_slot_comes_back(
        fleet: Fleet, tmp_path: Path) -> None:
    done = run(["deploy", "--max-renders", "1"], fleet.env)
    assert "at most 1 at once" in done.stdout, (done.stdout, done.stderr)
    workers, logs = start_workers(fleet, tmp_path)
    script = "# Killed {n}\n\n## One\n\nThe first scene of job {n}.\n\n## Two\n\nIts second."
    try:
        runs = submit(fleet, [script.format(n=n) for n in range(1, 4)])

        def rendering() -> uuid.UUID | None:
            active = [run for run in runs if jobs(fleet).get(run) in ACTIVE]
            assert len(active) <= 1, active  # one render slot: one render at a time
            return active[0] if active else None

        victim = wait_for("a job rendering", rendering, timeout=300)
        owner = next(n for n, runs_taken in enumerate(taken_by(logs, runs)) if victim in runs_taken)
        kill_tree(workers[owner])
        # Lost: no heartbeat for five beats of 2 s; then the reconciler may say so.
        wait_for("the heartbeat to go stale", lambda: reconcile_fails(fleet, victim),
                 timeout=120)
        others = [run for run in runs if run != victim]

        def others_ended() -> bool:
            rendering()  # still one render at a time, once the lost one's lease has ended
            return all(state in FINAL for state in run_states(fleet, others))

        wait_for("the other jobs", others_ended, timeout=600)
        assert run_states(fleet, others) == ["COMPLETED", "COMPLETED"]
        assert run_states(fleet, [victim]) == ["CRASHED"]
        again = submit(fleet, [script.format(n=1)])
        wait_for("the resubmission", lambda: run_states(fleet, again)[0] in FINAL, timeout=300)
        assert run_states(fleet, again) == ["COMPLETED"]
    finally:
        stop(*[worker for worker in workers if worker.poll() is None])
    statuses = jobs(fleet)
    assert statuses[victim] == JobStatus.FAILED
    assert [statuses[run] for run in [*others, *again]] == [JobStatus.COMPLETED] * 3
    assert again[0] in taken_by([logs[1 - owner]], again)[0]


def reconcile_fails(fleet: Fleet, victim: uuid.UUID) -> bool:
    done = run(["reconcile", "--stale-after", "10", "--json"], fleet.env)
    assert done.returncode == 0, done.stderr
    failed = json.loads(done.stdout)["failed"]
    assert all(item["job_id"] == str(victim) for item in failed), failed
    return bool(failed)
