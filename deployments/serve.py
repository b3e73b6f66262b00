"""The two deployments, and serving them without a work pool (the embedded mode).

prefect.yaml declares the same two deployments for a process work pool in production.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Any

from reelflow.errors import ReelflowError

GENERATE = "generate-video"
CLEANUP = "cleanup-media"
CLEANUP_CRON = "0 3 * * *"


def deployments(cleanup_cron: str = CLEANUP_CRON) -> list[Any]:
    """Returns the generate-video and cleanup-media deployments (the latter on a cron)."""
    from reelflow.flows.cleanup_media import cleanup_media
    from reelflow.flows.generate_video import generate_video

    return [
        generate_video.to_deployment(
            name=GENERATE, tags=["reelflow"],
            description="Render a script into a narrated, verified MP4 (one run = one job)."),
        cleanup_media.to_deployment(
            name=CLEANUP, tags=["reelflow"], cron=cleanup_cron,
            description="Enforce retention in the media root and fail jobs lost workers left."),
    ]


def serve_deployments(limit: int, cleanup_cron: str = CLEANUP_CRON) -> None:
    """Serves both deployments until interrupted; runs execute in subprocesses of this one.

    Schedules are left active on shutdown (a Ctrl-C must not pause the daily cleanup).
    """
    from prefect import serve

    # A served run should start within a second or two of its creation, not Prefect's default
    # ten-second poll.
    os.environ.setdefault("PREFECT_RUNNER_POLL_FREQUENCY", "2")
    serve(*deployments(cleanup_cron), limit=limit, pause_on_shutdown=False,
          print_starting_message=False)


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
        env=None if env is None else dict(env))
    api = f"http://{host}:{port}/api"
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
