"""Probing a rendered file with PyAV (the bundled ffmpeg has no ffprobe)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from reelflow.errors import VerificationFailed


@dataclass(frozen=True)
class Probe:
    """What a media file really holds."""

    format: str
    duration: float
    video_codec: str | None
    width: int
    height: int
    fps: float
    frames: int
    video_duration: float
    audio_codec: str | None
    audio_duration: float
    sample_rate: int
    subtitle_streams: int
    size: int

    @property
    def resolution(self) -> str:
        return f"{self.width}x{self.height}"


def probe(path: Path) -> Probe:
    """Returns the streams and durations of the media file at ``path``.

    Raises VerificationFailed when the file is missing or cannot be demuxed.
    """
    import av

    try:
        size = path.stat().st_size
        with av.open(str(path)) as container:
            video = container.streams.video[0] if container.streams.video else None
            audio = container.streams.audio[0] if container.streams.audio else None
            fmt = container.format.name.split(",")[0]
            duration = (container.duration or 0) / 1_000_000
            v_seconds = float(video.duration * video.time_base) if video and video.duration \
                and video.time_base else 0.0
            a_seconds = float(audio.duration * audio.time_base) if audio and audio.duration \
                and audio.time_base else 0.0
            return Probe(
                format="mp4" if "mp4" in container.format.name else fmt,
                duration=duration,
                video_codec=video.codec_context.name if video else None,
                width=video.codec_context.width if video else 0,
                height=video.codec_context.height if video else 0,
                fps=float(video.average_rate or 0) if video else 0.0,
                frames=video.frames if video else 0,
                video_duration=v_seconds,
                audio_codec=audio.codec_context.name if audio else None,
                audio_duration=a_seconds,
                sample_rate=audio.codec_context.sample_rate if audio else 0,
                subtitle_streams=len(container.streams.subtitles),
                size=size,
            )
    except FileNotFoundError as exc:
        raise VerificationFailed(f"no file at {path}") from exc
    except (OSError, av.error.FFmpegError) as exc:
        raise VerificationFailed(f"cannot read {path}: {exc}") from exc
