"""The script a job renders: read from where the run says, stored once per session and text."""

from __future__ import annotations

import uuid
from pathlib import Path

from reelflow.db.models import ScriptRecord
from reelflow.db.states import ScriptKind
from reelflow.engine.script import MAX_SCRIPT_BYTES
from reelflow.errors import InvalidScript
from reelflow.files import open_regular, read_at_most
from reelflow.services.runtime import database, utcnow
from reelflow.settings import Settings
from reelflow.storage.references import resolve_in


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


def stored_text(source: bytes) -> str:
    """Given a script's bytes (already accepted by the parser), returns the text to store:
    UTF-8 without its byte-order mark."""
    return source.decode("utf-8-sig")


def read_source(settings: Settings, script: str | None, script_path: str | None,
                ) -> tuple[bytes, str | None, ScriptKind, Path | None]:
    """Returns (bytes, source name, kind, folder) of a script given inline or as a path.

    Exactly one of the two must be given. An inline script has no folder. ``script_path``
    may name only a regular file inside the configured script folders (REELFLOW_SCRIPT_DIRS,
    none by default), read up to the script size limit: never a device, FIFO or a link out.
    Raises InvalidScript otherwise; decoding and validation are the parser's.
    """
    if (script is None) == (script_path is None):
        raise InvalidScript("give either the script text (script) or a path (script_path)")
    if script is not None:
        return script.encode("utf-8", "surrogatepass"), None, ScriptKind.INLINE, None
    written = script_path or ""
    if not settings.script_dirs:
        raise InvalidScript("script_path is switched off: no script folders are configured "
                            "(REELFLOW_SCRIPT_DIRS); send the script's text as script instead")
    path = resolve_in(written, settings.script_dirs, "the script folders (REELFLOW_SCRIPT_DIRS)")
    try:
        with open_regular(path) as stream:
            data = read_at_most(stream, MAX_SCRIPT_BYTES)
    except OSError as exc:
        raise InvalidScript(f"cannot read script file {written!r}: {exc.strerror or exc}") \
            from exc
    if len(data) > MAX_SCRIPT_BYTES:
        raise InvalidScript(f"script file {written!r} is larger than the limit of "
                            f"{MAX_SCRIPT_BYTES:,} bytes")
    return data, path.name, ScriptKind.UPLOADED, path.parent
