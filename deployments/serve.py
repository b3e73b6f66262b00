"""Serving the deployments without a work pool (the embedded mode), and the local server.

The deployments are prefect.yaml's (deployments/definitions.py), built here as served ones.
"""

from __future__ import annotations

import asyncio
import contextlib
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
    return [flow.to_deployment(**options) for flow, options in _served()]


def _served() -> list[tuple[Any, dict[str, Any]]]:
    """Per deployment of prefect.yaml: its flow, and the options that make it a deployment."""
    from prefect.client.schemas.schedules import CronSchedule
    from prefect.types.entrypoint import EntrypointType

    return [(_flow(spec), {
        "name": spec.name, "description": spec.description, "tags": list(spec.tags),
        "parameters": spec.parameters, "concurrency_limit": spec.concurrency_limit,
        "schedules": [CronSchedule(cron=cron, timezone=zone) for cron, zone in spec.schedules],
        "entrypoint_type": EntrypointType.MODULE_PATH}) for spec in definitions().values()]


def _flow(spec: Definition) -> Any:
    import importlib

    try:
        return getattr(importlib.import_module(spec.module), spec.function)
    except (ImportError, AttributeError) as exc:
        raise ReelflowError(f"deployment {spec.name}: cannot load {spec.entrypoint}") from exc

POLL_SECONDS = 0.5  # how often the served runner asks the server for runs to start


def serve_deployments(limit: int) -> None:
    """Serves both deployments until interrupted; runs execute in subprocesses of this one.

    Each deployment is added with its flow object (Prefect's ``Runner.add_flow``), so the
    runner starts a run by running that flow in a process forked from the warm server
    (deployments/warm_runs.py); ``prefect.serve`` adds deployments without their flows, and
    each run then starts a new interpreter (``python -m prefect.engine``) that imports
    everything again: about 1.5 s of every run. Schedules are left active on shutdown (a
    Ctrl-C must not pause the daily cleanup).
    """
    from prefect.exceptions import TerminationSignal
    from prefect.runner import Runner

    # A served run should start within a second of its creation, not after Prefect's default
    # ten-second poll (PREFECT_RUNNER_POLL_FREQUENCY is read when Prefect is imported, too
    # late to set here, so it is passed): two indexed queries a second, milliseconds each.
    start_warm_runs()
    runner = Runner(limit=limit, pause_on_shutdown=False, query_seconds=POLL_SECONDS)
    for flow, options in _served():
        runner.add_flow(_sent_by_reference(flow), **options)
    with contextlib.suppress(KeyboardInterrupt, TerminationSignal):  # how serving ends
        asyncio.run(runner.start())


def _sent_by_reference(flow: Any) -> Any:
    """Returns ``flow`` with its function named by where it is found (``generate_video.fn``),
    so that the runner's pickle sends the run's process a reference to it, not a copy.

    cloudpickle copies a function whose module does not hold it under its own name (the
    module's ``generate_video`` is the Flow around it); a copy keeps only the globals its
    code uses, so the ``Annotated`` of its parameters no longer resolves and Prefect's
    parameter check fails in the run's process.
    """
    function = flow.fn
    if not function.__qualname__.endswith(".fn"):
        function.__qualname__ = f"{function.__qualname__}.fn"
    return flow


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
