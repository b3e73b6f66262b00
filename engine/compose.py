"""Composition: every shot encoded once, in parallel, joined without re-encoding, muxed once.

A shot is one scene's picture. A still shot costs one encoded frame per distinct picture (the
slide, plus one per burned-in caption) and repeated frames for the rest (engine/encode_still.py
for H.264, engine/vp9.py for VP9); a zooming shot is resampled and encoded frame by frame
(engine/kenburns.py). Every picture is made and converted to YUV once, then handed to each
format's encoder, so an MP4 and a WebM of one script cost one set of pictures. Shots encode in
parallel threads, up to the CPUs available, each holding only its own picture; the encoders
run in process. Each format's pieces are then joined without re-encoding and muxed once with
the narration, encoded once per format (engine/outputs.py).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
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
from reelflow.engine.outputs import encode_audio, join_pieces, mux, output_format
from reelflow.engine.vp9 import VP9Segment, write_holds
from reelflow.errors import RenderFailed, StreamNotExtendable
from reelflow.files import partial_path, parts_folder, publish
from reelflow.vocabulary import (
    DEFAULT_CAPTION_POSITION,
    DEFAULT_MOTION,
    DEFAULT_QUALITY,
    CaptionPosition,
    Motion,
    Quality,
    VideoFormat,
)


@dataclass(frozen=True)
class Shot:
    """One scene's picture: ``image`` for ``frames`` frames, with captions burned in during
    their spans (frames from the shot's start), in ``language``, and, for "kenburns", a slow
    zoom. With a ``clip``, the shot plays that video clip instead of showing ``image``."""

    image: Path
    frames: int
    captions: tuple[CaptionSpan, ...] = ()
    motion: Motion = DEFAULT_MOTION
    language: str = ""
    clip: Path | None = None


@dataclass(frozen=True)
class RenderReport:
    """What a render did, as data for the job's resource usage. ``encoded_frames`` counts the
    frames that went through the encoder; the others are copies of their predecessor."""

    frames: int
    scenes: int
    encoded_frames: int
    encode_seconds: float
    mux_seconds: float
    workers: int
    fallback_shots: int = 0


def default_workers() -> int:
    """Returns how many shots to encode at once: the CPUs this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def render_video(
    shots: Sequence[Shot],
    targets: Path | Sequence[Path],
    *,
    fps: int,
    quality: Quality = DEFAULT_QUALITY,
    audio: Path | None = None,
    subtitles: Path | None = None,
    title: str | None = None,
    size: tuple[int, int] | None = None,
    workers: int | None = None,
    caption_position: CaptionPosition = DEFAULT_CAPTION_POSITION,
    on_scene_done: Callable[[int, int], None] | None = None,
) -> RenderReport:
    """Renders shots into each of ``targets``: an .mp4 (H.264, AAC when ``audio`` is given)
    or a .webm (VP9, Opus), all from the same pictures, each made once.

    ``size`` is the frame size (default: the first image's); pictures of another size are
    fitted to it. ``subtitles`` (SubRip) become a soft subtitle track (MP4: mov_text, WebM:
    WebVTT); burned-in captions sit at ``caption_position``. A file appears at its target only
    when every target is complete; ``on_scene_done(done, total)`` is called as shots finish.
    Raises RenderFailed for no shots or targets, an unknown format or quality, an unreadable
    image or any encoder failure; nothing is left behind on failure.
    """
    outputs = [targets] if isinstance(targets, Path) else list(targets)
    formats = [output_format(target) for target in outputs]
    if not outputs or len(set(formats)) != len(formats):
        raise RenderFailed("a render needs one target per format: .mp4, .webm or both")
    if not shots:
        raise RenderFailed("nothing to render: the plan has no scenes")
    if any(shot.frames < 1 for shot in shots):
        raise RenderFailed("a scene needs at least one frame")
    width, height = size or _image_size(shots[0].image)
    pool_size = max(1, min(workers or default_workers(), len(shots)))
    # Shots already run side by side; more encoder threads than CPUs per shot only add
    # memory (each thread holds frames) and synchronisation.
    threads = max(1, default_workers() // pool_size)
    settings = EncoderSettings(width, height, fps, quality, threads)
    outputs[0].parent.mkdir(parents=True, exist_ok=True)
    work = parts_folder(outputs[0])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    temps = [partial_path(target) for target in outputs]
    try:
        started = time.perf_counter()
        pieces = [{fmt: work / f"shot-{n:04d}{_piece_suffix(fmt, shot)}" for fmt in formats}
                  for n, shot in enumerate(shots)]
        encoded = fallbacks = 0
        # The narration is ready before any picture: its one encode per format runs alongside.
        with ThreadPoolExecutor(max_workers=1) as sound, \
                ThreadPoolExecutor(max_workers=pool_size) as pool:
            sounds = {fmt: sound.submit(encode_audio, audio, work / f"audio-{fmt}", fmt)
                      for fmt in formats} if audio else {}
            jobs = [pool.submit(encode_shot, shot, piece, settings, caption_position)
                    for shot, piece in zip(shots, pieces, strict=True)]
            try:
                for done, job in enumerate(jobs, start=1):
                    written, pictures = job.result()
                    fallbacks += written != pieces[done - 1]
                    pieces[done - 1], encoded = written, encoded + pictures
                    if on_scene_done is not None:
                        on_scene_done(done, len(shots))
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
            joined = time.perf_counter()
            frames = [shot.frames for shot in shots]
            for fmt, temp in zip(formats, temps, strict=True):
                video = join_pieces(fmt, [piece[fmt] for piece in pieces], frames, settings,
                                    work)
                mux(fmt, video, sounds[fmt].result() if audio else None, subtitles, title,
                    temp)
        for temp, target in zip(temps, outputs, strict=True):
            publish(temp, target)
        return RenderReport(frames=sum(frames), scenes=len(shots), encoded_frames=encoded,
                            encode_seconds=joined - started,
                            mux_seconds=time.perf_counter() - joined, workers=pool_size,
                            fallback_shots=fallbacks)
    finally:
        for temp in temps:
            temp.unlink(missing_ok=True)
        shutil.rmtree(work, ignore_errors=True)


def _moves(shot: Shot) -> bool:
    return shot.clip is not None or (shot.motion == "kenburns" and shot.frames > 1)


def _piece_suffix(fmt: VideoFormat, shot: Shot) -> str:
    if fmt == "webm":
        return ".ivf"
    return ".mp4" if _moves(shot) else ".h264"


def encode_shot(shot: Shot, pieces: Mapping[VideoFormat, Path], settings: EncoderSettings,
                position: CaptionPosition = DEFAULT_CAPTION_POSITION,
                ) -> tuple[dict[VideoFormat, Path], int]:
    """Encodes one shot into a piece per format: a moving one frame by frame, a still one as
    its distinct pictures held for their frames. Returns the pieces written (a still MP4 piece
    that the skip-frame writer refused becomes an MP4 segment encoded frame by frame, beside
    the planned one) and how many pictures were made. Raises RenderFailed."""
    if _moves(shot):
        what = "playing a clip" if shot.clip is not None else "encoding a zooming scene"
        sinks: list[FrameSink] = [
            H264Segment(piece, settings, what=what) if fmt == "mp4"
            else VP9Segment(piece, settings, what=what)
            for fmt, piece in pieces.items()]
        if shot.clip is not None:
            encode_clip(shot.clip, shot.frames, shot.captions, sinks, settings, position,
                        shot.language)
        else:
            encode_zoom(_load(shot.image, settings), shot.frames, shot.captions, sinks,
                        settings, position, shot.language)
        return dict(pieces), shot.frames
    picture = _load(shot.image, settings)
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


def _image_size(path: Path) -> tuple[int, int]:
    try:
        with Image.open(path) as image:
            width, height = image.size
    except (OSError, UnidentifiedImageError) as exc:
        raise RenderFailed(f"encoding {path.name}: cannot read the picture: {exc}") from exc
    if width % 2 or height % 2:
        raise RenderFailed(f"encoding {path.name}: {width}x{height} has an odd side")
    return width, height


def _load(path: Path, settings: EncoderSettings) -> Image.Image:
    try:
        with Image.open(path) as image:
            picture: Image.Image = image.convert("RGB")
    except (OSError, UnidentifiedImageError) as exc:
        raise RenderFailed(f"encoding {path.name}: cannot read the picture: {exc}") from exc
    if picture.size == (settings.width, settings.height):
        return picture
    fitted: Image.Image = ImageOps.fit(picture, (settings.width, settings.height))
    return fitted


