"""A scene that plays the user's own video clip: its frames, scaled to cover the frame.

The clip is decoded once, in order, with PyAV. Output frame n shows the clip at n / fps
seconds (the picture whose time is the latest at or before it), so a clip of any frame rate
plays at its own speed; a clip shorter than its scene starts again from its first frame
(looped), a longer one stops where the scene ends (trimmed). Each picture the scene shows is
scaled to cover the frame (cropped at the centre, no bars), converted to YUV the one way every
picture is (engine/colour.py's BT.709, studio range; scaled and converted YUV to YUV in one
swscale pass) and handed to each format's encoder (x264 for MP4, libvpx for WebM); a picture
shown for several output frames is converted once. Burned-in captions are
drawn over the pictures they span.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from pathlib import Path

import av
import numpy as np
from PIL import Image

from reelflow.engine.burned_captions import (
    CaptionSpan,
    Overlay,
    caption_overlay,
    caption_runs,
    with_caption,
)
from reelflow.engine.colour import MATRIX, yuv420_frame
from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.kenburns import FrameSink, feed
from reelflow.errors import RenderFailed
from reelflow.vocabulary import DEFAULT_CAPTION_POSITION, CaptionPosition

# FFmpeg's AVColorSpace values with a swscale matrix of their own (1: BT.709, 4: FCC,
# 5 and 6: BT.601, 7: SMPTE 240M, 9 and 10: BT.2020); 2, unspecified, is guessed from the size.
_MATRICES = {1: "ITU709", 4: "FCC", 5: "ITU601", 6: "ITU601", 7: "SMPTE240M", 9: "BT2020",
             10: "BT2020"}


def source_matrix(colorspace: int, width: int, height: int) -> str:
    """The matrix a clip's picture was converted to YUV with: the one its stream names, else
    (untagged, or a tag that names no YUV matrix) BT.709 for HD and BT.601 for SD, the guess
    players make (mpv's ``mp_csp_guess_colorspace``: 1280 wide or more, or taller than 576),
    so the clip looks in the video as it does there."""
    if colorspace in _MATRICES:
        return _MATRICES[colorspace]
    return "ITU709" if width >= 1280 or height > 576 else "ITU601"


def cover_size(source: tuple[int, int], frame: tuple[int, int]) -> tuple[int, int]:
    """The size ``source`` scales to so that it covers ``frame`` with no bars, keeping its
    shape (the larger of the two scales; each side at least the frame's, and even, so that
    the 4:2:0 chroma planes crop on whole samples)."""
    scale = max(frame[0] / source[0], frame[1] / source[1])
    width = max(frame[0], round(source[0] * scale))
    height = max(frame[1], round(source[1] * scale))
    return width + width % 2, height + height % 2


def _pictures(path: Path, fps: int) -> Generator[tuple[float, av.VideoFrame], None, None]:
    """Yields (time on the scene's clock, picture) of the clip's first video stream, again
    from its start each time it ends (the scene decides when to stop): a replay begins one
    picture's duration after the last picture of the one before."""
    offset = 0.0
    while True:
        last: float | None = None
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            stream.thread_type = "AUTO"
            step = 1 / float(stream.average_rate) if stream.average_rate else 1 / fps
            first: float | None = None
            for count, picture in enumerate(container.decode(stream)):
                time = picture.time if picture.time is not None else count * step
                first = time if first is None else first
                last = max(0.0, time - first)
                yield offset + last, picture
        if last is None:
            raise RenderFailed(f"playing the clip {path.name}: it has no picture")
        offset += last + step


def _frame(picture: av.VideoFrame, size: tuple[int, int], overlay: Overlay | None) -> bytes:
    """The clip's picture turned upright (a phone's clip is stored sideways with a display
    rotation), scaled to cover ``size``, cropped at the centre, with the caption ``overlay``
    drawn in, as raw yuv420p (BT.709, studio range)."""
    turns = round((picture.rotation or 0) / 90) % 4  # quarter turns counterclockwise
    upright = (picture.height, picture.width) if turns % 2 else (picture.width, picture.height)
    width, height = cover_size(upright, size)
    coded = (height, width) if turns % 2 else (width, height)
    left, top = (width - size[0]) // 2 & ~1, (height - size[1]) // 2 & ~1
    source = source_matrix(picture.colorspace, picture.width, picture.height)
    if overlay is not None:
        rgb = np.rot90(picture.to_ndarray(format="rgb24", width=coded[0], height=coded[1],
                                          src_colorspace=source, threads=1), turns)
        crop = Image.fromarray(np.ascontiguousarray(rgb[top:top + size[1],
                                                        left:left + size[0]]))
        return yuv420_frame(with_caption(crop, overlay)).to_ndarray().tobytes()
    # Scaled and converted to BT.709 in one pass, YUV to YUV: no detour through RGB (a quarter
    # of the cost). One swscale thread: several cost more than they save at these sizes.
    data = picture.reformat(width=coded[0], height=coded[1], format="yuv420p",
                            src_colorspace=source, dst_colorspace=MATRIX,
                            threads=1).to_ndarray()
    rows, columns = coded[1], coded[0]
    chroma = data[rows:].reshape(-1)
    quarter = (rows // 2) * (columns // 2)
    planes = (data[:rows], chroma[:quarter].reshape(rows // 2, columns // 2),
              chroma[quarter:].reshape(rows // 2, columns // 2))
    return b"".join(
        np.ascontiguousarray(np.rot90(plane, turns)[top // scale:(top + size[1]) // scale,
                                                    left // scale:(left + size[0]) // scale]
                             ).tobytes()
        for plane, scale in zip(planes, (1, 2, 2), strict=True))


def clip_frames(path: Path, frames: int, spans: Sequence[CaptionSpan],
                settings: EncoderSettings,
                position: CaptionPosition = DEFAULT_CAPTION_POSITION,
                language: str = "") -> Iterator[bytes]:
    """Yields ``frames`` raw yuv420p frames of the clip at ``path`` (looped or trimmed to the
    scene), covering the frame, with each caption drawn in during its span. Raises
    RenderFailed when the clip cannot be decoded."""
    size = (settings.width, settings.height)
    pictures = _pictures(path, settings.fps)
    try:
        _, current = next(pictures)
        upcoming = next(pictures)
        shown: tuple[int, str | None, bytes] | None = None  # (picture number, caption, frame)
        frame = number = 0
        for text, count in caption_runs(spans, frames):
            overlay = caption_overlay(text, *size, position, language) if text else None
            for _ in range(count):
                wanted = frame / settings.fps + 1e-6  # float times: a tie is "due"
                while upcoming[0] <= wanted:
                    current, upcoming, number = upcoming[1], next(pictures), number + 1
                if shown is None or shown[0] != number or shown[1] != text:
                    shown = (number, text, _frame(current, size, overlay))
                frame += 1
                yield shown[2]
    except av.error.FFmpegError as exc:
        raise RenderFailed(f"playing the clip {path.name}: cannot decode it: {exc}") from exc
    finally:
        pictures.close()


def encode_clip(path: Path, frames: int, spans: Sequence[CaptionSpan],
                sinks: Sequence[FrameSink], settings: EncoderSettings,
                position: CaptionPosition = DEFAULT_CAPTION_POSITION,
                language: str = "") -> None:
    """Plays the clip for ``frames`` frames into each sink, then closes them. Raises
    RenderFailed when decoding or an encode fails."""
    feed(clip_frames(path, frames, spans, settings, position, language), sinks, frames,
         f"playing the clip {path.name}")
