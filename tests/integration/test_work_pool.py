"""Production mode: prefect.yaml deployed to a process work pool, a run executed by a worker."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from reelflow.db.session import Database
from reelflow.db.states import JobStatus
from tests import prefect_server
from tests.prefect_server import call, clean_env, wait_for

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    home = tmp_path_factory.mktemp("pool")
    env = clean_env()
    env.update({"REELFLOW_HOME": str(home), "REELFLOW_CHECKOUT": str(ROOT),
                "REELFLOW_DATABASE_URL": f"sqlite:///{home / 'reelflow.db'}",
                "PREFECT_WORKER_QUERY_SECONDS": "1"})
    server, api = prefect_server.start(home, env)
    prefect = [sys.executable, "-m", "prefect"]
    try:
        subprocess.run([*prefect, "work-pool", "create", "reelflow", "--type", "process"],
                       env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
        subprocess.run([*prefect, "--no-prompt", "deploy", "--all"], env=env, cwd=ROOT,
                       check=True, capture_output=True, timeout=300)
        # What `reelflow worker` checks at start (the media root the database records) is set
        # up by `reelflow deploy`; over Prefect's own deploy it finds the pool and redeploys.
        done = subprocess.run([str(Path(sys.executable).with_name("reelflow")), "deploy"],
                              env=env, cwd=ROOT, capture_output=True, text=True, timeout=300,
                              check=False)
        assert done.returncode == 0, done.stderr
        assert "work pool:   reelflow (exists, process)" in done.stdout
        yield api, env
    finally:
        prefect_server.stop(server)


def test_prefect_yaml_declares_both_deployments_with_the_daily_cleanup(
        deployed: tuple[str, dict[str, str]]) -> None:
    api, _ = deployed
    generate = call(api, "GET", "/deployments/name/generate-video/generate-video")
    cleanup = call(api, "GET", "/deployments/name/cleanup-media/cleanup-media")
    assert generate["work_pool_name"] == cleanup["work_pool_name"] == "reelflow"
    assert generate["entrypoint"] == "reelflow.flows.generate_video.generate_video"
    crons = [s["schedule"]["cron"] for s in cleanup["schedules"]]
    assert crons == ["0 3 * * *"]
    schema = generate["parameter_openapi_schema"]["properties"]
    for name in ("script", "script_path", "title", "resolution", "quality_preset", "tts",
                 "session_id", "include_audio"):
        assert schema[name].get("description"), name


def test_a_process_worker_runs_a_job_created_over_the_api(
        deployed: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    api, env = deployed
    log = open(tmp_path / "worker.log", "wb")  # noqa: SIM115
    worker = subprocess.Popen([sys.executable, "-m", "prefect", "worker", "start", "--pool",
                               "reelflow"], env=env, cwd=tmp_path, stdout=log,
                              stderr=subprocess.STDOUT)
    try:
        deployment = call(api, "GET", "/deployments/name/generate-video/generate-video")["id"]
        run = call(api, "POST", f"/deployments/{deployment}/create_flow_run", {"parameters": {
            "script": "# Pooled\n\nA worker from the pool rendered this.",
            "custom_resolution": "320x180", "quality_preset": "draft"}})
        run_id = uuid.UUID(run["id"])

        def final() -> str | None:
            kind = str(call(api, "GET", f"/flow_runs/{run_id}")["state"]["type"])
            return kind if kind in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        assert wait_for("the run", final, timeout=240) == "COMPLETED"
    finally:
        prefect_server.stop(worker)
    database = Database.open(env["REELFLOW_DATABASE_URL"])
    with database.unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(run_id)
        assert job.status == JobStatus.COMPLETED
        video = uow.videos.get_for_job(run_id)
        assert video is not None and Path(video.file_path).is_file()
    database.dispose()


def test_a_batch_spreads_over_two_reelflow_workers_each_taking_its_limit(
        deployed: tuple[str, dict[str, str]], tmp_path: Path) -> None:
    api, env = deployed
    reelflow = Path(sys.executable).with_name("reelflow")
    logs = [tmp_path / f"worker-{n}.log" for n in (1, 2)]
    workers = []
    for n, path in enumerate(logs, start=1):
        with open(path, "wb") as out:
            workers.append(subprocess.Popen(
                [str(reelflow), "worker", "--limit", "1", "--name", f"worker-{n}"],
                env=env, cwd=tmp_path, stdout=out, stderr=subprocess.STDOUT))
    try:
        wait_for("both workers polling", lambda: all(
            "started!" in path.read_text() for path in logs), timeout=120)
        deployment = call(api, "GET", "/deployments/name/generate-video/generate-video")["id"]
        runs = [call(api, "POST", f"/deployments/{deployment}/create_flow_run", {"parameters": {
            "script": f"# Batch {n}\n\nJob {n} of a batch of four.",
            "custom_resolution": "320x180", "quality_preset": "draft"}})["id"]
            for n in range(1, 5)]

        def ended() -> list[str] | None:
            kinds = [str(call(api, "GET", f"/flow_runs/{run}")["state"]["type"]) for run in runs]
            done = all(k in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") for k in kinds)
            return kinds if done else None

        assert wait_for("the batch", ended, timeout=400) == ["COMPLETED"] * 4
    finally:
        prefect_server.stop(*workers)
    # Two workers may both try a run; the server lets one start it and aborts the other.
    taken = [{run for run in runs if f"submitting flow run '{run}'" in text
              and f"Aborted submission of flow run '{run}'" not in text}
             for text in (path.read_text() for path in logs)]
    assert taken[0] and taken[1], [path.read_text()[-1500:] for path in logs]
    assert taken[0] | taken[1] == set(runs) and not taken[0] & taken[1]
    assert "1 run(s) at once" in logs[0].read_text()
