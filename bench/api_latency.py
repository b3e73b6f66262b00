"""API latency: from ``create_flow_run`` to COMPLETED on a running ``reelflow up``.

``python -m bench.api_latency [--runs 10] [--script examples/welcome.md]`` starts ``reelflow
up`` on free ports in a fresh data directory, waits for the served deployments, runs one
warm-up job (Piper's first start, the narration cache), then creates ``--runs`` flow runs of
generate-video over the REST API one after another and polls each every 50 ms until it ends.
Prints each latency, the median and the worst, and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.fleet import call, free_port

ROOT = Path(__file__).resolve().parents[1]
FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def _call(api: str, method: str, path: str, body: Any = None) -> Any:
    """One REST call; a 503 (Prefect's server on SQLite when busy) is retried at once, so the
    retry does not pad the latency measured."""
    return call(api, method, path, body, attempts=50, pause=0.1)


def _wait_for_deployment(api: str, deadline: float) -> str:
    while time.monotonic() < deadline:
        try:
            found: dict[str, Any] = _call(api, "GET",
                                          "/deployments/name/generate-video/generate-video")
            return str(found["id"])
        except OSError:
            time.sleep(0.5)
    raise RuntimeError("the generate-video deployment did not appear")


def one_run(api: str, deployment: str, script: str, session: str) -> tuple[float, str]:
    """Creates one run and follows it; returns (seconds to its end, its final state)."""
    started = time.perf_counter()
    run = _call(api, "POST", f"/deployments/{deployment}/create_flow_run",
                {"parameters": {"script": script, "session_id": session}})
    while True:
        state = (_call(api, "GET", f"/flow_runs/{run['id']}").get("state") or {}).get("type")
        if state in FINAL:
            return time.perf_counter() - started, str(state)
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.api_latency", description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--script", type=Path, default=ROOT / "examples" / "welcome.md")
    args = parser.parse_args(argv)
    script = args.script.read_text("utf-8")
    port, web_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="reelflow-latency-") as home:
        env = {**os.environ, "REELFLOW_HOME": home, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
        for name in ("PREFECT_API_URL", "PREFECT_HOME", "REELFLOW_DATABASE_URL",
                     "REELFLOW_MEDIA_ROOT", "REELFLOW_PUBLIC_URL"):
            env.pop(name, None)
        log = open(Path(home) / "up.log", "wb")  # noqa: SIM115 - lives as long as the server
        up = subprocess.Popen([sys.executable, "-m", "reelflow.deployments.cli", "up", "--port",
                               str(port), "--web-port", str(web_port)], env=env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT)
        api = f"http://127.0.0.1:{port}/api"
        try:
            deployment = _wait_for_deployment(api, time.monotonic() + 300)
            warm, state = one_run(api, deployment, script, "warm-up")
            print(f"warm-up: {warm:.2f} s ({state})")
            latencies = []
            for n in range(args.runs):
                seconds, state = one_run(api, deployment, script, f"latency-{n}")
                latencies.append(seconds)
                print(f"run {n + 1}: {seconds:.2f} s ({state})", flush=True)
            print(f"median {statistics.median(latencies):.2f} s, worst {max(latencies):.2f} s, "
                  f"best {min(latencies):.2f} s over {len(latencies)} runs; "
                  f"load {os.getloadavg()[0]:.2f}")
        finally:
            up.send_signal(signal.SIGINT)
            try:
                up.wait(timeout=60)
            except subprocess.TimeoutExpired:
                up.kill()
            log.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
