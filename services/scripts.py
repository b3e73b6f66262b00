"""The script a job renders: read from where the run says, stored once per session and text."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from reelflow.db.models import ScriptRecord
from reelflow.db.states import ScriptKind
from reelflow.engine.parsing import parse_script
from reelflow.engine.script import MAX_SCRIPT_BYTES
from reelflow.errors import InvalidScript
from reelflow.files import open_regular, read_at_most
from reelflow.services.runtime import database, utcnow
from reelflow.settings import Settings
from reelflow.storage.references import resolve_in
from reelflow.vocabulary import (
    DEFAULT_CAPTION_POSITION,
    DEFAULT_CAPTIONS,
    DEFAULT_CLIP_AUDIO,
    DEFAULT_FIT,
    DEFAULT_FORMATS,
    DEFAULT_LANGUAGE,
    DEFAULT_MOTION,
    DEFAULT_MUSIC_VOLUME,
    DEFAULT_QUALITY,
    DEFAULT_RESOLUTION,
    DEFAULT_SPEECH_ENGINE,
    DEFAULT_TRANSITION,
    DEFAULT_TRANSITION_SECONDS,
)


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


def read_source(settings: Settings, script: str | None, script_path: str | None,
                ) -> tuple[bytes, str | None, ScriptKind, Path | None]:
    """Returns (bytes, source name, kind, folder) of a script given inline or as a path.

    Exactly one of the two must be given (an empty or blank value is not given). An inline
    script has no folder. ``script_path`` may name only a regular file inside the configured
    script folders (REELFLOW_SCRIPT_DIRS, none by default), read up to the script size limit:
    never a device, FIFO or a link out. Raises InvalidScript otherwise; decoding and
    validation are the parser's.
    """
    text = script if (script or "").strip() else ""
    written = (script_path or "").strip()
    if not text and not written:
        raise InvalidScript("no script: paste the script's text into 'script' (or give "
                            "'script_path', a script file on the worker)")
    if text and written:
        raise InvalidScript("give either the script's text (script) or a path (script_path), "
                            "not both")
    if text:
        return text.encode("utf-8", "surrogatepass"), None, ScriptKind.INLINE, None
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


def overrides(*, title: str = "", resolution: str = DEFAULT_RESOLUTION,
              custom_resolution: str = "", quality_preset: str = DEFAULT_QUALITY,
              tts: str = DEFAULT_SPEECH_ENGINE, include_audio: bool = True,
              captions: str = DEFAULT_CAPTIONS, motion: str = DEFAULT_MOTION,
              formats: Sequence[str] = DEFAULT_FORMATS,
              caption_position: str = DEFAULT_CAPTION_POSITION, poster_scene: int = 1,
              language: str = DEFAULT_LANGUAGE, music: str = "",
              music_volume: float = DEFAULT_MUSIC_VOLUME,
              transition: str = DEFAULT_TRANSITION,
              transition_seconds: float = DEFAULT_TRANSITION_SECONDS, fit: str = DEFAULT_FIT,
              clip_audio: str = DEFAULT_CLIP_AUDIO) -> dict[str, object]:
    """Given a run's parameters (the generate-video flow's names and defaults), returns the
    settings that win over the script's own.

    A run form always sends every field, so a parameter left at its default (or empty) cannot
    be told from one chosen on purpose: it lets the script's own setting decide, and the
    default applies only when the script has none. Any other value overrides the script;
    ``custom_resolution``, when given, overrides ``resolution``.
    """
    given: dict[str, object | None] = {
        "title": title.strip() or None,
        "resolution": custom_resolution.strip() or _unless_default(resolution,
                                                                   DEFAULT_RESOLUTION),
        "quality": _unless_default(quality_preset, DEFAULT_QUALITY),
        "tts": _unless_default(tts.strip(), DEFAULT_SPEECH_ENGINE),
        "include_audio": None if include_audio else False,
        "captions": _unless_default(captions, DEFAULT_CAPTIONS),
        "motion": _unless_default(motion, DEFAULT_MOTION),
        "formats": None if list(formats) in ([], list(DEFAULT_FORMATS)) else list(formats),
        "caption_position": _unless_default(caption_position, DEFAULT_CAPTION_POSITION),
        "poster_scene": None if poster_scene == 1 else poster_scene,
        "language": _unless_default(language.strip(), DEFAULT_LANGUAGE),
        "music": music.strip() or None,
        "music_volume": None if music_volume == DEFAULT_MUSIC_VOLUME else music_volume,
        "transition": _unless_default(transition, DEFAULT_TRANSITION),
        "transition_seconds": None if transition_seconds == DEFAULT_TRANSITION_SECONDS
        else transition_seconds,
        "fit": _unless_default(fit, DEFAULT_FIT),
        "clip_audio": _unless_default(clip_audio, DEFAULT_CLIP_AUDIO),
    }
    return {key: value for key, value in given.items() if value is not None}


def _unless_default(value: str, default: str) -> str | None:
    return None if value in ("", default) else value


def title_of(settings: Settings, script: str | None, script_path: str | None,
             title: str | None) -> str | None:
    """Returns the title a run of these parameters gets: ``title``, else the script's own
    (its # Title, else its file's name); None when the script cannot be read or parsed."""
    if title and title.strip():
        return title.strip()
    try:
        source, source_name, _, _ = read_source(settings, script, script_path)
        return parse_script(source, source_name=source_name).title
    except InvalidScript:
        return None
