"""A temporary Prefect server for one command, started the way Prefect's ephemeral mode
starts one, with two differences that matter when several commands share a data directory.

- It dies with the command, even one killed with SIGKILL (reelflow.processes); Prefect's
  own ephemeral server stays behind as an orphan then.
- The first start in a new PREFECT_HOME (which creates and migrates Prefect's database, and
  registers its block types) happens once, under a file lock; commands started at the same
  moment wait for it instead of racing each other's migrations into a start-up timeout.
Must run before ``prefect`` is imported: Prefect reads PREFECT_API_URL once, at import.
"""

from __future__ import annotations

import atexit
import fcntl
import importlib.util
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from reelflow.deployments.serve import api_is_healthy
from reelflow.errors import ReelflowError
from reelflow.processes import die_with_parent

DEFAULT_STARTUP_SECONDS = 180.0
_ATTEMPTS = 3


def use_temporary_server(prefect_home: Path, startup_seconds: float = DEFAULT_STARTUP_SECONDS,
                         ) -> str | None:
    """Unless PREFECT_API_URL is set, starts a server on a free local port, points this
    process at it and stops it when the process exits; returns its API URL (None: one was
    set). Raises ReelflowError, with the server's last words, when it does not come up."""
    if os.environ.get("PREFECT_API_URL"):
        return None
    prefect_home.mkdir(parents=True, exist_ok=True)
    ready = prefect_home / f".reelflow-server-ready-{_prefect_version()}"
    with open(prefect_home / ".reelflow-server.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if ready.exists():
            fcntl.flock(lock, fcntl.LOCK_UN)  # the first start is done: start side by side
        server, api = _start(prefect_home, startup_seconds)
        ready.touch()
    atexit.register(_stop, server)
    os.environ["PREFECT_API_URL"] = api
    return api


def _start(prefect_home: Path, startup_seconds: float) -> tuple[subprocess.Popen[bytes], str]:
    log_path = prefect_home / "temporary-server.log"
    for _ in range(_ATTEMPTS):  # another process may take the free port before uvicorn does
        port = _free_port()
        api = f"http://127.0.0.1:{port}/api"
        with open(log_path, "ab") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", _site_packages(), "--factory",
                 "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port",
                 str(port), "--log-level", "error", "--lifespan", "on"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
                     "PREFECT__SERVER_FINAL": "1"},
                preexec_fn=die_with_parent())  # noqa: PLW1509 - started from the main thread
        deadline = time.monotonic() + startup_seconds
        while time.monotonic() < deadline and server.poll() is None:
            if api_is_healthy(api):
                return server, api
            time.sleep(0.2)
        if server.poll() is None:
            _stop(server)
            break  # alive but silent: a retry on another port would not help
    tail = log_path.read_text(errors="replace").strip().splitlines()[-3:]
    raise ReelflowError(f"the temporary Prefect server did not start within "
                        f"{startup_seconds:.0f} s (log {log_path}: {' | '.join(tail)})")


def _stop(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _site_packages() -> str:
    spec = importlib.util.find_spec("prefect")  # finds it without importing it
    if spec is None or spec.origin is None:
        raise ReelflowError("Prefect is not installed")
    return str(Path(spec.origin).parent.parent)


def _prefect_version() -> str:
    from importlib.metadata import version

    return version("prefect")
