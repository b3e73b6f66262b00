"""PostgreSQL restarted in the middle of a job (a private server, so no one else is cut off):
the job is retried to the end or fails cleanly, and its rows and counters stay right."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reelflow.db.session import Database
from reelflow.db.states import JobStatus, StorageType, VideoStatus
from reelflow.storage.accounting import measure
from reelflow.storage.layout import MediaLayout
from tests import pg
from tests.e2e.conftest import REELFLOW, ROOT, run
from tests.prefect_server import clean_env

pytestmark = [pytest.mark.long, pytest.mark.postgres]
SCRIPT = "".join(f"## Part {n}\nScene {n} has a few words to say, slowly.\n\n"
                 for n in range(1, 7))


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, Any]]:
    with pg.restartable_server() as (admin, restart), pg._database_on(admin) as url:
        yield url, restart


def job_status(database: Database) -> JobStatus | None:
    try:
        with database.unit_of_work(read_only=True) as uow:
            jobs = uow.jobs.list(limit=1)
            return jobs[0].status if jobs else None
    except Exception:  # the server is restarting
        return None


@pytest.mark.parametrize("stage", [JobStatus.MEDIA_GENERATION, JobStatus.VIDEO_COMPOSITION])
def test_a_restart_mid_job_is_retried_or_fails_cleanly(
        server: tuple[str, Any], prefect_api_url: str, tmp_path: Path,
        stage: JobStatus) -> None:
    url, restart = server
    pg.reset_schema(url)
    env = {**clean_env(), "REELFLOW_HOME": str(tmp_path / "home"), "REELFLOW_DATABASE_URL": url,
           "PREFECT_API_URL": prefect_api_url, "REELFLOW_HEARTBEAT_SECONDS": "0.5"}
    script = tmp_path / "s.md"
    script.write_text(f"# Restarted\n\n{SCRIPT}")
    render = subprocess.Popen([str(REELFLOW), "render", str(script), "--resolution", "640x360",
                               "--motion", "kenburns"], env=env, cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    database = Database.open(url, migrate=False)
    deadline = time.monotonic() + 180
    while job_status(database) != stage and render.poll() is None:
        assert time.monotonic() < deadline, "the job never reached the stage"
        time.sleep(0.05)
    database.dispose()
    restart()
    _, err = render.communicate(timeout=600)
    assert render.returncode in (0, 1), err
    assert len(err.splitlines()) <= 1 and "Traceback" not in err, err
    if render.returncode == 1:  # failed cleanly: the reconciler ends anything left running
        time.sleep(2)
        assert run(["reconcile", "--stale-after", "1.5"], env).returncode == 0
    database = Database.open(url, migrate=False)
    media = MediaLayout(tmp_path / "home" / "media")
    with database.unit_of_work(read_only=True) as uow:
        jobs = uow.jobs.list()
        assert len(jobs) == 1 and jobs[0].status in (JobStatus.COMPLETED, JobStatus.FAILED)
        video = uow.videos.get_for_job(jobs[0].id)
        if jobs[0].status == JobStatus.COMPLETED:
            assert video is not None and video.generation_status == VideoStatus.COMPLETED
            assert Path(video.file_path).stat().st_size == video.file_size
        elif video is not None:
            assert not Path(video.file_path).exists()
        counted = {r.storage_type: (r.total_size_bytes, r.file_count) for r in uow.storage.all()}
    database.dispose()
    for kind in StorageType:
        assert counted[kind] == measure(media.folder(kind)), kind
    drift = run(["storage", "reconcile", "--json"], env)
    assert json.loads(drift.stdout) == {"fixed": []}, drift.stdout
    print(f"restart at {stage}: exit {render.returncode} {err.strip()[:200]}")
