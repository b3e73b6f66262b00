"""Ken Burns zoom: a slow zoom into a still picture, smooth to a fraction of a pixel.

ffmpeg's zoompan crops on whole pixels, so a slow zoom visibly steps. Here every frame is
resampled from the source with a fractional crop box (Pillow's resize with ``box``), so the
scale grows by the same amount every frame. The work is done in YUV 4:2:0, half the samples of
RGB, and the planes go straight to x264 with no conversion per frame. A caption stays still
over the moving picture: its overlay is converted once and blended into each frame.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from reelflow.engine.burned_captions import CaptionSpan, Overlay, caption_overlay, caption_runs
from reelflow.engine.encoder import EncoderSettings, encode_segment
from reelflow.errors import RenderFailed

ZOOM = 0.10  # the picture grows by this fraction over its scene
# Bilinear: at magnifications of 1 to 1.1 it is as crisp to the eye as bicubic, keeps the
# sharpness the same from frame to frame, and costs a quarter less.
_FILTER = Image.Resampling.BILINEAR
# BT.601 with studio range: what ffmpeg's rgb24 -> yuv420p conversion uses by default, so a
# zooming scene matches the colours of the still scenes around it.
_LUMA = (65.481 / 255, 128.553 / 255, 24.966 / 255)
_CHROMA = ((-37.797 / 255, -74.203 / 255, 112.0 / 255), (112.0 / 255, -93.786 / 255,
                                                         -18.214 / 255))

Planes = tuple[Image.Image, Image.Image, Image.Image]  # Y, U, V as "L" images: yuv420p


def zoom_at(frame: int, frames: int, amount: float = ZOOM) -> float:
    """The scale of ``frame`` of ``frames``: 1 at the first frame, growing by equal steps."""
    return 1 + amount * frame / max(1, frames)


def crop_box(zoom: float, width: float, height: float) -> tuple[float, float, float, float]:
    """The centred source rectangle that fills a width x height frame at ``zoom``."""
    seen_w, seen_h = width / zoom, height / zoom
    left, top = (width - seen_w) / 2, (height - seen_h) / 2
    return left, top, left + seen_w, top + seen_h


def to_yuv420(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Converts an RGB (h, w, 3) uint8 array with even sides to studio-range planes Y (h, w),
    U and V (h/2, w/2), each chroma sample from the mean of its 2x2 block."""
    height, width = rgb.shape[0], rgb.shape[1]
    colour = rgb.astype(np.float32)
    luma = 16 + sum(weight * colour[..., n] for n, weight in enumerate(_LUMA))
    block = colour.reshape(height // 2, 2, width // 2, 2, 3).mean(axis=(1, 3))
    u, v = (128 + sum(w * block[..., n] for n, w in enumerate(row)) for row in _CHROMA)
    return _bytes(np.asarray(luma)), _bytes(np.asarray(u)), _bytes(np.asarray(v))


def _bytes(samples: np.ndarray) -> np.ndarray:
    rounded: np.ndarray = np.clip(np.rint(samples), 0, 255).astype(np.uint8)
    return rounded


def _planes(picture: Image.Image) -> Planes:
    y, u, v = to_yuv420(np.asarray(picture.convert("RGB")))
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
                settings: EncoderSettings) -> Iterator[bytes]:
    """Yields ``frames`` raw yuv420p frames zooming into ``picture`` (which has the frame
    size), with each caption blended in, unmoved, during its span."""
    width, height = settings.width, settings.height
    source = _planes(picture)
    scales = (1, 2, 2)
    sizes = [(width // scale, height // scale) for scale in scales]
    frame = 0
    for text, count in caption_runs(spans, frames):
        caption = None
        if text is not None:
            overlay = caption_overlay(text, width, height)
            caption = (overlay, *_overlay_planes(overlay))
        for _ in range(count):
            left, top, right, bottom = crop_box(zoom_at(frame, frames), width, height)
            out = []
            for n, (scale, plane, size) in enumerate(zip(scales, source, sizes, strict=True)):
                scaled = plane.resize(size, _FILTER, box=(left / scale, top / scale,
                                                           right / scale, bottom / scale))
                if caption is not None:
                    overlay, colours, alphas = caption
                    scaled.paste(colours[n], (overlay.left // scale, overlay.top // scale),
                                 alphas[n])
                out.append(scaled.tobytes())
            frame += 1
            yield b"".join(out)


def encode_zoom(picture: Image.Image, frames: int, spans: Sequence[CaptionSpan], target: Path,
                settings: EncoderSettings) -> None:
    """Encodes a Ken Burns shot of ``frames`` frames to ``target`` (an MP4 segment).

    Raises RenderFailed when the encode fails.
    """
    count = encode_segment(zoom_frames(picture, frames, spans, settings), target, settings,
                           what="encoding a zooming scene")
    if count != frames:
        raise RenderFailed(f"encoding a zooming scene: {count} frames made, {frames} planned")
