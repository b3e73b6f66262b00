"""A real Prefect server in a subprocess, for tests that drive Prefect as its users do."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.fleet import call, clean_env, free_port, stop

__all__ = ["call", "clean_env", "free_port", "start", "stop", "wait_for"]


def wait_for(what: str, check: Callable[[], Any], timeout: float = 180.0) -> Any:
    """Polls ``check`` until it returns something truthy; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def start(home: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """Starts ``prefect server start`` on a free port; returns it and its API URL once healthy.

    ``env`` is updated with PREFECT_HOME (in ``home``) and PREFECT_API_URL.
    """
    from reelflow.deployments.serve import start_server

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env.update({"PREFECT_HOME": str(home / "prefect"), "PREFECT_API_URL": api,
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_UI_ENABLED": "false"})
    return start_server("127.0.0.1", port, str(home / "server.log"), env=env), api
