"""Storing the script as a task."""

from __future__ import annotations

import uuid

from prefect import task

from reelflow.db.states import ScriptKind
from reelflow.services.scripts import store_script as store
from reelflow.settings import Settings


@task(name="store-script", retries=2, retry_delay_seconds=1)
def store_script(settings: Settings, title: str, text: str, source_name: str | None,
                 kind: ScriptKind, session_id: str) -> uuid.UUID:
    """Stores the script's text (once per text and session) and returns its id."""
    return store(settings, title, text, source_name, kind, session_id)
