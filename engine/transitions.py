"""Crossfades between scenes, at the cost of their own frames and nothing more.

A crossfade of K frames takes the last K frames of the scene it leaves (at most all but that
scene's first frame) and shows there a blend of the scene's own picture and the next scene's
first frame, the next one growing: blended frame i of K is (1 - w) * leaving + w * next, with
w = (i + 1) / (K + 1). So the first frame that shows the next scene alone is the frame where its
narration starts: every cut stays on the frame the timeline put it (engine/timeline.py) and
nothing after it moves. With the default pause after each narration (0.6 s) a crossfade of up
to that length plays in the silence between two narrations.

The blended frames are a piece of their own between the still pieces of the two scenes,
encoded frame by frame like a zooming shot (x264 into an MP4 segment, libvpx into IVF); the
still scenes stay one encoded picture each. A zooming scene keeps zooming through its
crossfade at its own pace. Blending the YUV planes is blending the pictures: the BT.709
conversion is linear, and so is averaging chroma over 2x2 pixels.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from itertools import islice
from pathlib import Path

import cv2
import numpy as np

from reelflow.engine.burned_captions import CaptionSpan, caption_overlay, with_caption
from reelflow.engine.clips import clip_frames
from reelflow.engine.colour import yuv420_frame
from reelflow.engine.encoder import EncoderSettings, H264Segment
from reelflow.engine.kenburns import FrameSink, feed, zoom_frames
from reelflow.engine.shots import Piece, Shot, encode_piece, load_picture, piece_paths
from reelflow.engine.vp9 import VP9Segment
from reelflow.vocabulary import CaptionPosition, Transition, VideoFormat


@dataclass(frozen=True)
class Crossfade:
    """``frames`` frames blending from the end of ``leaving`` into the first frame of
    ``entering``; both are the scenes' whole shots, as they were before the crossfade
    shortened ``leaving``."""

    leaving: Shot
    entering: Shot
    frames: int

    @property
    def first(self) -> int:
        """The frame of ``leaving`` (from its start) where the crossfade begins."""
        return self.leaving.frames - self.frames


def crossfade_frames(transition: Transition, seconds: float, fps: int) -> int:
    """The frames a transition takes at ``fps`` (0 for a cut; at least 1 for a crossfade)."""
    return 0 if transition == "cut" else max(1, round(seconds * fps))


def with_transitions(shots: Sequence[Shot], frames: int) -> list[Shot | Crossfade]:
    """Given the scenes' shots and a crossfade's length in frames (0: cuts), returns the
    pieces to encode: every shot, each but the last followed by a crossfade into the next that
    takes its last frames (up to all but its first). A shortened shot keeps the pace of its
    zoom and its captions up to its new end. Every shot keeps its first frame and its start."""
    pieces: list[Shot | Crossfade] = []
    for n, shot in enumerate(shots):
        fade = fade_length(shot.frames, frames) if n + 1 < len(shots) else 0
        pieces.append(shortened(shot, fade))
        if fade:
            pieces.append(Crossfade(shot, shots[n + 1], fade))
    return pieces


def fade_length(frames: int, fade: int) -> int:
    """The frames a crossfade of ``fade`` frames takes from a shot of ``frames`` frames: all
    it asks for, but never the shot's first frame."""
    return max(0, min(fade, frames - 1))


def shortened(shot: Shot, fade: int) -> Shot:
    """``shot`` as it shows before a crossfade of ``fade`` frames (``fade_length``) takes its
    end: its zoom at the pace of the whole shot, its captions up to its new end."""
    if fade < 1:
        return shot
    kept = shot.frames - fade
    return replace(shot, frames=kept, captions=_clipped(shot.captions, kept),
                   motion_frames=shot.motion_frames or shot.frames)


def piece_frames(frames: Sequence[int], fade: int) -> list[int]:
    """The frames of each piece ``with_transitions`` makes of shots of ``frames`` frames."""
    pieces: list[int] = []
    for n, count in enumerate(frames):
        taken = fade_length(count, fade) if n + 1 < len(frames) else 0
        pieces += [count - taken, taken] if taken else [count]
    return pieces


def scenes_in(pieces: Sequence[object]) -> int:
    """The number of scenes among ``pieces`` (crossfades are not scenes)."""
    return sum(not isinstance(piece, Crossfade) for piece in pieces)


