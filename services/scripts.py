"""The script a job renders: read from where the run says, stored once per session and text."""

from __future__ import annotations

import uuid
from pathlib import Path

from reelflow.db.models import ScriptRecord
from reelflow.db.states import ScriptKind
from reelflow.errors import InvalidScript
from reelflow.services.runtime import database, utcnow
from reelflow.settings import Settings


def store_script(settings: Settings, title: str, text: str, source_name: str | None,
                 kind: ScriptKind, session_id: str) -> uuid.UUID:
    """Stores the script's text and returns its id; the same text in the same session is
    stored once. The hash is of the stored text, so one file sent inline or by path (with or
    without a byte-order mark) is one script."""
    record = ScriptRecord.from_text(title=title, kind=kind, content=text, session_id=session_id,
                                    now=utcnow(), source_name=source_name)
    with database(settings).unit_of_work() as uow:
        existing = uow.scripts.find_by_sha256(record.sha256, session_id)
        if existing is not None:
            return existing.id
        uow.scripts.add(record)
        uow.commit()
        return record.id


def load_script(settings: Settings, script_id: uuid.UUID) -> tuple[str, str | None]:
    """Returns (text, source name) of a stored script; raises NotFound."""
    with database(settings).unit_of_work(read_only=True) as uow:
        script = uow.scripts.get(script_id)
        return script.content, script.source_name


def stored_text(source: bytes) -> str:
    """Given a script's bytes (already accepted by the parser), returns the text to store:
    UTF-8 without its byte-order mark."""
    return source.decode("utf-8-sig")


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
