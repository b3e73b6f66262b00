"""Colour: every picture becomes YUV one way (BT.709, studio range), and every stream says so.

Players pick the matrix to turn YUV back into RGB from the stream's colour description; with
none, they guess, and they guess differently (Chromium assumes BT.709 for HD, ffmpeg BT.601).
So every path here (still pictures, zoom sources, caption overlays) converts with BT.709 at
every frame size, SD included: one matrix means a zooming scene, a still one and a caption
match exactly, and the description written into both the H.264 VUI (x264's colorprim,
transfer, colormatrix and range) and the containers (MP4 ``colr``, WebM Colour) makes every
player decode the same colours. The conversion is swscale's, through PyAV: exact to the
rounding of the 8-bit result, and about twenty times quicker than numpy.
"""

from __future__ import annotations

from typing import Any

import av
import numpy as np
from PIL import Image

MATRIX = "ITU709"  # swscale's name for the BT.709 matrix
# The FFmpeg enum values of AVColorPrimaries / AVColorTransferCharacteristic / AVColorSpace
# (1: BT.709 in all three) and AVColorRange (1: MPEG, i.e. studio range 16-235).
BT709, STUDIO_RANGE = 1, 1
X264_COLOUR = "colorprim=bt709:transfer=bt709:colormatrix=bt709:range=tv"
# The same description as ffmpeg options, for a mux that copies streams.
FFMPEG_COLOUR = ["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709",
                 "-color_range", "tv"]


def describe(context: Any) -> None:
    """Writes the colour description onto a PyAV codec context (or frame)."""
    context.color_primaries = BT709
    context.color_trc = BT709
    context.colorspace = BT709
    context.color_range = STUDIO_RANGE


def yuv420_frame(picture: Image.Image) -> av.VideoFrame:
    """Returns an RGB picture (even sides) as a yuv420p frame: BT.709, studio range, tagged."""
    rgb = np.asarray(picture.convert("RGB"))
    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(
        format="yuv420p", dst_colorspace=MATRIX)
    describe(frame)
    return frame


def yuv420_planes(picture: Image.Image) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Returns the Y (h, w), U and V (h/2, w/2) planes of an RGB picture with even sides."""
    frame = yuv420_frame(picture)
    width, height = picture.size
    data = frame.to_ndarray()  # yuv420p as one (h * 3/2, w) array: Y, then U, then V
    chroma = data[height:].reshape(-1)
    quarter = (height // 2) * (width // 2)
    return (np.ascontiguousarray(data[:height]),
            chroma[:quarter].reshape(height // 2, width // 2),
            chroma[quarter:].reshape(height // 2, width // 2))


def to_rgb(y: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """The exact inverse of the conversion, in floating point: BT.709 studio-range planes (U
    and V at half size) to an RGB (h, w, 3) float32 array, 0-255, unclipped. For posters and
    measuring (swscale's own inverse is off by a level here and there)."""
    luma = (y.astype(np.float32) - 16) * np.float32(255 / 219)
    up = [np.repeat(np.repeat(plane.astype(np.float32) - 128, 2, 0), 2, 1) * np.float32(255 / 224)
          for plane in (u, v)]
    cb, cr = (plane[:y.shape[0], :y.shape[1]] for plane in up)
    red = luma + 2 * (1 - 0.2126) * cr
    blue = luma + 2 * (1 - 0.0722) * cb
    green = (luma - 0.2126 * red - 0.0722 * blue) / 0.7152
    return np.stack([red, green, blue], axis=-1)
