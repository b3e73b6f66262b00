"""From encoded shots to the MP4 segments that the concat demuxer joins by stream copy.

Zooming shots are already MP4 segments. Each run of neighbouring still shots is spliced into
one Annex B stream (engine/splice.py) and wrapped as one segment, so a slideshow of a hundred
scenes costs one wrap, not a hundred. Stream copy keeps only the first segment's headers, so
every segment is read back and must have the first one's headers and its planned frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import av

from reelflow.engine.encoder import wrap_annexb
from reelflow.engine.splice import splice
from reelflow.errors import RenderFailed


def assemble(pieces: Sequence[Path], frames: Sequence[int], fps: int) -> list[Path]:
    """Given each shot's piece (an .mp4 segment or an .h264 stream) and frame count, returns
    the segments to join, in order. Raises RenderFailed when a segment does not fit."""
    segments: list[tuple[Path, int]] = []
    start = 0
    while start < len(pieces):
        end = start
        while end < len(pieces) and pieces[end].suffix == ".h264":
            end += 1
        if end == start:
            segments.append((pieces[start], frames[start]))
            start += 1
            continue
        stream = pieces[start].with_name(f"stills-{start:04d}.h264")
        count = splice(pieces[start:end], stream, followed_by_idr=end < len(pieces))
        segment = stream.with_suffix(".mp4")
        wrap_annexb(stream, segment, fps, what="joining still scenes")
        stream.unlink()
        segments.append((segment, count))
        if count != sum(frames[start:end]):
            raise RenderFailed(f"still scenes {start + 1}-{end}: {count} frames, planned "
                               f"{sum(frames[start:end])}")
        start = end
    check_segments(segments)
    return [segment for segment, _ in segments]


def check_segments(segments: Sequence[tuple[Path, int]]) -> None:
    """Raises RenderFailed unless every segment has its planned frames and the encoder
    headers of the first."""
    first: bytes | None = None
    for segment, planned in segments:
        try:
            with av.open(str(segment)) as container:
                stream = container.streams.video[0]
                headers, frames = bytes(stream.codec_context.extradata or b""), stream.frames
        except (OSError, IndexError, av.error.FFmpegError) as exc:
            raise RenderFailed(f"{segment.name} cannot be read back: {exc}") from exc
        first = headers if first is None else first
        if headers != first:
            raise RenderFailed(f"{segment.name}: its encoder headers differ from the first "
                               "segment's, so the scenes cannot be joined without re-encoding")
        if frames != planned:
            raise RenderFailed(f"{segment.name}: {frames} frames, planned {planned}")
