"""Offline, self-contained defaults for Prefect, applied at the command line's edge."""

from __future__ import annotations

import os

from reelflow.settings import Settings


def prepare_prefect(settings: Settings, quiet: bool = False) -> None:
    """Sets quiet, offline Prefect defaults unless the user set their own.

    Without PREFECT_HOME, Prefect's local state (and its ephemeral server's database) goes
    into REELFLOW_HOME/prefect, so one data directory holds everything. ``quiet``: Prefect's
    log lines go to its API (the UI shows them) but not to this terminal, whose one line of
    outcome the command prints itself.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    if quiet:
        os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")
    settings.home.mkdir(parents=True, exist_ok=True)
    if "PREFECT_HOME" not in os.environ:
        prefect_home = settings.home / "prefect"
        prefect_home.mkdir(parents=True, exist_ok=True)
        os.environ["PREFECT_HOME"] = str(prefect_home)
