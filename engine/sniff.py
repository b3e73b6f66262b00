"""What a media file really is, told from its content, never from its name.

Images are checked as a scene's picture is (engine/pictures.py: opened with Pillow, at most 40
megapixels, decoded in full, so a truncated file fails here, not in a render); audio and video
are opened with PyAV and their first frame decoded. Only a short list of formats is accepted: a
demuxer that "recognises" a text file (ffmpeg has several) must not turn it into an asset.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from reelflow.engine.pictures import check_picture
from reelflow.errors import InvalidMedia, InvalidScript

MediaKind = Literal["image", "audio", "video"]
IMAGE_EXTENSIONS = {"PNG": ".png", "JPEG": ".jpg", "WEBP": ".webp", "GIF": ".gif"}
AUDIO_CONTAINERS = {"wav": ".wav", "mp3": ".mp3", "flac": ".flac", "ogg": ".ogg"}
MP4_FAMILY = "mov,mp4,m4a,3gp,3g2,mj2"
WEBM_FAMILY = "matroska,webm"


@dataclass(frozen=True)
class Sniffed:
    """A file's kind, the extension it is stored under, the asset metadata the data model
    wants for that kind, and its duration (None for images)."""

    kind: MediaKind
    extension: str
    metadata: dict[str, Any] = field(default_factory=dict)
    duration: float | None = None


def sniff(path: Path) -> Sniffed:
    """Given a file, returns what it is; raises InvalidMedia when it is not a readable image,
    audio or video file of an accepted format (PNG, JPEG, WebP, GIF; WAV, MP3, FLAC, Ogg,
    M4A; MP4, WebM)."""
    image = _image(path)
    if image is not None:
        return image
    timed = _timed(path)
    if timed is not None:
        return timed
    raise InvalidMedia("not an image, audio or video file reelflow accepts (PNG, JPEG, WebP, "
                       "GIF; WAV, MP3, FLAC, Ogg, M4A; MP4, WebM)")


def _image(path: Path) -> Sniffed | None:
    """An image of an accepted format, checked as a scene's picture is (engine/pictures.py:
    the same size limits, decoded in full), so that every image the library accepts is one a
    script can use."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(path) as picture:
                if picture.format not in IMAGE_EXTENSIONS:
                    return None
    except UnidentifiedImageError:
        return None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        pass  # check_picture says what is wrong with it
    try:
        facts = check_picture(path)
    except InvalidScript as exc:
        raise InvalidMedia(f"the image {exc}") from None
    return Sniffed("image", IMAGE_EXTENSIONS[facts.format], {
        "dimensions": [facts.width, facts.height], "format": facts.format.lower(),
        "generation_method": "uploaded", "mode": facts.mode})


def _timed(path: Path) -> Sniffed | None:
    import av

    try:
        with av.open(str(path), metadata_errors="ignore") as container:
            family = container.format.name
            video = next((s for s in container.streams.video
                          if not s.disposition & av.stream.Disposition.attached_pic), None)
            audio = container.streams.audio[0] if container.streams.audio else None
            duration = (container.duration or 0) / 1_000_000
            if video is not None and family in (MP4_FAMILY, WEBM_FAMILY):
                next(container.decode(video))
                picture = video.codec_context
                webm = family == WEBM_FAMILY and picture.name in ("vp8", "vp9", "av1")
                return Sniffed("video", ".webm" if webm else ".mp4" if family == MP4_FAMILY
                               else ".mkv", {
                                   "resolution": f"{picture.width}x{picture.height}",
                                   "fps": float(video.average_rate or 0),
                                   "codec": picture.name,
                                   "has_audio": audio is not None}, _positive(duration))
            if audio is not None and video is None:
                extension = AUDIO_CONTAINERS.get(family) or (
                    ".m4a" if family == MP4_FAMILY else ".webm" if family == WEBM_FAMILY
                    else None)
                if extension is None:
                    return None
                next(container.decode(audio))
                sound = audio.codec_context
                return Sniffed("audio", extension, {
                    "sample_rate": sound.sample_rate, "channels": sound.channels,
                    "codec": sound.name}, _positive(duration))
            return None
    except StopIteration as exc:
        raise InvalidMedia("the file holds no decodable frame") from exc
    except (av.error.FFmpegError, OSError, UnicodeDecodeError):
        return None


def _positive(seconds: float) -> float:
    if seconds <= 0:
        raise InvalidMedia("the file's duration is unknown or zero")
    return round(seconds, 3)
