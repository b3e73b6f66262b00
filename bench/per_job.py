"""What one job costs, per minute of video: CPU seconds, peak memory, disk and database
connections, for a still, a captioned and a zooming video.

    .venv/bin/python -m bench.per_job [--workdir .bench/per-job] [--scenes 10]
        [--resolution 1280x720] [--admin-url postgresql+psycopg2://postgres@127.0.0.1/postgres]

Each variant renders the benchmark's narration (ten scenes of six seconds: one minute) with
``reelflow render --json`` against one Prefect server started here, in a fresh data directory
(so nothing is cached) on a fresh PostgreSQL database. The job's own ``resource_usage`` gives
its CPU time and the peak resident memory of its process tree, and the disk its files use;
a sampler counts the database's open connections every 100 ms (the peak) and
pg_stat_database its committed transactions. The 1-minute load average is shown beside each,
since other work on the machine skews every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path
from typing import Any

import yaml

from bench.fleet import (
    ADMIN_URL,
    REELFLOW,
    ConnectionSampler,
    clean_env,
    commits,
    fresh_database,
    start_server,
    stop,
)
from bench.inputs import SCENE_SECONDS, TEXTS
from bench.measure import run_measured

VARIANTS = {
    "still": {"captions": "off", "motion": "none"},
    "captioned": {"captions": "burned", "motion": "none"},
    "zooming": {"captions": "off", "motion": "kenburns"},
}


def script(name: str, scenes: int, resolution: str) -> str:
    """The benchmark's narration as a YAML script of ``scenes`` six-second scenes."""
    return yaml.safe_dump({
        "title": f"Per job: {name}",
        "settings": {"resolution": resolution, **VARIANTS[name]},
        "scenes": [{"heading": f"Scene {n + 1}", "narration": TEXTS[n % len(TEXTS)],
                    "duration": SCENE_SECONDS} for n in range(scenes)],
    }, sort_keys=False)


def one_job(name: str, workdir: Path, api: str, scenes: int, resolution: str,
            admin_url: str) -> dict[str, Any]:
    home = workdir / name
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    path = home / "script.yaml"
    path.write_text(script(name, scenes, resolution), "utf-8")
    with fresh_database(admin_url) as url:
        env = {**clean_env(), "REELFLOW_HOME": str(home), "REELFLOW_DATABASE_URL": url,
               "PREFECT_API_URL": api, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        before = commits(url, admin_url)
        sampler = ConnectionSampler(url, admin_url)
        sampler.start()
        measured = run_measured([*REELFLOW, "render", str(path), "--json"], env=env)
        peak_connections = sampler.stop()
        time.sleep(1.5)  # the server publishes a backend's counts when it ends
        transactions = commits(url, admin_url) - before
    job = json.loads(measured.stdout)
    usage = job["resource_usage"]
    minutes = job["video"]["duration"] / 60
    return {
        "variant": name, "video_seconds": job["video"]["duration"],
        "resolution": job["video"]["resolution"], "load": round(measured.load, 2),
        "job_wall_s": usage["generation_time_seconds"], "cpu_s": usage["cpu_time_seconds"],
        "peak_mb": usage["peak_memory_mb"], "disk_mb": usage["disk_space_used_mb"],
        "video_mb": round(job["video"]["file_size"] / 2**20, 2),
        "db_connections_peak": peak_connections, "db_transactions": transactions,
        "command_wall_s": round(measured.wall, 2), "command_peak_mb": round(measured.peak_mb, 1),
        "per_minute": {"cpu_s": round(usage["cpu_time_seconds"] / minutes, 2),
                       "disk_mb": round(usage["disk_space_used_mb"] / minutes, 2),
                       "db_transactions": round(transactions / minutes, 1)},
        "stages": usage.get("stages", {}),
    }


def table(rows: list[dict[str, Any]]) -> str:
    head = (f"{'variant':10} {'video s':>7} {'load':>5} {'job s':>6} {'cpu s':>6} "
            f"{'peak MB':>8} {'disk MB':>8} {'db conns':>8} {'db tx':>6} "
            f"{'cpu s/min':>9} {'disk MB/min':>11}")
    lines = [head, "-" * len(head)]
    for row in rows:
        lines.append(
            f"{row['variant']:10} {row['video_seconds']:7.1f} {row['load']:5.2f} "
            f"{row['job_wall_s']:6.2f} {row['cpu_s']:6.2f} {row['peak_mb']:8.1f} "
            f"{row['disk_mb']:8.2f} {row['db_connections_peak']:8d} {row['db_transactions']:6d} "
            f"{row['per_minute']['cpu_s']:9.2f} {row['per_minute']['disk_mb']:11.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path(".bench/per-job"))
    parser.add_argument("--scenes", type=int, default=len(TEXTS))
    parser.add_argument("--resolution", default="1280x720")
    parser.add_argument("--variants", default=",".join(VARIANTS))
    parser.add_argument("--admin-url", default=os.environ.get("REELFLOW_BENCH_PG", ADMIN_URL))
    args = parser.parse_args(argv)
    workdir = args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    server, api = start_server(workdir / "server", None)
    rows = []
    try:
        for name in args.variants.split(","):
            rows.append(one_job(name, workdir, api, args.scenes, args.resolution,
                                args.admin_url))
            print(json.dumps(rows[-1]), flush=True)
    finally:
        stop(server)
    print(table(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
