"""A real Prefect server in a subprocess, for tests that drive Prefect as its users do."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


def clean_env() -> dict[str, str]:
    """This process's environment without any PREFECT_ or REELFLOW_ setting."""
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "REELFLOW_"))}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], timeout: float = 180.0) -> Any:
    """Polls ``check`` until it returns something truthy; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def call(api: str, method: str, path: str, body: Any = None, attempts: int = 5) -> Any:
    """One JSON request to the Prefect REST API.

    A 503 is retried: a Prefect server on SQLite answers it while its database is busy, which
    a loaded 2-core machine makes common and which a real client would also retry.
    """
    data = None if body is None else json.dumps(body).encode()
    for attempt in range(attempts):
        request = urllib.request.Request(f"{api}{path}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                text = reply.read().decode()
                return json.loads(text) if text else None
        except urllib.error.HTTPError as exc:
            if exc.code != 503 or attempt == attempts - 1:
                raise
            time.sleep(1 + attempt)
    raise AssertionError("unreachable")


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


def stop(*processes: subprocess.Popen[bytes]) -> None:
    """Interrupts the processes, then kills any that does not stop within 30 s."""
    import signal

    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    for process in processes:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
