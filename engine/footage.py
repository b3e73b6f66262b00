"""A scene's clip or recorded narration: checked from its content before any work.

The file must be what the scene asks for, judged by PyAV (engine/sniff.py) and never by its
name: a video clip (MP4 or WebM) for ``clip``, an audio file (WAV, MP3, FLAC, Ogg, M4A) for
``audio``. It must be decodable, and no longer than MAX_SECONDS: a scene lasts at most that
long (engine/script.py), so a longer recording could never be played whole, and a longer clip
would be read for nothing. A clip's picture may be at most MAX_SIDE pixels on either side.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reelflow.engine.script import MAX_HEIGHT, MAX_SCENE_SECONDS, MAX_WIDTH
from reelflow.engine.sniff import sniff
from reelflow.errors import InvalidMedia, InvalidScript

FootageKind = Literal["video", "audio"]
MAX_SECONDS = MAX_SCENE_SECONDS
MAX_BYTES = 2 * 2**30
_NOUN = {"video": "a video clip (MP4 or WebM)", "audio": "an audio file (WAV, MP3, FLAC, Ogg, "
         "M4A)"}


@dataclass(frozen=True)
class FootageFacts:
    """What the check found: the kind, the usual extension, its length in seconds, and the
    data model's metadata (video: resolution, fps, codec, has_audio; audio: sample_rate,
    channels, codec)."""

    kind: FootageKind
    extension: str
    duration: float
    metadata: dict[str, Any] = field(default_factory=dict)


def check_footage(path: Path, kind: FootageKind) -> FootageFacts:
    """Given a file and the kind the scene wants, returns what it is; raises InvalidScript
    with the reason (not media, the wrong kind, too long, too large, cannot be decoded)."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise InvalidScript(f"is larger than {MAX_BYTES // 2**30} GB")
        found = sniff(path)
    except InvalidMedia as exc:
        raise InvalidScript(f"cannot be used: {exc}") from None
    except PermissionError as exc:
        raise InvalidScript(f"cannot be read: {exc.strerror or exc}") from None
    if found.kind != kind:
        raise InvalidScript(f"is not {_NOUN[kind]}: its content is {_article(found.kind)} "
                            f"{found.kind} file")
    duration = found.duration or 0.0
    if duration > MAX_SECONDS:
        raise InvalidScript(f"lasts {duration:.0f} s; a scene's {_role(kind)} may last at most "
                            f"{MAX_SECONDS:.0f} s")
    if kind == "video":
        width, height = (int(n) for n in str(found.metadata["resolution"]).split("x"))
        if width > MAX_WIDTH or height > MAX_HEIGHT or width < 1 or height < 1:
            raise InvalidScript(f"is {width}x{height} pixels; the limit is "
                                f"{MAX_WIDTH}x{MAX_HEIGHT}")
    return FootageFacts(kind, found.extension, duration, dict(found.metadata))


def _article(kind: str) -> str:
    return "an" if kind in ("image", "audio") else "a"


def _role(kind: FootageKind) -> str:
    return "clip" if kind == "video" else "recorded narration"
