"""Storing the script a job renders."""

from __future__ import annotations

import uuid
from pathlib import Path

from prefect import task

from db.models import ScriptRecord
from db.states import ScriptKind
from deployments.settings import Settings
from engine.errors import InvalidScript
from engine.parsing import script_sha256
from engine.script import Script
from tasks.runtime import database, utcnow


@task(name="store-script", retries=2, retry_delay_seconds=1)
def store_script(settings: Settings, script: Script, source: bytes, source_name: str | None,
                 kind: ScriptKind, session_id: str) -> uuid.UUID:
    """Stores the script text and returns its id; the same text in the same session is reused."""
    digest = script_sha256(source)
    with database(settings).unit_of_work() as uow:
        existing = uow.scripts.find_by_sha256(digest, session_id)
        if existing is not None:
            return existing.id
        record = ScriptRecord(
            id=uuid.uuid4(), title=script.title, kind=kind, source_name=source_name,
            sha256=digest, content=source.decode("utf-8-sig"), session_id=session_id,
            created_at=utcnow(),
        )
        uow.scripts.add(record)
        uow.commit()
        return record.id


def read_source(script: str | None, script_path: str | None) -> tuple[bytes, str | None,
                                                                      ScriptKind, str | None]:
    """Returns (bytes, source name, kind, folder) of a script given inline or as a path.

    Exactly one of the two must be given. Raises InvalidScript otherwise, or when the file
    cannot be read; decoding and validation are the parser's (it names bad UTF-8 and sizes).
    """
    if (script is None) == (script_path is None):
        raise InvalidScript("give either the script text (script) or a path (script_path)")
    if script is not None:
        return script.encode("utf-8"), None, ScriptKind.INLINE, None
    path = Path(script_path or "").expanduser()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidScript(f"cannot read script file {path}: {exc.strerror or exc}") from exc
    return data, path.name, ScriptKind.UPLOADED, str(path.resolve().parent)
