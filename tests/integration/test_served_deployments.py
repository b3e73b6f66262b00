"""The deployments as people use them: a real Prefect server and `reelflow serve` in
subprocesses, runs created over the REST API, cancelled, and killed."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psutil
import pytest

from reelflow.db.session import Database
from reelflow.db.states import JobStatus, StorageType, VideoStatus
from reelflow.engine.probe import probe
from reelflow.storage.layout import MediaLayout
from tests import prefect_server
from tests.prefect_server import call, clean_env, wait_for

ROOT = Path(__file__).resolve().parents[2]
REELFLOW = Path(sys.executable).with_name("reelflow")
# Zooming scenes are encoded frame by frame: composition lasts long enough to act in it.
LONG_SCRIPT = "---\nmotion: kenburns\n---\n# A long one\n\n" + "\n\n".join(
    f"## Part {n}\n" + "This sentence is here to make the narration and the render last a "
    "while, so that the test can act in the middle of it. " * 4 for n in range(1, 7))


@dataclass
class Stack:
    api: str
    env: dict[str, str]
    home: Path
    server: subprocess.Popen[bytes]
    serving: subprocess.Popen[bytes] | None = None

    def call(self, method: str, path: str, body: Any = None) -> Any:
        return call(self.api, method, path, body)

    def serve(self) -> subprocess.Popen[bytes]:
        log = open(self.home / f"serve-{uuid.uuid4().hex[:6]}.log", "wb")  # noqa: SIM115
        process = subprocess.Popen([str(REELFLOW), "serve", "--limit", "2"], env=self.env,
                                   cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        wait_for("the deployments", self._deployment_id, timeout=120)
        return process

    def _deployment_id(self) -> str | None:
        try:
            return str(self.call("GET", "/deployments/name/generate-video/generate-video")["id"])
        except Exception:
            return None

    def create_run(self, parameters: dict[str, Any]) -> uuid.UUID:
        deployment = self._deployment_id()
        run = self.call("POST", f"/deployments/{deployment}/create_flow_run",
                        {"parameters": parameters})
        return uuid.UUID(run["id"])

    def run_state(self, run_id: uuid.UUID) -> str:
        return str(self.call("GET", f"/flow_runs/{run_id}")["state"]["type"])

    def database(self) -> Database:
        return Database.open(self.env["REELFLOW_DATABASE_URL"])

    def job_status(self, run_id: uuid.UUID) -> JobStatus | None:
        database = self.database()
        try:
            with database.unit_of_work(read_only=True) as uow:
                job = uow.jobs.find(run_id)
                return None if job is None else job.status
        finally:
            database.dispose()

    def videos_folder(self) -> Path:
        return MediaLayout(self.home / "media").folder(StorageType.VIDEOS)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    home = tmp_path_factory.mktemp("served")
    env = clean_env()
    # Heartbeats every half second, so that a two-second timeout is a fair one (three beats).
    env.update({"PREFECT_RUNNER_POLL_FREQUENCY": "1", "REELFLOW_HOME": str(home),
                "REELFLOW_DATABASE_URL": f"sqlite:///{home / 'reelflow.db'}",
                "REELFLOW_HEARTBEAT_SECONDS": "0.5"})
    server, api = prefect_server.start(home, env)
    made = Stack(api, env, home, server)
    made.serving = serving = made.serve()
    yield made
    prefect_server.stop(serving, server)


def _no_leftovers(stack: Stack, run_id: uuid.UUID) -> None:
    videos = stack.videos_folder()
    mine = [p.name for p in videos.iterdir()
            if p.name.startswith(".") or run_id.hex[:12] in p.name]
    assert mine == [], f"the job left files in videos/: {mine}"
    scratch = stack.home / "media" / "temp" / str(run_id)
    assert not scratch.exists()


def test_a_run_created_over_the_rest_api_completes_as_a_recorded_job(stack: Stack) -> None:
    started = time.monotonic()
    run_id = stack.create_run({"script": "# Over the API\n\nHello from the REST API.",
                               "custom_resolution": "320x180", "quality_preset": "draft",
                               "session_id": "api"})
    wait_for("COMPLETED", lambda: stack.run_state(run_id) in ("COMPLETED", "FAILED", "CRASHED"))
    elapsed = time.monotonic() - started
    assert stack.run_state(run_id) == "COMPLETED"
    database = stack.database()
    with database.unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(run_id)
        assert job.status == JobStatus.COMPLETED and job.progress_percentage == 100
        video = uow.videos.get_for_job(run_id)
        assert video is not None and video.generation_status == VideoStatus.COMPLETED
        found = probe(Path(video.file_path))
        assert found.resolution == "320x180" and found.size == video.file_size
    database.dispose()
    print(f"API call to COMPLETED: {elapsed:.1f} s")


def test_submit_prints_the_job_id_at_once_and_an_idempotency_key_yields_one_job(
        stack: Stack, tmp_path: Path) -> None:
    script = tmp_path / "hello.md"
    script.write_text("# Submitted\n\nHello from reelflow submit.\n")
    command = [str(REELFLOW), "submit", str(script), "--resolution", "320x180", "--quality",
               "draft", "--session", "cli", "--idempotency-key", f"key-{uuid.uuid4().hex}"]
    first = subprocess.run([*command, "--json"], env=stack.env, cwd=ROOT, capture_output=True,
                           text=True, check=True, timeout=120)
    again = subprocess.run([*command, "--wait", "--json"], env=stack.env, cwd=ROOT,
                           capture_output=True, text=True, check=False, timeout=300)
    job_id = json.loads(first.stdout)["job_id"]
    followed = json.loads(again.stdout)
    assert again.returncode == 0, again.stderr
    assert followed["job_id"] == job_id and followed["run_state"] == "COMPLETED"
    assert followed["job"]["status"] == "COMPLETED"
    assert followed["job"]["video"]["resolution"] == "320x180"
    runs = stack.call("POST", "/flow_runs/filter",
                      {"flow_runs": {"tags": {"all_": ["session:cli"]}}})
    assert [run["id"] for run in runs] == [job_id]
    other = subprocess.run([*command, "--title", "Another title"], env=stack.env, cwd=ROOT,
                           capture_output=True, text=True, check=False, timeout=120)
    assert other.returncode == 2 and other.stdout == ""
    assert other.stderr.strip().splitlines()[-1] == (
        f"reelflow: idempotency key '{command[-1]}' already names job {job_id}, created with "
        "other parameters (different: title); nothing new was created: use a new key for a new "
        "job, or the same parameters to get that job back")


def test_cancelling_a_run_fails_its_job_as_cancelled_and_leaves_no_partial_file(
        stack: Stack) -> None:
    run_id = stack.create_run({"script": LONG_SCRIPT, "resolution": "1920x1080",
                               "quality_preset": "high"})
    wait_for("composition", lambda: stack.job_status(run_id) == JobStatus.VIDEO_COMPOSITION)
    stack.call("POST", f"/flow_runs/{run_id}/set_state",
               {"state": {"type": "CANCELLING", "name": "Cancelling"}, "force": True})
    wait_for("CANCELLED", lambda: stack.run_state(run_id) == "CANCELLED", timeout=90)
    wait_for("the job FAILED", lambda: stack.job_status(run_id) == JobStatus.FAILED, timeout=60)
    database = stack.database()
    with database.unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(run_id)
        assert "cancelled" in (job.error_message or "")
        video = uow.videos.get_for_job(run_id)
        assert video is not None and video.generation_status == VideoStatus.FAILED
    database.dispose()
    _no_leftovers(stack, run_id)


def _run_process(serving_pid: int, run_id: uuid.UUID) -> psutil.Process:
    """The process running the flow run: served runs are forked from the warm server
    (deployments/warm_runs.py), a child of the serving process; the one run under way is that
    server's only child (the voice and the encoders are the run's own children)."""
    forkservers = [child for child in psutil.Process(serving_pid).children()
                   if "multiprocessing.forkserver" in " ".join(child.cmdline())]
    assert len(forkservers) == 1, "served runs do not start from the warm server"
    runs = forkservers[0].children()
    assert len(runs) == 1, f"run {run_id}: {len(runs)} processes run flows"
    return runs[0]


def test_a_killed_run_process_leaves_a_failed_job_and_no_partial_file(stack: Stack) -> None:
    run_id = stack.create_run({"script": LONG_SCRIPT, "resolution": "1920x1080",
                               "quality_preset": "high"})
    wait_for("composition", lambda: stack.job_status(run_id) == JobStatus.VIDEO_COMPOSITION)
    assert stack.serving is not None
    victim = _run_process(stack.serving.pid, run_id)
    victim.send_signal(signal.SIGKILL)
    wait_for("CRASHED", lambda: stack.run_state(run_id) == "CRASHED", timeout=90)
    subprocess.run([str(REELFLOW), "reconcile"], env=stack.env, cwd=ROOT, check=True,
                   capture_output=True, timeout=120)
    database = stack.database()
    with database.unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(run_id)
        assert job.status == JobStatus.FAILED
        assert "crash" in (job.error_message or "")
    database.dispose()
    time.sleep(1)  # an orphaned encoder writes only to files already unlinked
    _no_leftovers(stack, run_id)


def _deployment_id(stack: Stack, name: str) -> str | None:
    try:
        return str(stack.call("GET", f"/deployments/name/{name}/{name}")["id"])
    except urllib.error.HTTPError:
        return None


def _cleanup_slots(stack: Stack) -> int:
    try:
        return int(stack.call("GET", "/v2/concurrency_limits/reelflow-cleanup")["active_slots"])
    except urllib.error.HTTPError:
        return 0  # not created yet


def _alive(process: psutil.Process) -> bool:
    try:
        return process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _find_run_process(stack: Stack, run_id: uuid.UUID) -> psutil.Process | None:
    assert stack.serving is not None
    try:
        return _run_process(stack.serving.pid, run_id)
    except AssertionError:
        return None


def _cleanup_run_holding_the_lock(stack: Stack) -> tuple[uuid.UUID, psutil.Process]:
    """Starts a cleanup-media run and freezes its process (SIGSTOP) while it holds the lock.

    The process is found while it starts (seconds of imports), then the lock is polled without
    pause, so the freeze lands within milliseconds of the lock being seen taken; a run that let
    go in between is thawed, left to end, and another one tried.
    """
    deployment = wait_for("the cleanup deployment", lambda: _deployment_id(stack, "cleanup-media"))
    for _ in range(5):
        run_id = uuid.UUID(stack.call("POST", f"/deployments/{deployment}/create_flow_run",
                                      {"parameters": {}})["id"])
        process = wait_for("the run's process",
                           lambda run=run_id: _find_run_process(stack, run), timeout=120)
        stopped = False
        while not stopped and _alive(process):
            if _cleanup_slots(stack) == 1:
                process.send_signal(signal.SIGSTOP)
                stopped = True
        if stopped and _cleanup_slots(stack) == 1:
            return run_id, process
        if stopped:
            process.send_signal(signal.SIGCONT)
        wait_for("the run to end", lambda run=run_id: stack.run_state(run) == "COMPLETED")
    raise AssertionError("no cleanup run could be caught holding the lock")


def test_one_cleanup_at_a_time_whoever_starts_it(stack: Stack) -> None:
    run_id, frozen = _cleanup_run_holding_the_lock(stack)
    try:
        refused = subprocess.run([str(REELFLOW), "cleanup"], env=stack.env, cwd=ROOT,
                                 capture_output=True, text=True, timeout=180, check=False)
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines()[-1] == (
            "reelflow: failed: another cleanup is running and holds it (Prefect concurrency "
            "limit 'reelflow-cleanup'); nothing was changed: run it again when that one ends")
        waiting = subprocess.Popen([str(REELFLOW), "cleanup", "--wait", "300", "--json"],
                                   env=stack.env, cwd=ROOT, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True)
        time.sleep(15)  # long enough to start, read the lock and begin waiting
        assert waiting.poll() is None, waiting.communicate()
    finally:
        frozen.send_signal(signal.SIGCONT)
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert "another cleanup is running; waiting up to 300 s" in err
    assert json.loads(out)["dry_run"] is False
    wait_for("the deployment's cleanup", lambda: stack.run_state(run_id) == "COMPLETED",
             timeout=60)
    run = stack.call("GET", f"/flow_runs/{run_id}")
    assert run["end_time"] is not None
    assert _cleanup_slots(stack) == 0


def test_a_worker_killed_outright_is_failed_by_the_reconciler_which_crashes_its_run(
        stack: Stack) -> None:
    # Last in this module: it kills the module's worker with its runs, so no hook can run.
    serving = stack.serving
    assert serving is not None
    run_id = stack.create_run({"script": LONG_SCRIPT, "resolution": "1920x1080",
                               "quality_preset": "high"})
    wait_for("composition", lambda: stack.job_status(run_id) == JobStatus.VIDEO_COMPOSITION)
    worker = psutil.Process(serving.pid)
    for process in [*worker.children(recursive=True), worker]:
        process.send_signal(signal.SIGKILL)
    serving.wait(timeout=30)
    assert stack.job_status(run_id) == JobStatus.VIDEO_COMPOSITION  # nobody could fail it
    assert stack.run_state(run_id) == "RUNNING"  # and nobody tells Prefect
    time.sleep(3)
    done = subprocess.run([str(REELFLOW), "reconcile", "--stale-after", "2", "--json"],
                          env=stack.env, cwd=ROOT, check=True, capture_output=True, text=True,
                          timeout=120)
    fixed = json.loads(done.stdout)["failed"]
    assert [(item["job_id"], item["run_state"]) for item in fixed] == [(str(run_id), "CRASHED")]
    run = stack.call("GET", f"/flow_runs/{run_id}")
    assert run["state"]["type"] == "CRASHED"
    assert run["state"]["message"] == f"reelflow reconcile: {fixed[0]['error_message']}"
    database = stack.database()
    with database.unit_of_work(read_only=True) as uow:
        job = uow.jobs.get(run_id)
        assert job.status == JobStatus.FAILED and "no heartbeat" in (job.error_message or "")
        video = uow.videos.get_for_job(run_id)
        assert video is None or video.generation_status == VideoStatus.FAILED
        final = Path(video.file_path) if video is not None else None
    database.dispose()
    assert final is None or not final.exists()
    _no_leftovers(stack, run_id)
