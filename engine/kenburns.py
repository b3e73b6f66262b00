"""Ken Burns zoom: a slow zoom into a still picture, smooth to a fraction of a pixel.

ffmpeg's zoompan crops on whole pixels, so a slow zoom visibly steps. Here every frame is
resampled from the source with a fractional crop box, bilinear, positioned to 1/32 of a pixel
(OpenCV's warpAffine: about twenty times quicker than Pillow's resize with ``box``, which took
half the CPU of a zooming scene), so the scale grows by the same amount every frame. The work
is done in YUV 4:2:0, half the samples of RGB, and the planes go straight to the encoders with
no conversion per frame (the picture is converted once, as every picture is: engine/colour.py).
A caption stays still over the moving picture: its overlay is converted once and blended into
each frame. The frames are made once
and handed to each format's encoder (x264 for MP4, libvpx for WebM).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import suppress
from typing import Protocol

import cv2
import numpy as np
from PIL import Image

from reelflow.engine.burned_captions import CaptionSpan, Overlay, caption_overlay, caption_runs
from reelflow.engine.colour import yuv420_planes
from reelflow.engine.encoder import EncoderSettings
from reelflow.errors import RenderFailed
from reelflow.vocabulary import DEFAULT_CAPTION_POSITION, CaptionPosition

ZOOM = 0.10  # the picture grows by this fraction over its scene
# Bilinear: at magnifications of 1 to 1.1 it is as crisp to the eye as bicubic and keeps the
# sharpness the same from frame to frame. The source is read as pixel centres map: output
# pixel i shows the source at left + (i + 0.5) * step - 0.5, as Pillow's resize with a box does.
_WARP = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
# Why one thread: shots already encode side by side, one per CPU; OpenCV's own pool on top of
# that made each resample several times slower on a busy machine.
cv2.setNumThreads(1)
Planes = tuple[Image.Image, Image.Image, Image.Image]  # Y, U, V as "L" images: yuv420p


def zoom_at(frame: int, frames: int, amount: float = ZOOM) -> float:
    """The scale of ``frame`` of ``frames``: 1 at the first frame, growing by equal steps."""
    return 1 + amount * frame / max(1, frames)


def crop_box(zoom: float, width: float, height: float) -> tuple[float, float, float, float]:
    """The centred source rectangle that fills a width x height frame at ``zoom``."""
    seen_w, seen_h = width / zoom, height / zoom
    left, top = (width - seen_w) / 2, (height - seen_h) / 2
    return left, top, left + seen_w, top + seen_h


def _planes(picture: Image.Image) -> Planes:
    y, u, v = yuv420_planes(picture)
    return Image.fromarray(y), Image.fromarray(u), Image.fromarray(v)


def _overlay_planes(overlay: Overlay) -> tuple[Planes, Planes]:
    """Returns the caption's planes and its alpha at luma and chroma size."""
    rgba = np.asarray(overlay.image)
    # 4:2:0 halves both sides: an odd-sized caption gets one transparent row or column more.
    rgba = np.pad(rgba, ((0, rgba.shape[0] % 2), (0, rgba.shape[1] % 2), (0, 0)))
    alpha = Image.fromarray(rgba[..., 3])
    planes = _planes(Image.fromarray(rgba[..., :3]))
    half = alpha.resize(planes[1].size, Image.Resampling.BOX)
    return planes, (alpha, half, half)


def zoom_frames(picture: Image.Image, frames: int, spans: Sequence[CaptionSpan],
                settings: EncoderSettings,
                position: CaptionPosition = DEFAULT_CAPTION_POSITION,
                language: str = "", *, span: int | None = None, start: int = 0
                ) -> Iterator[memoryview]:
    """Yields raw yuv420p frames ``start`` to ``frames - 1`` of a zoom into ``picture``
    (which has the frame size) that grows by ZOOM over ``span`` frames (default ``frames``),
    with each caption (in ``language``) blended in, unmoved, at ``position`` during its span.
    (A shot that a crossfade shortens keeps its pace with ``span``; the crossfade takes its
    last frames with ``start``.)"""
    width, height = settings.width, settings.height
    source = yuv420_planes(picture)
    scales = (1, 2, 2)
    sizes = [(width // scale, height // scale) for scale in scales]
    # Each plane is resampled straight into its place in the frame: no copy per plane, no
    # join (at 1080p those were two copies of 3 MB a frame, about 6 % of a zoom's CPU).
    ends = np.cumsum([w * h for w, h in sizes]).tolist()
    places = list(zip([0, *ends[:-1]], ends, strict=True))
    pace = span or frames
    frame = 0
    for text, count in caption_runs(spans, frames):
        if frame + count <= start:
            frame += count
            continue
        caption = None
        if text is not None:
            overlay = caption_overlay(text, width, height, position, language)
            caption = (overlay, *_overlay_planes(overlay))
        for _ in range(count):
            if frame < start:
                frame += 1
                continue
            left, top, right, _ = crop_box(zoom_at(frame, pace), width, height)
            step = (right - left) / width
            raw = np.empty(ends[-1], np.uint8)
            for n, (scale, plane, size) in enumerate(zip(scales, source, sizes, strict=True)):
                # The inverse map: output pixel (x, y) reads the source at step * (x, y) + offset.
                matrix = np.array([[step, 0.0, left / scale + 0.5 * step - 0.5],
                                   [0.0, step, top / scale + 0.5 * step - 0.5]])
                begin, end = places[n]
                scaled = raw[begin:end].reshape(size[1], size[0])
                cv2.warpAffine(plane, matrix, size, dst=scaled, flags=_WARP,
                               borderMode=cv2.BORDER_REPLICATE)
                if caption is not None:
                    overlay, colours, alphas = caption
                    layer = Image.fromarray(scaled)
                    layer.paste(colours[n], (overlay.left // scale, overlay.top // scale),
                                alphas[n])
                    scaled[...] = np.asarray(layer)
            frame += 1
            yield raw.data


class FrameSink(Protocol):
    """An encoder taking raw yuv420p frames: engine.encoder.H264Segment, engine.vp9.VP9Segment."""

    def add(self, data: bytes | memoryview) -> None: ...

    def close(self) -> int: ...


def encode_zoom(picture: Image.Image, frames: int, spans: Sequence[CaptionSpan],
                sinks: Sequence[FrameSink], settings: EncoderSettings,
                position: CaptionPosition = DEFAULT_CAPTION_POSITION, language: str = "",
                *, span: int | None = None) -> None:
    """Makes a Ken Burns shot of ``frames`` frames (zooming at the pace of ``span`` frames,
    default ``frames``) and feeds every frame to each sink, then closes them. Raises
    RenderFailed when an encode fails."""
    feed(zoom_frames(picture, frames, spans, settings, position, language, span=span),
         sinks, frames, "encoding a zooming scene")


def feed(pictures: Iterable[bytes | memoryview], sinks: Sequence[FrameSink], planned: int,
         what: str) -> None:
    """Hands every raw frame of ``pictures`` to each sink, then closes them. Raises
    RenderFailed when an encode fails or a sink did not get ``planned`` frames (``what`` says
    what was being made); after a failure every sink is closed and its piece is thrown away."""
    try:
        for data in pictures:
            for sink in sinks:
                sink.add(data)
    except BaseException:
        for sink in sinks:
            with suppress(RenderFailed):
                sink.close()  # only to release the encoder; the piece is thrown away
        raise
    counts = [sink.close() for sink in sinks]
    if any(count != planned for count in counts):
        raise RenderFailed(f"{what}: {counts} frames made, {planned} planned")
