"""Probing a rendered file with PyAV (the bundled ffmpeg has no ffprobe)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
    subtitle_codec: str | None = None
    colour: tuple[int, int, int, int] = (0, 0, 0, 0)  # primaries, transfer, matrix, range

    @property
    def resolution(self) -> str:
        return f"{self.width}x{self.height}"


def _tally(container: Any, streams: list[Any]) -> dict[int, tuple[int, float]]:
    """Counts each stream's packets and its end time by reading the packets (no decoding):
    for containers that record neither (WebM)."""
    counts = {stream.index: [0, 0] for stream in streams}
    for packet in container.demux(*streams):
        if packet.size and packet.pts is not None:
            tally = counts[packet.stream.index]
            tally[0] += 1
            tally[1] = max(tally[1], packet.pts + (packet.duration or 0))
    return {stream.index: (counts[stream.index][0],
                           float(counts[stream.index][1] * stream.time_base))
            for stream in streams}


def _seconds(stream: Any) -> float:
    if stream is None or not stream.duration or not stream.time_base:
        return 0.0
    return float(stream.duration * stream.time_base)


def probe(path: Path) -> Probe:
    """Returns the streams, durations and colour description of the media file at ``path``.

    Raises VerificationFailed when the file is missing or cannot be demuxed.
    """
    import av

    try:
        size = path.stat().st_size
        with av.open(str(path)) as container:
            video = container.streams.video[0] if container.streams.video else None
            audio = container.streams.audio[0] if container.streams.audio else None
            subtitles = container.streams.subtitles
            name = container.format.name
            frames = video.frames if video else 0
            v_seconds, a_seconds = _seconds(video), _seconds(audio)
            unknown = [stream for stream, known in ((video, frames and v_seconds),
                                                    (audio, a_seconds)) if stream and not known]
            if unknown:
                tally = _tally(container, unknown)
                if video is not None and video.index in tally:
                    frames, v_seconds = tally[video.index]
                if audio is not None and audio.index in tally:
                    a_seconds = tally[audio.index][1]
            picture = video.codec_context if video else None
            return Probe(
                format=next((f for f in ("mp4", "webm") if f in name), name.split(",")[0]),
                duration=(container.duration or 0) / 1_000_000,
                video_codec=picture.name if picture else None,
                width=picture.width if picture else 0,
                height=picture.height if picture else 0,
                fps=float(video.average_rate or 0) if video else 0.0,
                frames=frames,
                video_duration=v_seconds,
                audio_codec=audio.codec_context.name if audio else None,
                audio_duration=a_seconds,
                sample_rate=audio.codec_context.sample_rate if audio else 0,
                subtitle_streams=len(subtitles),
                size=size,
                subtitle_codec=subtitles[0].codec_context.name if subtitles else None,
                colour=(picture.color_primaries, picture.color_trc, picture.colorspace,
                        picture.color_range) if picture else (0, 0, 0, 0),
            )
    except FileNotFoundError as exc:
        raise VerificationFailed(f"no file at {path}") from exc
    except (OSError, av.error.FFmpegError) as exc:
        raise VerificationFailed(f"cannot read {path}: {exc}") from exc
