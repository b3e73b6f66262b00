"""A temporary Prefect server for one command, started the way Prefect's ephemeral mode
starts one, with two differences that matter when several commands share a data directory.

- It dies with the command, even one killed with SIGKILL (reelflow.processes); Prefect's
  own ephemeral server stays behind as an orphan then.
- The first start in a new PREFECT_HOME (which creates and migrates Prefect's database, and
  registers its block types) happens once, under a file lock; commands started at the same
  moment wait for it instead of racing each other's migrations into a start-up timeout.
- Its socket is bound by the command and handed to uvicorn, so the port is known at once and
  nothing can take it meanwhile; the command may import Prefect and its flow while the server
  starts, and wait for it only before the run.
Must run before ``prefect`` is imported: Prefect reads PREFECT_API_URL once, at import.
"""

from __future__ import annotations

import atexit
import fcntl
import functools
import importlib.util
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from reelflow.deployments.serve import api_is_healthy
from reelflow.errors import ReelflowError
from reelflow.processes import die_with_parent

DEFAULT_STARTUP_SECONDS = 180.0


def use_temporary_server(prefect_home: Path, startup_seconds: float = DEFAULT_STARTUP_SECONDS,
                         *, wait: bool = True) -> Callable[[], None]:
    """Unless PREFECT_API_URL is set, starts a server on a free local port, points this
    process at it and stops it when the process exits. Returns what waits until it answers:
    already called when ``wait`` (and always on a new PREFECT_HOME, whose first start is
    waited for under the lock); otherwise the caller does its imports meanwhile and calls it
    before Prefect is used. Waiting raises ReelflowError, with the server's last words, when
    it does not come up."""
    if os.environ.get("PREFECT_API_URL"):
        return _nothing
    prefect_home.mkdir(parents=True, exist_ok=True)
    ready = _ready_marker(prefect_home)
    with open(prefect_home / ".reelflow-server.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        first = not ready.exists()
        if not first:
            fcntl.flock(lock, fcntl.LOCK_UN)  # the first start is done: start side by side
        server, api, log_path = _start(prefect_home, _prepared_env(first))
        atexit.register(_stop, server)
        os.environ["PREFECT_API_URL"] = api
        answered = functools.partial(_wait, server, api, log_path, startup_seconds)
        if first or wait:
            answered()
            ready.touch()
            return _nothing
    return answered


def started_before(prefect_home: Path) -> bool:
    """Whether a temporary server has started in ``prefect_home`` with this Prefect version
    (the next one starts without waiting for a first start's database set-up)."""
    return _ready_marker(prefect_home).exists()


def _ready_marker(prefect_home: Path) -> Path:
    return prefect_home / f".reelflow-server-ready-{_prefect_version()}"


def _nothing() -> None:
    return None


def _prepared_env(first: bool) -> dict[str, str]:
    """The server's own settings. After the first start with this Prefect version (which
    migrated the database and registered the block types), the next ones skip both checks,
    about 0.3 s of each start, unless the user points Prefect at another database or sets
    them."""
    skipped: dict[str, str] = {}
    if not first and "PREFECT_API_DATABASE_CONNECTION_URL" not in os.environ:
        skipped = {"PREFECT_API_DATABASE_MIGRATE_ON_START": "false",
                   "PREFECT_API_BLOCKS_REGISTER_ON_START": "false"}
    return {**skipped, **{name: os.environ[name] for name in skipped if name in os.environ},
            "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
            "PREFECT__SERVER_FINAL": "1"}


def _start(prefect_home: Path, settings: dict[str, str],
           ) -> tuple[subprocess.Popen[bytes], str, Path]:
    """Starts uvicorn on a socket bound here, on a free port: no other process can take the
    port between its choice and the server's start."""
    log_path = prefect_home / "temporary-server.log"
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen(128)
        api = f"http://127.0.0.1:{listening.getsockname()[1]}/api"
        with open(log_path, "ab") as log:
            server = subprocess.Popen(
                [sys.executable, "-m", "uvicorn", "--app-dir", _site_packages(), "--factory",
                 "prefect.server.api.server:create_app", "--fd", str(listening.fileno()),
                 "--log-level", "error", "--lifespan", "on"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=[listening.fileno()],
                env={**os.environ, **settings},
                preexec_fn=die_with_parent())  # noqa: PLW1509 - started from the main thread
    return server, api, log_path


def _wait(server: subprocess.Popen[bytes], api: str, log_path: Path,
          startup_seconds: float) -> None:
    deadline = time.monotonic() + startup_seconds
    while time.monotonic() < deadline and server.poll() is None:
        if api_is_healthy(api):
            return
        time.sleep(0.1)
    _stop(server)
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


def _site_packages() -> str:
    spec = importlib.util.find_spec("prefect")  # finds it without importing it
    if spec is None or spec.origin is None:
        raise ReelflowError("Prefect is not installed")
    return str(Path(spec.origin).parent.parent)


def _prefect_version() -> str:
    from importlib.metadata import version

    return version("prefect")
