"""Serving the deployments without a work pool (the embedded mode), and the local server.

The deployments are prefect.yaml's (deployments/definitions.py), built here as served ones.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from reelflow.deployments.definitions import Definition, definitions
from reelflow.deployments.warm_runs import start_warm_runs
from reelflow.errors import ReelflowError
from reelflow.processes import die_with_parent


def deployments() -> list[Any]:
    """Returns prefect.yaml's deployments as served ones, each with its description, tags,
    parameters, schedules and concurrency limit."""
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.types.entrypoint import EntrypointType

    built = []
    for spec in definitions().values():
        flow = _flow(spec)
        built.append(flow.to_deployment(
            name=spec.name, description=spec.description, tags=list(spec.tags),
            parameters=spec.parameters, concurrency_limit=spec.concurrency_limit,
            schedules=[CronSchedule(cron=cron, timezone=zone) for cron, zone in spec.schedules],
            entrypoint_type=EntrypointType.MODULE_PATH))
    return built


def _flow(spec: Definition) -> Any:
    import importlib

    try:
        return getattr(importlib.import_module(spec.module), spec.function)
    except (ImportError, AttributeError) as exc:
        raise ReelflowError(f"deployment {spec.name}: cannot load {spec.entrypoint}") from exc

POLL_SECONDS = 0.5  # how often the served runner asks the server for runs to start


def serve_deployments(limit: int) -> None:
    """Serves both deployments until interrupted; runs execute in subprocesses of this one.

    Schedules are left active on shutdown (a Ctrl-C must not pause the daily cleanup).
    """
    from prefect import serve

    # A served run should start within a second of its creation, not after Prefect's default
    # ten-second poll (PREFECT_RUNNER_POLL_FREQUENCY is read when Prefect is imported, too
    # late to set here, so it is passed): two indexed queries a second, milliseconds each.
    start_warm_runs()
    serve(*deployments(), limit=limit, pause_on_shutdown=False,
          print_starting_message=False, query_seconds=POLL_SECONDS)


WILDCARD_HOSTS = ("0.0.0.0", "::", "")


def local_address(host: str) -> str:
    """The address this machine reaches a server on that listens on ``host``."""
    return "127.0.0.1" if host in WILDCARD_HOSTS else host


def server_env(host: str, port: int) -> dict[str, str]:
    """Returns the Prefect settings a server on ``host:port`` needs so its UI calls its own
    API (Prefect's default is port 4200 whatever --port says, or PREFECT_API_URL if set).

    A server listening on every interface gives its UI the relative URL /api, so the browser
    reaches the API through whatever address it reached the UI.
    """
    wildcard = host in WILDCARD_HOSTS
    base = f"http://{local_address(host)}:{port}"
    return {"PREFECT_API_URL": f"{base}/api",
            "PREFECT_UI_API_URL": "/api" if wildcard else f"{base}/api",
            "PREFECT_UI_URL": base}


def api_is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    """True when a Prefect API answers its health check at ``api_url``."""
    try:
        with urllib.request.urlopen(f"{api_url.rstrip('/')}/health", timeout=timeout) as reply:
            return bool(reply.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start_server(host: str, port: int, log_path: str, wait_seconds: float = 180.0,
                 env: Mapping[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Starts ``prefect server start`` (in ``env``, default this process's) and waits until
    its API is healthy.

    Raises ReelflowError (with the end of the server's log) if it exits or does not answer.
    """
    log = open(log_path, "ab")  # noqa: SIM115 - the server writes to it for its whole life
    server = subprocess.Popen(
        [sys.executable, "-m", "prefect", "server", "start", "--host", host, "--port",
         str(port)], stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
        env=None if env is None else dict(env),
        preexec_fn=die_with_parent())  # noqa: PLW1509 - no other thread forks meanwhile
    api = f"http://{local_address(host)}:{port}/api"
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        if api_is_healthy(api):
            return server
        time.sleep(0.5)
    server.terminate()
    with open(log_path, "rb") as written:
        tail = written.read().decode(errors="replace").strip().splitlines()[-5:]
    raise ReelflowError(f"the Prefect server did not start on {api}: {' | '.join(tail)}")
