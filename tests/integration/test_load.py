"""Load: renders at once on PostgreSQL and on SQLite, and a long row of tiny jobs through a
served deployment, watching the long-lived processes' memory and open files."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import psutil
import pytest

from reelflow.db.session import Database
from reelflow.db.states import JobStatus
from tests import pg, prefect_server
from tests.e2e.conftest import REELFLOW, ROOT, run
from tests.prefect_server import call, clean_env, wait_for

pytestmark = pytest.mark.long
# The suite runs 30 (about three minutes); docs/reliability.md reports a run of 200:
# REELFLOW_SOAK_JOBS=200 .venv/bin/python -m pytest tests/integration/test_load.py -k tiny -s
SOAK_JOBS = int(os.environ.get("REELFLOW_SOAK_JOBS", "30"))


def renders_at_once(count: int, env: dict[str, str], tmp_path: Path) -> list[dict[str, object]]:
    scripts = []
    for n in range(count):
        script = tmp_path / f"at-once-{n}.md"
        script.write_text(f"# At once {n}\n\nJob number {n} of {count}, all at the same time.\n")
        scripts.append(script)
    renders = [subprocess.Popen([str(REELFLOW), "render", str(script), "--resolution", "320x180",
                                 "--quality", "draft", "--json"], env=env, cwd=ROOT,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for script in scripts]
    outputs = [render.communicate(timeout=900) for render in renders]
    errors = "".join(err for _, err in outputs)
    assert [render.returncode for render in renders] == [0] * count, errors
    assert "database is locked" not in errors and "Traceback" not in errors
    results = [json.loads(out) for out, _ in outputs]
    assert len({result["video"]["file_path"] for result in results}) == count  # type: ignore[index]
    drift = run(["storage", "reconcile", "--json"], env)
    assert json.loads(drift.stdout) == {"fixed": []}, drift.stdout
    jobs = json.loads(run(["jobs", "--json", "--limit", "100"], env).stdout)
    assert [job["status"] for job in jobs] == ["COMPLETED"] * count
    return results


@pytest.mark.postgres
def test_eight_renders_at_once_on_postgresql_finish_with_exact_accounting(
        postgres_url: str, prefect_api_url: str, tmp_path: Path) -> None:
    pg.reset_schema(postgres_url)
    env = {**clean_env(), "REELFLOW_HOME": str(tmp_path / "home"),
           "REELFLOW_DATABASE_URL": postgres_url, "PREFECT_API_URL": prefect_api_url}
    renders_at_once(8, env, tmp_path)


def test_four_renders_at_once_on_the_default_sqlite_finish_with_exact_accounting(
        prefect_api_url: str, tmp_path: Path) -> None:
    env = {**clean_env(), "REELFLOW_HOME": str(tmp_path / "home"),
           "PREFECT_API_URL": prefect_api_url}
    renders_at_once(4, env, tmp_path)


def footprint(pid: int) -> tuple[float, int]:
    """Resident memory (MB) and open file descriptors of one process."""
    process = psutil.Process(pid)
    return process.memory_info().rss / 2**20, process.num_fds()


def test_a_long_row_of_tiny_jobs_through_a_served_deployment_grows_nothing(
        tmp_path: Path) -> None:
    home = tmp_path / "soak"
    home.mkdir()
    env = {**clean_env(), "REELFLOW_HOME": str(home), "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    server, api = prefect_server.start(home, env)
    serving = subprocess.Popen([str(REELFLOW), "serve", "--limit", "2"], env=env, cwd=ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deployment = wait_for("the deployment", lambda: _deployment_id(api), timeout=120)
        samples: list[tuple[int, float, int, float, int]] = []
        done = 0
        step = max(5, SOAK_JOBS // 10)  # ten samples; the first is the warm-up
        for batch in range(0, SOAK_JOBS, step):
            size = min(step, SOAK_JOBS - batch)
            for n in range(batch, batch + size):
                # A Prefect server on SQLite answers 503 while busy: clients retry, so do we.
                call(api, "POST", f"/deployments/{deployment}/create_flow_run", {
                    "parameters": {"script": f"Tiny job {n}.", "custom_resolution": "64x36",
                                   "quality_preset": "draft", "include_audio": False}},
                     attempts=30)
            done += size
            wait_for(f"{done} jobs", lambda target=done: _finished(home) >= target,
                     timeout=60 * size)
            samples.append((done, *footprint(serving.pid), *footprint(server.pid)))
            print(f"soak sample: {samples[-1]}", flush=True)
        statuses = _statuses(home)
        assert statuses == {JobStatus.COMPLETED: SOAK_JOBS}, statuses
        print("soak samples (jobs, serve MB, serve fds, server MB, server fds):", samples)
        first, last = samples[min(1, len(samples) - 1)], samples[-1]
        assert last[1] - first[1] < 60, samples  # serve's memory after warm-up
        assert last[2] - first[2] <= 5, samples  # serve's open files
        assert last[3] - first[3] < 150, samples  # the server's memory (its caches fill)
        assert last[4] - first[4] <= 10, samples
    finally:
        prefect_server.stop(serving, server)


def _deployment_id(api: str) -> str | None:
    try:
        return str(call(api, "GET", "/deployments/name/generate-video/generate-video")["id"])
    except Exception:
        return None


def _statuses(home: Path) -> dict[JobStatus, int]:
    database = Database.open(f"sqlite:///{home / 'reelflow.db'}", migrate=False)
    try:
        with database.unit_of_work(read_only=True) as uow:
            found: dict[JobStatus, int] = {}
            for job in uow.jobs.list(limit=100_000):
                found[job.status] = found.get(job.status, 0) + 1
            return found
    finally:
        database.dispose()


def _finished(home: Path) -> int:
    if not (home / "reelflow.db").exists():
        return 0
    try:
        statuses = _statuses(home)
    except Exception:
        return 0
    return statuses.get(JobStatus.COMPLETED, 0) + statuses.get(JobStatus.FAILED, 0)

