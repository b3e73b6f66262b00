"""What every end-to-end test shares: the ``reelflow`` command and a clean environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.prefect_server import clean_env, free_port, wait_for

ROOT = Path(__file__).resolve().parents[2]
REELFLOW = Path(sys.executable).with_name("reelflow")


def run(args: list[str], env: dict[str, str], stdin: bytes | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Runs ``reelflow ARGS`` from the checkout as a user would; never raises on exit codes."""
    return subprocess.run([str(REELFLOW), *args], env=env, cwd=ROOT,
                          input=stdin.decode() if stdin else None, capture_output=True,
                          text=True, timeout=timeout, check=False)


def start_up(env: dict[str, str], log: Path) -> tuple[subprocess.Popen[bytes], int, int]:
    """Starts ``reelflow up`` on free ports, its output in ``log``; returns it, the Prefect
    port and the gallery's port once it has printed its URLs."""
    port, web_port = free_port(), free_port()
    with open(log, "wb") as out:
        up = subprocess.Popen([str(REELFLOW), "up", "--port", str(port), "--web-port",
                               str(web_port)], env=env, cwd=ROOT, stdout=out,
                              stderr=subprocess.STDOUT)
    try:
        wait_for("the URLs", lambda: "Ctrl-C stops everything" in log.read_text(), timeout=240)
    except BaseException:
        up.kill()
        raise
    return up, port, web_port


@pytest.fixture
def env(tmp_path: Path, prefect_api_url: str) -> dict[str, str]:
    """A user's environment: a fresh REELFLOW_HOME, the session's Prefect server."""
    return {**clean_env(), "REELFLOW_HOME": str(tmp_path / "home"),
            "PREFECT_API_URL": prefect_api_url, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
