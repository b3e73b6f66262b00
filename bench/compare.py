"""End to end against the usual pipeline: what a user waits for, from command to video.

The same eight-scene, two-minute 1080p script (bench/script8.py) is made three ways, each in a
fresh data directory after a warm-up that creates the databases and wakes the voice (other
words, so no narration is cached): the usual pipeline (bench/usual.py), ``reelflow render``
with its temporary Prefect server, and ``reelflow render`` beside a running ``reelflow up``
(whose server it uses). Each is timed from outside, with its stages and peak memory.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.fleet import free_port
from bench.measure import Measured, run_measured
from bench.script8 import WARM_UP, write_script

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class EndToEnd:
    """One way of making the script: the command measured, its stages, the job's own figures."""

    name: str
    cost: Measured
    stages: dict[str, float]
    job: dict[str, Any]


def _reelflow(*args: str) -> list[str]:
    return [sys.executable, "-m", "reelflow.deployments.cli", *args]


def fresh(home: Path) -> Path:
    """Empties ``home``, so that nothing of an earlier benchmark (above all its speech cache,
    which would skip the narration) is found there; returns it."""
    shutil.rmtree(home, ignore_errors=True)
    return home


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "REELFLOW_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    for name in ("PREFECT_API_URL", "PREFECT_HOME", "REELFLOW_DATABASE_URL",
                 "REELFLOW_MEDIA_ROOT", "REELFLOW_PUBLIC_URL"):
        env.pop(name, None)
    return env


def usual(workdir: Path, script: Path) -> EndToEnd:
    """The usual pipeline, after a warm-up run of the warm-up script."""
    warm = workdir / "usual-warm.yaml"
    warm.write_text("title: Warm-up\nsettings: {resolution: 1920x1080, pause_seconds: 0.6}\n"
                    "scenes: [{heading: Warm-up, narration: One short scene.}]\n", "utf-8")
    run_measured([sys.executable, "-m", "bench.usual", str(warm), str(workdir / "warm.mp4")],
                 cwd=str(ROOT))
    cost = run_measured([sys.executable, "-m", "bench.usual", str(script),
                         str(workdir / "usual.mp4")], cwd=str(ROOT))
    stages = json.loads(cost.stdout.strip().splitlines()[-1])
    return EndToEnd("usual pipeline", cost, stages, {})


def render_after_warm_up(home: Path, script: Path) -> tuple[Measured, dict[str, Any]]:
    """Runs ``reelflow render --json`` of a warm-up script (creating the databases, waking the
    voice), then of ``script``, in ``home``; returns the second run's cost and job."""
    env = _env(home)
    warm = home.parent / f"{home.name}-warm.md"
    warm.write_text(WARM_UP, "utf-8")
    run_measured(_reelflow("render", str(warm), "--json"), env=env, cwd=str(ROOT))
    cost = run_measured(_reelflow("render", str(script), "--json"), env=env, cwd=str(ROOT))
    return cost, json.loads(cost.stdout.strip().splitlines()[-1])


def stages(cost: Measured, job: dict[str, Any]) -> dict[str, float]:
    """The job's stages, and what the command spent outside the job (imports, Prefect's
    start-up and bookkeeping, shutting down): its wall time less the job's."""
    usage = job.get("resource_usage") or {}
    stages = {key.removesuffix("_seconds"): float(value)
              for key, value in (usage.get("stages") or {}).items()}
    inside = float(usage.get("generation_time_seconds") or 0.0)
    return {"outside the job": cost.wall - inside, **stages}


def with_temporary_server(workdir: Path, script: Path) -> EndToEnd:
    """``reelflow render`` on its own: it starts (and stops) a temporary Prefect server."""
    cost, job = render_after_warm_up(fresh(workdir / "home-temporary"), script)
    return EndToEnd("reelflow render", cost, stages(cost, job), job)


def beside_up(workdir: Path, script: Path) -> EndToEnd:
    """``reelflow render`` while ``reelflow up`` runs in the same data directory."""
    home = fresh(workdir / "home-up")
    port, web_port = free_port(), free_port()
    log = open(workdir / "up.log", "wb")  # noqa: SIM115 - lives as long as up
    up = subprocess.Popen(_reelflow("up", "--port", str(port), "--web-port", str(web_port)),
                          env=_env(home), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait(f"http://127.0.0.1:{port}/api/health", up)
        cost, job = render_after_warm_up(home, script)
    finally:
        up.send_signal(signal.SIGINT)
        try:
            up.wait(timeout=120)
        except subprocess.TimeoutExpired:
            up.kill()
        log.close()
    return EndToEnd("render beside up", cost, stages(cost, job), job)


def _wait(url: str, up: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and up.poll() is None:
        try:
            with urllib.request.urlopen(url, timeout=2):
                time.sleep(2)  # the deployments are served a moment after the API answers
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("reelflow up did not come up")



def compare(workdir: Path) -> list[EndToEnd]:
    """Runs the three ways in turn; returns them, the usual pipeline first."""
    workdir.mkdir(parents=True, exist_ok=True)
    script = write_script(workdir / "harbour.yaml")
    return [usual(workdir, script), with_temporary_server(workdir, script),
            beside_up(workdir, script)]


def table(results: list[EndToEnd]) -> str:
    """One row per way: wall and CPU time, peaks, speed-up, then each stage."""
    base = results[0].cost.wall
    lines = [f"{'way':18} {'wall s':>7} {'cpu s':>7} {'tree MB':>8} {'own MB':>7} "
             f"{'job MB':>7} {'load':>5} {'speedup':>8}  stages"]
    for result in results:
        job_mb = (result.job.get("resource_usage") or {}).get("peak_memory_mb")
        stages = ", ".join(f"{name} {seconds:.2f}" for name, seconds in result.stages.items())
        lines.append(f"{result.name:18} {result.cost.wall:>7.2f} {result.cost.cpu:>7.2f} "
                     f"{result.cost.peak_mb:>8.1f} {result.cost.own_peak_mb:>7.1f} "
                     f"{'-' if job_mb is None else f'{job_mb:.1f}':>7} "
                     f"{result.cost.load:>5.2f} {base / result.cost.wall:>7.1f}x  {stages}")
    return "\n".join(lines)


if __name__ == "__main__":
    found = compare(Path(sys.argv[1] if len(sys.argv) > 1 else ".bench/compare").resolve())
    print(table(found))
