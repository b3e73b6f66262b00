"""Jobs per hour with 1 and with 2 process workers on this machine.

    .venv/bin/python -m bench.throughput [--jobs 6] [--workers 1,2] [--scenes 3]
        [--resolution 1280x720] [--workdir .bench/throughput]

One Prefect server on PostgreSQL (a fresh database: the app in its public schema, Prefect in
schema prefect_server, as ``reelflow up --database`` lays it out), ``reelflow deploy``, then for
each worker count: that many ``reelflow worker --limit 1`` in working directories of their own,
sharing the database and one media root; ``--jobs`` runs submitted over the API at once; the
wall time from the first submission to the last run's end. Every job's text is new (no
narration cache hits). The 1-minute load average before each round is shown beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench.fleet import (
    ADMIN_URL,
    REELFLOW,
    call,
    clean_env,
    fresh_database,
    reelflow,
    start_server,
    stop,
)

FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def job_script(round_name: str, n: int, scenes: int) -> str:
    parts = [f"# Throughput {round_name} job {n}"]
    for s in range(1, scenes + 1):
        parts.append(f"## Part {s}\n\nRound {round_name}, job {n}, part {s}: a sentence or two "
                     "of narration, so that the voice has something to say here.")
    return "\n\n".join(parts)


def one_round(env: dict[str, str], workdir: Path, workers: int, jobs: int, scenes: int,
              resolution: str) -> dict[str, Any]:
    api = env["PREFECT_API_URL"]
    started = []
    logs = []
    for n in range(1, workers + 1):
        place = workdir / f"w{workers}-machine-{n}"
        place.mkdir(parents=True, exist_ok=True)
        log = place / "worker.log"
        with open(log, "wb") as out:
            started.append(subprocess.Popen(
                [*REELFLOW, "worker", "--limit", "1", "--name", f"w{workers}-{n}"],
                env={**env, "REELFLOW_HOME": str(place / "home")}, cwd=place, stdout=out,
                stderr=subprocess.STDOUT))
        logs.append(log)
    try:
        while not all("started!" in log.read_text() for log in logs):
            time.sleep(0.5)
        deployment = call(api, "GET", "/deployments/name/generate-video/generate-video")["id"]
        load = os.getloadavg()[0]
        clock = time.perf_counter()

        def create(n: int) -> str:
            body = {"parameters": {"script": job_script(f"w{workers}", n, scenes),
                                   "custom_resolution": resolution}}
            return str(call(api, "POST", f"/deployments/{deployment}/create_flow_run",
                            body)["id"])

        with ThreadPoolExecutor(jobs) as pool:
            runs = list(pool.map(create, range(1, jobs + 1)))
        while True:
            states = [call(api, "GET", f"/flow_runs/{run}")["state"]["type"] for run in runs]
            if all(state in FINAL for state in states):
                break
            time.sleep(0.5)
        wall = time.perf_counter() - clock
    finally:
        stop(*started)
    taken = [sum(f"submitting flow run '{run}'" in log.read_text() for run in runs)
             for log in logs]
    seconds = video_seconds(env["REELFLOW_DATABASE_URL"], runs)
    return {"workers": workers, "jobs": jobs, "completed": states.count("COMPLETED"),
            "video_s_per_job": round(seconds / max(1, jobs), 1),
            "wall_s": round(wall, 1), "jobs_per_hour": round(jobs / wall * 3600, 1),
            "per_worker": taken, "load_before": round(load, 2)}


def video_seconds(url: str, runs: list[str]) -> float:
    """The seconds of video the runs' jobs made, from the app database."""
    import uuid

    from reelflow.db.session import Database

    database = Database.open(url, migrate=False)
    try:
        with database.unit_of_work(read_only=True) as uow:
            return sum(sum(video.duration for video in uow.videos.for_job(uuid.UUID(run)))
                       for run in runs)
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=6)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--scenes", type=int, default=3)
    parser.add_argument("--resolution", default="1280x720")
    parser.add_argument("--workdir", type=Path, default=Path(".bench/throughput"))
    parser.add_argument("--admin-url", default=os.environ.get("REELFLOW_BENCH_PG", ADMIN_URL))
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    rows = []
    with fresh_database(args.admin_url) as url:
        server, api = start_server(workdir / "server", url)
        env = {**clean_env(), "PREFECT_API_URL": api, "PREFECT_HOME": str(workdir / "prefect"),
               "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_WORKER_QUERY_SECONDS": "2",
               "REELFLOW_HOME": str(workdir / "server-side"), "REELFLOW_DATABASE_URL": url,
               "REELFLOW_MEDIA_ROOT": str(workdir / "shared-media")}
        try:
            reelflow(["deploy"], env)
            for count in (int(n) for n in args.workers.split(",")):
                rows.append(one_round(env, workdir, count, args.jobs, args.scenes,
                                      args.resolution))
                print(json.dumps(rows[-1]), flush=True)
        finally:
            stop(server)
    print(f"{'workers':>7} {'jobs':>5} {'done':>5} {'video s/job':>11} {'wall s':>7} "
          f"{'jobs/h':>7} {'per worker':>12} {'load':>5}")
    for row in rows:
        print(f"{row['workers']:7d} {row['jobs']:5d} {row['completed']:5d} "
              f"{row['video_s_per_job']:11.1f} {row['wall_s']:7.1f} {row['jobs_per_hour']:7.1f} "
              f"{row['per_worker']!s:>12} {row['load_before']:5.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