def fade_paths(folder: Path, number: int, formats: Sequence[VideoFormat]
               ) -> dict[VideoFormat, Path]:
    """Where crossfade ``number`` of a video is encoded in ``folder``, one file per format:
    ``fade-0003.mp4`` (an MP4 segment) or ``.ivf`` (VP9)."""
    return {fmt: folder / f"fade-{number:04d}.{'mp4' if fmt == 'mp4' else 'ivf'}"
            for fmt in formats}


def encode_any(item: Shot | Crossfade, folder: Path, number: int,
               formats: Sequence[VideoFormat], settings: EncoderSettings,
               position: CaptionPosition) -> Piece:
    """Encodes piece ``number`` of a video, a shot or a crossfade, into ``folder``; returns
    the piece. Raises RenderFailed."""
    if isinstance(item, Crossfade):
        return encode_crossfade(item, fade_paths(folder, number, formats), settings, position)
    return encode_piece(item, piece_paths(folder, number, item, formats), settings, position)


def encode_crossfade(fade: Crossfade, files: Mapping[VideoFormat, Path],
                     settings: EncoderSettings, position: CaptionPosition) -> Piece:
    """Encodes the crossfade's blended frames into a piece per format (MP4: an x264 segment,
    WebM: an IVF file, see ``fade_paths``); returns the piece, timed. Raises RenderFailed."""
    started = time.perf_counter()
    what = f"encoding a crossfade into {fade.entering.image.name}"
    target = next(frames_of(fade.entering, 0, 1, settings, position))
    sinks: list[FrameSink] = [
        H264Segment(piece, settings, what=what) if fmt == "mp4"
        else VP9Segment(piece, settings, what=what) for fmt, piece in files.items()]
    leaving = frames_of(fade.leaving, fade.first, fade.frames, settings, position)
    feed((blend(frame, target, (n + 1) / (fade.frames + 1)) for n, frame in enumerate(leaving)),
         sinks, fade.frames, what)
    return Piece(dict(files), fade.frames, fade.frames, time.perf_counter() - started)


def blend(leaving: np.ndarray, entering: np.ndarray, weight: float) -> bytes:
    """Returns the yuv420p frame ``(1 - weight) * leaving + weight * entering``, rounded
    (both flat uint8 arrays of one size; OpenCV's vectorised blend, a millisecond a frame)."""
    mixed: np.ndarray = cv2.addWeighted(leaving, 1 - weight, entering, weight, 0.0)
    return mixed.tobytes()


def frames_of(shot: Shot, first: int, count: int, settings: EncoderSettings,
              position: CaptionPosition) -> Iterator[np.ndarray]:
    """Yields frames ``first`` to ``first + count - 1`` of ``shot`` as it shows them, each a
    flat yuv420p array: its picture (or its clip's) with the caption of that frame, zoomed if
    it zooms."""
    if shot.clip is not None:
        # A clip plays from its scene's start: frame n shows the clip at n / fps seconds.
        played = clip_frames(shot.clip, shot.frames, shot.captions, settings, position,
                             shot.language)
        try:
            for data in islice(played, first, first + count):
                yield np.frombuffer(data, np.uint8)
        finally:
            close = getattr(played, "close", None)
            if close is not None:
                close()  # the clip's decoder, which the generator holds open
        return
    picture = load_picture(shot.image, settings)
    span = shot.motion_frames or shot.frames
    if shot.motion == "kenburns" and span > 1:
        zoomed = zoom_frames(picture, shot.frames, shot.captions, settings, position,
                             shot.language, span=span, start=first)
        for _, raw in zip(range(count), zoomed, strict=False):
            yield np.frombuffer(raw, np.uint8)
        return
    made: dict[str | None, np.ndarray] = {}
    for frame in range(first, first + count):
        text = _caption_at(shot.captions, frame)
        if text not in made:
            shown = picture if text is None else with_caption(picture, caption_overlay(
                text, settings.width, settings.height, position, shot.language))
            made[text] = yuv420_frame(shown).to_ndarray().reshape(-1)
        yield made[text]


def _caption_at(spans: Sequence[CaptionSpan], frame: int) -> str | None:
    return next((span.text for span in spans if span.first <= frame < span.end), None)


def _clipped(spans: Sequence[CaptionSpan], frames: int) -> tuple[CaptionSpan, ...]:
    return tuple(replace(span, end=min(span.end, frames)) for span in spans
                 if span.first < frames)
