"""The finished files: each format's pieces joined, its sound encoded once, all muxed once.

MP4: H.264 segments joined by ffmpeg's concat demuxer with stream copy (engine/segments.py),
AAC, subtitles as mov_text. WebM: the VP9 pieces' frames one after another (engine/vp9.py),
Opus, subtitles as WebVTT. The narration, already joined sample-exactly, is encoded once per
format for the whole video, so its encoder's priming happens once, at the very start, and the
sound starts on the exact frame of every cut. Both containers carry the colour description.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from reelflow.engine.colour import FFMPEG_COLOUR
from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.engine.language_codes import track_language
from reelflow.engine.segments import assemble
from reelflow.engine.vp9 import join_ivf
from reelflow.errors import RenderFailed
from reelflow.vocabulary import VIDEO_FORMATS, VideoFormat

AUDIO_RATE = 48000
AUDIO = {"mp4": ["-c:a", "aac", "-aac_coder", "fast", "-b:a", "128k"],
         "webm": ["-c:a", "libopus", "-b:a", "96k"]}
SUBTITLES = {"mp4": "mov_text", "webm": "webvtt"}


def output_format(target: Path) -> VideoFormat:
    """Returns the format a target's suffix names; raises RenderFailed for any other suffix."""
    suffix = target.suffix.lstrip(".").lower()
    for fmt in VIDEO_FORMATS:
        if suffix == fmt:
            return fmt
    raise RenderFailed(f"cannot render {target.name}: the formats are {', '.join(VIDEO_FORMATS)}")


def encode_audio(audio: Path, stem: Path, fmt: VideoFormat) -> Path:
    """Encodes the whole sound track once for ``fmt`` (the narration, mono; or the mix with
    music, stereo: the channels are kept); returns the file (``stem`` + suffix)."""
    target = stem.with_suffix(f".{fmt}")
    run_ffmpeg(["-i", str(audio), "-vn", *AUDIO[fmt], "-ar", str(AUDIO_RATE),
                "-f", fmt, str(target)], what="encoding the narration")
    return target


def join_pieces(fmt: VideoFormat, pieces: Sequence[Path], frames: Sequence[int],
                settings: EncoderSettings, work: Path) -> Path:
    """Joins one format's pieces into what ``mux`` reads: for MP4 a concat listing of its
    segments, for WebM one IVF stream. Raises RenderFailed when a frame count is off."""
    if fmt == "mp4":
        segments = assemble(pieces, frames, settings.fps)
        listing = work / "segments.txt"
        listing.write_text("".join(f"file '{_quoted(s)}'\n" for s in segments), "utf-8")
        return listing
    joined = work / "video.ivf"
    count = join_ivf(pieces, joined, settings)
    if count != sum(frames):
        raise RenderFailed(f"the WebM picture has {count} frames, planned {sum(frames)}")
    return joined


def _quoted(path: Path) -> str:
    # Absolute, so the pieces may live anywhere (the listing is in ``work``); a quote inside
    # a quoted name of ffmpeg's concat listing is written as '\''.
    return str(path.resolve()).replace("'", "'\\''")


def mux(fmt: VideoFormat, video: Path, audio: Path | None, subtitles: Path | None,
        title: str | None, temp: Path, language: str = "en") -> None:
    """Writes the file ``temp`` of format ``fmt`` from the joined picture, the encoded sound
    and the SubRip subtitles (a track labelled with ``language``, a BCP 47 tag), copying
    picture and sound. Raises RenderFailed."""
    args = ["-f", "concat", "-safe", "0", "-i", str(video)] if fmt == "mp4" else [
        "-f", "ivf", "-i", str(video)]
    maps = ["-map", "0:v:0"]
    if audio is not None:
        args += ["-i", str(audio)]
        maps += ["-map", "1:a:0"]
    if subtitles is not None:
        args += ["-i", str(subtitles)]
        maps += ["-map", f"{1 + (audio is not None)}:s:0"]
    codecs = ["-c:v", "copy", "-c:a", "copy", *FFMPEG_COLOUR]
    if subtitles is not None:
        codecs += ["-c:s", SUBTITLES[fmt], "-metadata:s:s:0",
                   f"language={track_language(language, fmt)}"]
    meta = ["-metadata", f"title={title}"] if title else []
    container = ["-movflags", "+faststart", "-f", "mp4"] if fmt == "mp4" else ["-f", "webm"]
    run_ffmpeg([*args, *maps, *codecs, *meta, *container, str(temp)],
               what="joining the scenes")
