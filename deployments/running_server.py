"""The Prefect server of a running ``reelflow up``, found by the other commands.

``reelflow up`` writes ``$REELFLOW_HOME/prefect-server.json`` (its API URL and process id)
while it runs and removes it when it stops. A command that needs Prefect (``render``,
``cleanup``) uses that server when the file names a live process whose API answers: its run
then shows in the UI, and no temporary server is started. A stale file (a killed ``up``) is
ignored.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from reelflow.deployments.serve import api_is_healthy
from reelflow.files import atomic_output
from reelflow.settings import Settings

FILE_NAME = "prefect-server.json"


def _file(settings: Settings) -> Path:
    return settings.home / FILE_NAME


@contextmanager
def announced(settings: Settings, api_url: str, public_url: str | None = None
              ) -> Iterator[None]:
    """Names this process's Prefect server (and the address its web server serves the
    gallery and the media at) for the data directory while the block runs."""
    path = _file(settings)
    with atomic_output(path) as temp:
        temp.write_text(json.dumps({"api_url": api_url, "pid": os.getpid(),
                                    "public_url": public_url}), "utf-8")
    try:
        yield
    finally:
        path.unlink(missing_ok=True)


@dataclass(frozen=True)
class RunningUp:
    """A live ``reelflow up``: its Prefect API, and where its web server serves the gallery
    and the media (None: it announced none)."""

    api_url: str
    public_url: str | None


def running_up(settings: Settings) -> RunningUp | None:
    """Returns the data directory's running ``reelflow up`` when its API answers, or None."""
    found = _announced(settings)
    return found if found is not None and api_is_healthy(found.api_url, timeout=1.0) else None


def find(settings: Settings) -> str | None:
    """Returns the API URL of the data directory's running ``reelflow up``, or None."""
    found = running_up(settings)
    return found.api_url if found is not None else None


def public_url(settings: Settings) -> str | None:
    """Returns the address at which the data directory's live ``reelflow up`` serves the
    gallery and the media, or None (no up, or one that announced none)."""
    found = _announced(settings)
    return found.public_url if found is not None else None


def _announced(settings: Settings) -> RunningUp | None:
    """What a live ``reelflow up`` wrote, or None (no file, a broken one, or its up is gone)."""
    try:
        found = json.loads(_file(settings).read_text("utf-8"))
        api, pid, address = str(found["api_url"]), int(found["pid"]), found.get("public_url")
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None  # the up that wrote it is gone
    except PermissionError:
        pass  # alive, another user's
    return RunningUp(api, address if isinstance(address, str) and address else None)
