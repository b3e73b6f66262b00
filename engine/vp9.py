"""VP9 for WebM at the cost of the H.264 path: each distinct picture encoded once.

A still shot's repeated frames are VP9 "show existing frame" headers: one byte telling the
decoder to show a stored reference frame again (a key frame fills all eight slots, so slot 0
holds the picture), the VP9 counterpart of the skipped H.264 frames of engine/h264.py. Each
distinct picture is one libvpx key frame, repeated every keyframe interval so players can
seek. Moving shots are encoded frame by frame by libvpx in real-time mode, with no hidden
frames (no lag, no alt-ref), so one packet is one shown frame.

Pieces are IVF files: a 32-byte header, then for each frame its size, its number and its
bytes. Every piece starts with a key frame, which resets the decoder, so a video is all its
pieces' frames one after another (``join_ivf``); the WebM mux copies them.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import av
import numpy as np

from reelflow.engine.colour import describe
from reelflow.engine.encoder import EncoderSettings, translated
from reelflow.errors import RenderFailed

# Constant quality (crf with no bitrate target) per quality preset.
CRF = {"draft": 40, "standard": 32, "high": 24}
# frame_marker 2, profile 0, show_existing_frame 1, frame_to_show_map_idx 0.
SHOW_EXISTING_FRAME = bytes([0b1000_1000])
_HEADER = struct.Struct("<4sHHIHHIIII")
_FRAME = struct.Struct("<IQ")


def _encoder(settings: EncoderSettings) -> Any:
    context = av.CodecContext.create("libvpx-vp9", "w")
    context.width, context.height, context.pix_fmt = settings.width, settings.height, "yuv420p"
    context.time_base = Fraction(1, settings.fps)
    context.framerate = Fraction(settings.fps)
    context.gop_size = settings.keyframe_interval
    context.thread_count = max(1, settings.threads)
    describe(context)
    context.options = {"deadline": "realtime", "cpu-used": "8", "row-mt": "1",
                       "crf": str(CRF[settings.quality]), "b": "0", "lag-in-frames": "0",
                       "auto-alt-ref": "0"}
    return context


class IvfWriter:
    """Writes VP9 frames to an IVF file, numbering them from 0; ``close`` returns the count."""

    def __init__(self, target: Path, settings: EncoderSettings) -> None:
        self.out: BinaryIO = target.open("wb")
        self.settings = settings
        self.count = 0
        self.out.write(self._header())

    def _header(self) -> bytes:
        return _HEADER.pack(b"DKIF", 0, _HEADER.size, int.from_bytes(b"VP90", "little"),
                            self.settings.width, self.settings.height, self.settings.fps, 1,
                            self.count, 0)

    def write(self, frame: bytes) -> None:
        self.out.write(_FRAME.pack(len(frame), self.count) + frame)
        self.count += 1

    def close(self) -> int:
        self.out.seek(0)
        self.out.write(self._header())
        self.out.close()
        return self.count


def ivf_frames(path: Path) -> Iterator[bytes]:
    """Yields the frames of an IVF file in order. Raises RenderFailed for a damaged file."""
    with path.open("rb") as source:
        header = source.read(_HEADER.size)
        if len(header) != _HEADER.size or not header.startswith(b"DKIF"):
            raise RenderFailed(f"{path.name} is not an IVF file")
        while head := source.read(_FRAME.size):
            size = _FRAME.unpack(head)[0] if len(head) == _FRAME.size else -1
            frame = source.read(size) if size >= 0 else b""
            if size < 0 or len(frame) != size:
                raise RenderFailed(f"{path.name} ends inside a frame")
            yield frame


def write_holds(frames: Sequence[av.VideoFrame], lengths: Sequence[int], target: Path,
                settings: EncoderSettings, *, what: str = "encoding a still scene") -> None:
    """Writes an IVF stream in which yuv420p frame ``n`` is shown for ``lengths[n]`` frames:
    one key frame per picture, "show existing frame" for the rest. Raises RenderFailed."""
    if len(frames) != len(lengths) or not lengths or min(lengths) < 1:
        raise RenderFailed(f"{what}: every picture needs at least one frame")
    with translated(what, "libvpx"):
        context = _encoder(settings)
        keys = []
        for n, frame in enumerate(frames):
            frame.pts, frame.pict_type = n, av.video.frame.PictureType.I
            keys += [bytes(packet) for packet in context.encode(frame)]
        keys += [bytes(packet) for packet in context.encode(None)]
    if len(keys) != len(frames):
        raise RenderFailed(f"{what}: {len(frames)} pictures in, {len(keys)} encoded")
    writer = IvfWriter(target, settings)
    for key, length in zip(keys, lengths, strict=True):
        for since_key in range(length):
            shown_again = since_key % settings.keyframe_interval
            writer.write(SHOW_EXISTING_FRAME if shown_again else key)
    writer.close()


class VP9Segment:
    """An IVF piece that libvpx fills with raw yuv420p frames, one ``add`` at a time; ``close``
    returns the number of frames. Raises RenderFailed for a wrong size or a failed encode."""

    def __init__(self, target: Path, settings: EncoderSettings, *, what: str = "encoding"
                 ) -> None:
        self.settings, self.what = settings, what
        self.size = settings.width * settings.height * 3 // 2
        with translated(what, "libvpx"):
            self.context = _encoder(settings)
        self.writer = IvfWriter(target, settings)
        self.added = 0

    def add(self, data: bytes | memoryview) -> None:
        if len(data) != self.size:
            self.writer.close()
            raise RenderFailed(f"{self.what}: a frame of {len(data)} bytes, expected {self.size}")
        rows = np.frombuffer(data, np.uint8).reshape(-1, self.settings.width)
        frame = av.VideoFrame.from_ndarray(rows, format="yuv420p")
        frame.pts = self.added
        self.added += 1
        with translated(self.what, "libvpx"):
            for packet in self.context.encode(frame):
                self.writer.write(bytes(packet))

    def close(self) -> int:
        try:
            with translated(self.what, "libvpx"):
                for packet in self.context.encode(None):
                    self.writer.write(bytes(packet))
        finally:
            count = self.writer.close()
        if count != self.added:
            raise RenderFailed(f"{self.what}: {self.added} frames in, {count} encoded")
        return count


def join_ivf(pieces: Sequence[Path], target: Path, settings: EncoderSettings) -> int:
    """Writes the frames of ``pieces`` one after another to the IVF file ``target``; returns
    the number of frames."""
    writer = IvfWriter(target, settings)
    for piece in pieces:
        for frame in ivf_frames(piece):
            writer.write(frame)
    return writer.close()
