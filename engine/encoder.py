"""x264, in process through PyAV, with the one set of settings every piece of a video shares.

Pieces of one video are joined by copying their bytes, so they must agree on every header:
the preset and CRF come from the quality alone, nothing is tuned per piece (a tune changes the
picture parameter set), and ``stitchable`` stops x264 from fitting its headers to the content.
Encoding in process costs no ffmpeg start-up and no pipe; PyAV releases the GIL while x264
works, so shots encode in parallel threads. Still pictures come out as Annex B access units;
moving shots go straight into MP4 segments, which keep B-frame timestamps. Every stream
carries the BT.709 colour description of engine/colour.py in its VUI.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import numpy as np

from reelflow.engine.colour import X264_COLOUR, describe
from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.errors import RenderFailed
from reelflow.vocabulary import DEFAULT_QUALITY, Quality

PRESETS: dict[Quality, tuple[str, int]] = {
    "draft": ("ultrafast", 30),
    "standard": ("veryfast", 23),
    "high": ("medium", 19),
}
KEYFRAME_SECONDS = 10
_I, _P = av.video.frame.PictureType.I, av.video.frame.PictureType.P


@dataclass(frozen=True)
class EncoderSettings:
    """Frame size and rate, the quality preset and x264's threads per encode (0: its choice)."""

    width: int
    height: int
    fps: int
    quality: Quality = DEFAULT_QUALITY
    threads: int = 0

    def __post_init__(self) -> None:
        if self.quality not in PRESETS:
            raise RenderFailed(
                f"unknown quality {self.quality!r}; expected one of {', '.join(PRESETS)}")

    @property
    def keyframe_interval(self) -> int:
        """The most frames between two keyframes, so players can seek."""
        return self.fps * KEYFRAME_SECONDS


# At the standard preset a zoom, which moves every block by a smooth, tiny amount, gets x264's
# quickest motion search: on W3 it costs 4% more bytes and saves 12% of the CPU time (draft is
# quicker already; high keeps its search). These are slice-level choices: the parameter sets
# stay those of the preset, so moving and still pieces still join.
MOVING_PICTURES = "me=dia:subme=1:partitions=i8x8,i4x4"


def _configure(context: Any, settings: EncoderSettings, *, moving: bool = False) -> None:
    preset, crf = PRESETS[settings.quality]
    context.width, context.height, context.pix_fmt = settings.width, settings.height, "yuv420p"
    context.time_base = Fraction(1, settings.fps)
    context.framerate = Fraction(settings.fps)
    context.gop_size = settings.keyframe_interval
    context.thread_count = settings.threads
    describe(context)
    tuned = ":" + MOVING_PICTURES if moving and settings.quality == "standard" else ""
    context.options = {"preset": preset, "crf": str(crf), "forced-idr": "1",
                       "x264-params": f"stitchable=1:{X264_COLOUR}{tuned}"}


def idr_pictures(frames: Iterable[av.VideoFrame], settings: EncoderSettings,
                 *, what: str = "encoding") -> Iterator[bytes]:
    """Encodes each yuv420p frame (engine/colour.py) as an IDR picture; yields them as Annex B
    access units, in order, each with the parameter sets in front. Raises RenderFailed."""
    try:
        context = av.CodecContext.create("libx264", "w")
        _configure(context, settings)
        for n, frame in enumerate(frames):
            frame.pts, frame.pict_type = n, _I
            yield from (bytes(packet) for packet in context.encode(frame))
        yield from (bytes(packet) for packet in context.encode(None))
    except av.error.FFmpegError as exc:
        raise RenderFailed(f"{what}: x264 failed: {exc}") from exc


class H264Segment:
    """An MP4 segment that x264 fills with raw yuv420p frames, one ``add`` at a time.

    The last frame is never an IDR picture, so the next segment's IDR picture cannot be taken
    for more of it. ``close`` finishes the file and returns the number of frames. Raises
    RenderFailed when a frame has the wrong size or x264 fails.
    """

    def __init__(self, target: Path, settings: EncoderSettings, *, what: str = "encoding"
                 ) -> None:
        self.settings, self.what = settings, what
        self.size = settings.width * settings.height * 3 // 2
        self.count = 0
        self.pending: av.VideoFrame | None = None
        with translated(what):
            self.container = av.open(str(target), "w", format="mp4")
            self.stream = self.container.add_stream("libx264", rate=settings.fps)
            _configure(self.stream.codec_context, settings, moving=True)

    def add(self, data: bytes | memoryview) -> None:
        if len(data) != self.size:
            self.container.close()
            raise RenderFailed(f"{self.what}: a frame of {len(data)} bytes, expected {self.size}")
        with translated(self.what):
            if self.pending is not None:
                self.container.mux(self.stream.encode(self.pending))
            rows = np.frombuffer(data, np.uint8).reshape(-1, self.settings.width)
            self.pending = av.VideoFrame.from_ndarray(rows, format="yuv420p")
            self.pending.pts = self.count
            self.count += 1

    def close(self) -> int:
        with translated(self.what):
            try:
                if self.pending is not None:
                    if self.count > 1:
                        self.pending.pict_type = _P
                    self.container.mux(self.stream.encode(self.pending))
                self.container.mux(self.stream.encode(None))
            finally:
                self.container.close()
        return self.count


@contextmanager
def translated(what: str, encoder: str = "x264") -> Iterator[None]:
    """Turns an encoder's FFmpegError into RenderFailed naming ``what`` and the encoder."""
    try:
        yield
    except av.error.FFmpegError as exc:
        raise RenderFailed(f"{what}: {encoder} failed: {exc}") from exc


def wrap_annexb(stream: Path, target: Path, fps: int, *, what: str = "wrapping") -> None:
    """Copies an Annex B stream without B-frames into an MP4 segment, frame n at n/fps."""
    # A raw stream carries no timestamps; -r numbers its frames at the video's rate.
    run_ffmpeg(["-fflags", "+genpts", "-r", str(fps), "-f", "h264", "-i", str(stream),
                "-c:v", "copy", "-bsf:v", f"setts=ts=N:time_base=1/{fps}",
                "-f", "mp4", str(target)], what=what)
