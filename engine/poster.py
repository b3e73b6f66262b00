"""Posters: one frame of a rendered video, decoded from the file itself, saved as a JPEG.

Taking the poster from the finished file, not from the slide, makes it exactly what a viewer
sees at that moment (a burned-in caption, the zoom's first frame) and proves the frame decodes.
The YUV frame is turned back into RGB with the exact inverse of engine/colour.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from reelflow.engine.colour import to_rgb
from reelflow.errors import RenderFailed
from reelflow.files import atomic_output

JPEG_QUALITY = 90


def frame_at(video: Path, index: int) -> np.ndarray:
    """Returns frame ``index`` (from 0) of ``video`` as an RGB (h, w, 3) uint8 array.

    Seeks to the key frame at or before it, then decodes forward. Raises RenderFailed when
    the file cannot be read or has no such frame.
    """
    try:
        with av.open(str(video)) as container:
            stream = container.streams.video[0]
            rate, base = stream.average_rate or stream.guessed_rate, stream.time_base
            if not rate or base is None:
                raise RenderFailed(f"{video.name} has no frame rate")
            wanted = index / rate  # seconds
            container.seek(int(wanted / base), stream=stream, backward=True)
            half = 1 / (2 * rate)
            for frame in container.decode(stream):
                if frame.pts is not None and frame.pts * base >= wanted - half:
                    return _rgb(frame)
    except av.error.FFmpegError as exc:
        raise RenderFailed(f"reading frame {index} of {video.name}: {exc}") from exc
    raise RenderFailed(f"{video.name} has no frame {index}")


def _rgb(frame: av.VideoFrame) -> np.ndarray:
    data = frame.reformat(format="yuv420p").to_ndarray()
    height, width = frame.height, frame.width
    chroma = data[height:].reshape(-1)
    quarter = (height // 2) * (width // 2)
    rgb = to_rgb(data[:height], chroma[:quarter].reshape(height // 2, width // 2),
                 chroma[quarter:].reshape(height // 2, width // 2))
    result: np.ndarray = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    return result


def write_poster(video: Path, index: int, target: Path) -> dict[str, Any]:
    """Saves frame ``index`` of ``video`` as a JPEG at ``target`` (atomically); returns the
    image's metadata (dimensions, format). Raises RenderFailed."""
    picture = Image.fromarray(frame_at(video, index))
    with atomic_output(target) as temp:
        picture.save(temp, format="JPEG", quality=JPEG_QUALITY)
    return {"dimensions": [picture.width, picture.height], "format": "jpeg"}
