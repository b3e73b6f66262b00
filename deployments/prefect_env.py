"""Offline, self-contained defaults for Prefect, applied at the command line's edge."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from reelflow.errors import StorageError
from reelflow.settings import Settings

PREFECT_FOLDER = "prefect"  # in REELFLOW_HOME, unless PREFECT_HOME is set


def starts_at_once(settings: Settings) -> bool:
    """Whether ``prepare_prefect(settings, local_server=True, wait=False)`` returns without
    waiting for a temporary server's first start (which creates its database): Prefect's API
    is set, or a temporary server has started here before. (A running `reelflow up` is found
    by ``prepare_prefect`` itself, which asks its API once.)"""
    if os.environ.get("PREFECT_API_URL"):
        return True
    from reelflow.deployments.local_server import started_before

    return started_before(_prefect_home(settings))


def _prefect_home(settings: Settings) -> Path:
    """Prefect's folder: PREFECT_HOME, else the data directory's own."""
    return Path(os.environ.get("PREFECT_HOME") or settings.home / PREFECT_FOLDER).expanduser()


def prepare_prefect(settings: Settings, *, quiet: bool = False,
                    local_server: bool = False, wait: bool = True) -> Callable[[], None]:
    """Sets quiet, offline Prefect defaults unless the user set their own. Call it before
    anything imports prefect.

    Without PREFECT_HOME, Prefect's local state (and its temporary server's database) goes
    into REELFLOW_HOME/prefect, so one data directory holds everything. ``quiet``: Prefect's
    log lines go to its API (the UI shows them) but not to this terminal, whose one line of
    outcome the command prints itself. ``local_server``: without PREFECT_API_URL, the server of
    a running ``reelflow up`` in this data directory is used (deployments/running_server.py),
    with the address its web server serves the media at as REELFLOW_PUBLIC_URL unless set,
    else a temporary server is started for this command (deployments/local_server.py).
    Returns what waits until that server answers (raising ReelflowError when it does not come
    up): already called unless ``wait`` is False, which lets the caller import Prefect and its
    flow while the server starts.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if quiet:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    if "PREFECT_HOME" not in os.environ:
        prefect_home = _prefect_home(settings)
        try:
            prefect_home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create Prefect's folder {prefect_home}: "
                               f"{exc.strerror or exc}") from exc
        os.environ["PREFECT_HOME"] = str(prefect_home)
    if local_server and not os.environ.get("PREFECT_API_URL"):
        from reelflow.deployments.running_server import running_up

        running = running_up(settings)  # this data directory's `reelflow up`: runs show there
        if running is not None:
            os.environ["PREFECT_API_URL"] = running.api_url
            if running.public_url is not None:  # as in up's own runs: links play the video
                os.environ.setdefault("REELFLOW_PUBLIC_URL", running.public_url)
    if local_server:
        from reelflow.deployments.local_server import DEFAULT_STARTUP_SECONDS, use_temporary_server

        timeout = os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "")
        seconds = float(timeout) if timeout.replace(".", "", 1).isdigit() else 0.0
        return use_temporary_server(_prefect_home(settings),
                                    seconds or DEFAULT_STARTUP_SECONDS, wait=wait)
    return lambda: None
