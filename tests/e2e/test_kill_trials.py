"""Renders killed with SIGKILL at seeded random points, still and zooming: after the
reconciler every job is FAILED, no file sits at a final path, nothing half made is left,
the counters equal the disk, no process of the render lives on, and a rerun succeeds. And
several renders started at once in a new data directory all complete."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import psutil
import pytest

from reelflow.files import PARTIAL_PREFIX, PARTS_PREFIX
from tests.e2e.conftest import REELFLOW, ROOT, run
from tests.prefect_server import clean_env

pytestmark = pytest.mark.long
TRIALS = 10
SEED = 14
HEARTBEAT = "0.5"
STALE_AFTER = "1.5"  # three heartbeats
SCRIPT = ("# Killed\n\n## One\nThe first scene speaks a little.\n\n## Two\nThe second one too."
          "\n\n## Three\nAnd a third to finish.\n")


def rows(home: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(f"file:{home / 'reelflow.db'}?mode=ro", uri=True, timeout=30) as db:
        return list(db.execute(sql))


def processes_of(home: Path) -> list[psutil.Process]:
    """Live processes started for this data directory (they carry it in their environment)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("REELFLOW_HOME") == str(home) and \
                    process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


def half_made(home: Path) -> list[Path]:
    media = home / "media"
    return [p for p in media.rglob("*") if p.name.startswith(PARTIAL_PREFIX)
            or p.name.startswith(PARTS_PREFIX) or (p.parent == media / "temp")]


def job_ids(home: Path) -> set[str]:
    return {str(row[0]) for row in rows(home, "SELECT id FROM video_generation_jobs")}


def kill_at(env: dict[str, str], script: Path, motion: str, delay: float) -> str | None:
    """Starts a render, waits until its job row exists plus ``delay`` seconds, kills it with
    SIGKILL; returns its job's id (None: it died before it made one)."""
    home = Path(env["REELFLOW_HOME"])
    before = job_ids(home)
    render = subprocess.Popen([str(REELFLOW), "render", str(script), "--resolution", "320x180",
                               "--motion", motion], env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and render.poll() is None and job_ids(home) == before:
        time.sleep(0.05)
    time.sleep(delay)
    render.send_signal(signal.SIGKILL)
    render.wait()
    made = job_ids(home) - before
    return made.pop() if made else None


def timed_render(env: dict[str, str], script: Path, motion: str) -> float:
    done = run(["render", str(script), "--resolution", "320x180", "--motion", motion, "--json"],
               env)
    assert done.returncode == 0, done.stderr
    return float(json.loads(done.stdout)["resource_usage"]["generation_time_seconds"])


def test_ten_seeded_sigkill_trials_end_failed_with_nothing_left(
        env: dict[str, str], tmp_path: Path) -> None:
    env = {**env, "REELFLOW_HEARTBEAT_SECONDS": HEARTBEAT}
    home = Path(env["REELFLOW_HOME"])
    script = tmp_path / "killed.md"
    script.write_text(SCRIPT)
    seconds = {motion: timed_render(env, script, motion) for motion in ("none", "kenburns")}
    chance = random.Random(SEED)
    mid_render: list[tuple[str, str, float, str]] = []
    finished_first = 0
    for trial in range(3 * TRIALS):
        if len(mid_render) == TRIALS:
            break
        motion = ("none", "kenburns")[trial % 2]
        delay = chance.uniform(0.0, 0.8 * seconds[motion])
        job = kill_at(env, script, motion, delay)
        time.sleep(0.5)
        assert processes_of(home) == [], f"trial {trial}: a process lived on"
        time.sleep(float(STALE_AFTER))
        fixed = run(["reconcile", "--stale-after", STALE_AFTER, "--json"], env)
        assert fixed.returncode == 0, fixed.stderr
        status = rows(home, f"SELECT status FROM video_generation_jobs WHERE id = '{job}'")
        if status == [("COMPLETED",)]:
            finished_first += 1  # the machine was quicker than the draw: not a kill mid-render
            continue
        mid_render.append((motion, f"{delay:.2f}", job or "-", str(status)))
    print(f"kill trials: {len(mid_render)} mid-render, {finished_first} finished first",
          mid_render)
    assert len(mid_render) == TRIALS
    statuses = [status for (status,) in rows(home, "SELECT status FROM video_generation_jobs")]
    assert set(statuses) <= {"COMPLETED", "FAILED"}
    assert statuses.count("FAILED") == sum(1 for *_, job, _ in mid_render if job != "-")
    videos = rows(home, "SELECT file_path, generation_status FROM generated_videos")
    assert all(not Path(str(path)).exists() for path, status in videos if status != "COMPLETED")
    assert half_made(home) == []
    drift = run(["storage", "reconcile", "--json"], env)
    assert json.loads(drift.stdout) == {"fixed": []}, drift.stdout
    again = run(["render", str(script), "--resolution", "320x180", "--json"], env)
    assert again.returncode == 0 and json.loads(again.stdout)["status"] == "COMPLETED"


def test_a_render_killed_with_its_temporary_prefect_server_leaves_no_process(
        tmp_path: Path) -> None:
    env = {**clean_env(), "REELFLOW_HOME": str(tmp_path / "home"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    home = tmp_path / "home"
    script = tmp_path / "s.md"
    script.write_text(SCRIPT)
    render = subprocess.Popen([str(REELFLOW), "render", str(script), "--resolution", "320x180"],
                              env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and render.poll() is None:
        children = psutil.Process(render.pid).children(recursive=True)
        if any("uvicorn" in " ".join(child.cmdline()) for child in children):
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the render never started its Prefect server")
    render.send_signal(signal.SIGKILL)
    render.wait()
    time.sleep(1)
    assert processes_of(home) == []


def test_renders_started_at_once_in_a_new_data_directory_all_complete(
        tmp_path: Path) -> None:
    env = {**clean_env(), "REELFLOW_HOME": str(tmp_path / "home"),
           "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    script = tmp_path / "s.md"
    script.write_text("# At once\n\nFour of us.\n")
    renders = [subprocess.Popen([str(REELFLOW), "render", str(script), "--resolution", "160x90",
                                 "--json"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [render.communicate(timeout=600) for render in renders]
    assert [render.returncode for render in renders] == [0] * 4, [err for _, err in outputs]
    paths = {json.loads(out)["video"]["file_path"] for out, _ in outputs}
    assert len(paths) == 4 and all(os.path.getsize(path) > 0 for path in paths)
    assert processes_of(tmp_path / "home") == []
