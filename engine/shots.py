"""One shot encoded on its own into a piece per format, ready to be joined by stream copy.

A shot is one scene's picture. A still shot costs one encoded frame per distinct picture (the
slide, plus one per burned-in caption) and repeated frames for the rest (engine/encode_still.py
for H.264, engine/vp9.py for VP9); a zooming shot is resampled and encoded frame by frame
(engine/kenburns.py), and so is a clip (engine/clips.py). Every picture is made and converted
to YUV once, then handed to each format's encoder, so an MP4 and a WebM of one script cost one
set of pictures.

A shot needs nothing of its neighbours but the encoder settings they all share, so shots can
be encoded in any order, in any process, as soon as their picture and frame count are known,
and joined later (engine/join.py). Anything else that becomes a piece of the same settings (a
transition between two shots, a clip) joins the same way: the join takes pieces, in order.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image, ImageOps, UnidentifiedImageError

from reelflow.engine.burned_captions import CaptionSpan, caption_overlay, caption_runs, with_caption
from reelflow.engine.clips import encode_clip
from reelflow.engine.colour import yuv420_frame
from reelflow.engine.encode_still import encode_holds
from reelflow.engine.encoder import EncoderSettings, H264Segment
from reelflow.engine.kenburns import FrameSink, encode_zoom
from reelflow.engine.vp9 import VP9Segment, write_holds
from reelflow.errors import RenderFailed, StreamNotExtendable
from reelflow.vocabulary import (
    DEFAULT_CAPTION_POSITION,
    DEFAULT_MOTION,
    CaptionPosition,
    Motion,
    VideoFormat,
)


@dataclass(frozen=True)
class Shot:
    """One scene's picture: ``image`` for ``frames`` frames, with captions burned in during
    their spans (frames from the shot's start), in ``language``, and, for "kenburns", a slow
    zoom at the pace of ``motion_frames`` frames (0: its own; engine/transitions.py). With a
    ``clip``, the shot plays that video clip (engine/clips.py) instead of showing ``image``."""

    image: Path
    frames: int
    captions: tuple[CaptionSpan, ...] = ()
    motion: Motion = DEFAULT_MOTION
    language: str = ""
    motion_frames: int = 0
    clip: Path | None = None


@dataclass(frozen=True)
class Piece:
    """One encoded stretch of a video: a file per format and its frame count, as the join
    takes it. ``pictures`` counts the frames that went through an encoder (the others repeat
    their predecessor); ``fallback`` says a still H.264 shot had to be encoded frame by frame.
    A small value of paths, so it travels between processes as it is."""

    files: dict[VideoFormat, Path]
    frames: int
    pictures: int = 0
    seconds: float = 0.0
    fallback: bool = False


def moves(shot: Shot) -> bool:
    """Whether the shot's picture changes from frame to frame (a clip, a zoom)."""
    return shot.clip is not None or (shot.motion == "kenburns" and shot.frames > 1)


def piece_paths(folder: Path, number: int, shot: Shot, formats: Sequence[VideoFormat]
                ) -> dict[VideoFormat, Path]:
    """Returns where shot ``number`` of a video is encoded in ``folder``, one file per format:
    ``shot-0003.h264`` (a still H.264 shot, an Annex B stream), ``.mp4`` (a moving one, an MP4
    segment) or ``.ivf`` (VP9)."""
    return {fmt: folder / f"shot-{number:04d}{_piece_suffix(fmt, shot)}" for fmt in formats}


def _piece_suffix(fmt: VideoFormat, shot: Shot) -> str:
    if fmt == "webm":
        return ".ivf"
    return ".mp4" if moves(shot) else ".h264"


def encode_piece(shot: Shot, files: Mapping[VideoFormat, Path], settings: EncoderSettings,
                 position: CaptionPosition = DEFAULT_CAPTION_POSITION) -> Piece:
    """Encodes ``shot`` to ``files`` (one path per format, see ``piece_paths``) and returns the
    piece, timed. Raises RenderFailed; a piece half written on failure is left for the caller's
    scratch folder to take away."""
    if shot.frames < 1:
        raise RenderFailed("a scene needs at least one frame")
    started = time.perf_counter()
    written, pictures = encode_shot(shot, files, settings, position)
    return Piece(written, shot.frames, pictures, time.perf_counter() - started,
                 fallback=written != dict(files))


def encode_shot(shot: Shot, pieces: Mapping[VideoFormat, Path], settings: EncoderSettings,
                position: CaptionPosition = DEFAULT_CAPTION_POSITION,
                ) -> tuple[dict[VideoFormat, Path], int]:
    """Encodes one shot into a piece per format: a moving one frame by frame, a still one as
    its distinct pictures held for their frames. Returns the pieces written (a still MP4 piece
    that the skip-frame writer refused becomes an MP4 segment encoded frame by frame, beside
    the planned one) and how many pictures were made. Raises RenderFailed."""
    if moves(shot):
        what = "playing a clip" if shot.clip is not None else "encoding a zooming scene"
        sinks: list[FrameSink] = [
            H264Segment(piece, settings, what=what) if fmt == "mp4"
            else VP9Segment(piece, settings, what=what)
            for fmt, piece in pieces.items()]
        if shot.clip is not None:
            encode_clip(shot.clip, shot.frames, shot.captions, sinks, settings, position,
                        shot.language)
        else:
            encode_zoom(load_picture(shot.image, settings), shot.frames, shot.captions, sinks,
                        settings, position, shot.language, span=shot.motion_frames or None)
        return dict(pieces), shot.frames
    picture = load_picture(shot.image, settings)
    runs = list(caption_runs(shot.captions, shot.frames))
    frames = [yuv420_frame(picture if text is None else with_caption(
        picture, caption_overlay(text, settings.width, settings.height, position,
                                 shot.language)))
        for text, _ in runs]
    lengths = [count for _, count in runs]
    what = f"encoding {shot.image.name}"
    written = dict(pieces)
    for fmt, piece in pieces.items():
        if fmt == "mp4":
            written[fmt] = _still_h264(frames, lengths, piece, settings, what)
        else:
            write_holds(frames, lengths, piece, settings, what=what)
    return written, len(runs)


def _still_h264(frames: Sequence[av.VideoFrame], lengths: Sequence[int], piece: Path,
                settings: EncoderSettings, what: str) -> Path:
    try:
        encode_holds(frames, lengths, piece, settings, what=what)
        return piece
    except StreamNotExtendable:
        # Why: the skip-frame writer knows the stream features x264 uses today; should a new
        # x264 use others, the video gets slower to make, never impossible.
        piece.unlink(missing_ok=True)
        fallback = piece.with_suffix(".mp4")
        segment = H264Segment(fallback, settings, what=what)
        for frame, length in zip(frames, lengths, strict=True):
            data = frame.to_ndarray().tobytes()  # yuv420p: the Y, U and V planes in a row
            for _ in range(length):
                segment.add(data)
        segment.close()
        return fallback


def image_size(path: Path) -> tuple[int, int]:
    """Returns the size of the picture at ``path``; raises RenderFailed when it cannot be read
    or has an odd side."""
    try:
        with Image.open(path) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError) as exc:
        raise RenderFailed(f"encoding {path.name}: cannot read the picture: {exc}") from exc
    if width % 2 or height % 2:
        raise RenderFailed(f"encoding {path.name}: {width}x{height} has an odd side")
    return width, height


def load_picture(path: Path, settings: EncoderSettings) -> Image.Image:
    """Returns the picture at ``path`` in RGB, fitted to the frame size. Raises RenderFailed."""
    try:
        with Image.open(path) as image:
            picture: Image.Image = image.convert("RGB")
    except (OSError, UnidentifiedImageError) as exc:
        raise RenderFailed(f"encoding {path.name}: cannot read the picture: {exc}") from exc
    if picture.size == (settings.width, settings.height):
        return picture
    fitted: Image.Image = ImageOps.fit(picture, (settings.width, settings.height))
    return fitted
