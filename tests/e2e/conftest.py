"""What every end-to-end test shares: the ``reelflow`` command and a clean environment."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.prefect_server import clean_env

ROOT = Path(__file__).resolve().parents[2]
REELFLOW = Path(sys.executable).with_name("reelflow")


def run(args: list[str], env: dict[str, str], stdin: bytes | None = None,
        timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Runs ``reelflow ARGS`` from the checkout as a user would; never raises on exit codes."""
    return subprocess.run([str(REELFLOW), *args], env=env, cwd=ROOT,
                          input=stdin.decode() if stdin else None, capture_output=True,
                          text=True, timeout=timeout, check=False)


@pytest.fixture
def env(tmp_path: Path, prefect_api_url: str) -> dict[str, str]:
    """A user's environment: a fresh REELFLOW_HOME, the session's Prefect server."""
    return {**clean_env(), "REELFLOW_HOME": str(tmp_path / "home"),
            "PREFECT_API_URL": prefect_api_url, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
