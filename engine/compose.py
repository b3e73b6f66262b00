"""Composition: every shot encoded once, in parallel, joined without re-encoding, muxed once.

A shot is one scene's picture. A still shot costs one encoded frame per distinct picture (the
slide, plus one per burned-in caption) and skipped frames for the rest
(engine/encode_still.py); a zooming shot is resampled and encoded frame by frame
(engine/kenburns.py). Shots encode in parallel threads, up to the CPUs available, each holding
only its own picture; x264 runs in process (engine/encoder.py). The pieces become MP4 segments
that share one set of encoder headers (engine/segments.py), joined by ffmpeg's concat demuxer
with stream copy; the narration, already joined sample-exactly, is encoded to AAC once in the
final mux, so the sound starts on the exact frame of every cut.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from reelflow.engine.burned_captions import CaptionSpan, caption_overlay, caption_runs, with_caption
from reelflow.engine.encode_still import encode_holds
from reelflow.engine.encoder import EncoderSettings, encode_segment
from reelflow.engine.ffmpeg import run_ffmpeg
from reelflow.engine.kenburns import encode_zoom, to_yuv420
from reelflow.engine.segments import assemble
from reelflow.errors import RenderFailed, StreamNotExtendable
from reelflow.files import partial_path, parts_folder, publish
from reelflow.vocabulary import DEFAULT_MOTION, DEFAULT_QUALITY, Motion, Quality

AUDIO_BITRATE = "128k"
AUDIO_RATE = 48000


@dataclass(frozen=True)
class Shot:
    """One scene's picture: ``image`` for ``frames`` frames, with captions burned in during
    their spans (frames from the shot's start) and, for "kenburns", a slow zoom."""

    image: Path
    frames: int
    captions: tuple[CaptionSpan, ...] = ()
    motion: Motion = DEFAULT_MOTION


@dataclass(frozen=True)
class RenderReport:
    """What a render did, as data for the job's resource usage. ``encoded_frames`` counts the
    frames that went through the encoder; the others are copies of their predecessor.
    ``fallback_shots``: still shots the skip-frame writer refused, encoded frame by frame."""

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
    target: Path,
    *,
    fps: int,
    quality: Quality = DEFAULT_QUALITY,
    audio: Path | None = None,
    subtitles: Path | None = None,
    title: str | None = None,
    size: tuple[int, int] | None = None,
    workers: int | None = None,
    on_scene_done: Callable[[int, int], None] | None = None,
) -> RenderReport:
    """Renders shots into an MP4 (H.264, AAC when ``audio`` is given) at ``target``.

    ``size`` is the frame size (default: the first image's); pictures of another size are
    fitted to it. ``subtitles`` (SubRip) become a soft subtitle track. The file appears at
    ``target`` only when complete; ``on_scene_done(done, total)`` is called as shots finish.
    Raises RenderFailed for no shots, an unknown quality, an unreadable image or any ffmpeg
    failure; nothing is left behind on failure.
    """
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
    target.parent.mkdir(parents=True, exist_ok=True)
    work = parts_folder(target)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        started = time.perf_counter()
        pieces = [work / f"shot-{n:04d}{'.mp4' if _moves(shot) else '.h264'}"
                  for n, shot in enumerate(shots)]
        encoded = fallbacks = 0
        # The narration is ready before any picture: its one AAC encode runs alongside.
        with ThreadPoolExecutor(max_workers=1) as sound, \
                ThreadPoolExecutor(max_workers=pool_size) as pool:
            aac = sound.submit(_encode_audio, audio, work / "audio.m4a") if audio else None
            jobs = [pool.submit(encode_shot, shot, piece, settings)
                    for shot, piece in zip(shots, pieces, strict=True)]
            try:
                for done, job in enumerate(jobs, start=1):
                    pieces[done - 1], frames_encoded = job.result()
                    encoded += frames_encoded
                    fallbacks += pieces[done - 1].suffix == ".mp4" and not _moves(shots[done - 1])
                    if on_scene_done is not None:
                        on_scene_done(done, len(shots))
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
            joined = time.perf_counter()
            segments = assemble(pieces, [shot.frames for shot in shots], fps)
            encoded_audio = aac.result() if aac else None
        listing = work / "segments.txt"
        listing.write_text("".join(f"file '{s.name}'\n" for s in segments), "utf-8")
        temp = partial_path(target)
        try:
            _mux(listing, encoded_audio, subtitles, title, temp)
            publish(temp, target)
        finally:
            temp.unlink(missing_ok=True)
        return RenderReport(frames=sum(shot.frames for shot in shots), scenes=len(shots),
                            encoded_frames=encoded, encode_seconds=joined - started,
                            mux_seconds=time.perf_counter() - joined, workers=pool_size,
                            fallback_shots=fallbacks)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _moves(shot: Shot) -> bool:
    return shot.motion == "kenburns" and shot.frames > 1


def encode_shot(shot: Shot, piece: Path, settings: EncoderSettings) -> tuple[Path, int]:
    """Encodes one shot: a moving one to an MP4 segment, a still one to an Annex B stream
    (``piece``), or, when the skip-frame writer cannot extend x264's stream, to an MP4 segment
    encoded frame by frame beside it. Returns the piece written and how many frames went
    through the encoder. Raises RenderFailed."""
    picture = _load(shot.image, settings)
    if _moves(shot):
        encode_zoom(picture, shot.frames, shot.captions, piece, settings)
        return piece, shot.frames
    runs = list(caption_runs(shot.captions, shot.frames))

    def pictures() -> Iterator[Image.Image]:
        for text, _ in runs:
            yield picture if text is None else with_caption(
                picture, caption_overlay(text, settings.width, settings.height))

    lengths = [count for _, count in runs]
    what = f"encoding {shot.image.name}"
    try:
        encode_holds(pictures(), lengths, piece, settings, what=what)
        return piece, len(runs)
    except StreamNotExtendable:
        # Why: the skip-frame writer knows the stream features x264 uses today; should a new
        # x264 use others, the video gets slower to make, never impossible.
        piece.unlink(missing_ok=True)
        fallback = piece.with_suffix(".mp4")
        encode_segment(held_frames(pictures(), lengths), fallback, settings, what=what)
        return fallback, shot.frames


def held_frames(pictures: Iterator[Image.Image], lengths: Sequence[int]) -> Iterator[bytes]:
    """Yields raw yuv420p frames: picture ``n`` repeated ``lengths[n]`` times."""
    for picture, length in zip(pictures, lengths, strict=True):
        y, u, v = to_yuv420(np.asarray(picture.convert("RGB")))
        frame = y.tobytes() + u.tobytes() + v.tobytes()
        for _ in range(length):
            yield frame


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


def _encode_audio(audio: Path, target: Path) -> Path:
    # AAC once for the whole narration: encoder priming happens once, at the very start.
    run_ffmpeg(["-i", str(audio), "-vn", "-c:a", "aac", "-aac_coder", "fast", "-b:a",
                AUDIO_BITRATE, "-ar", str(AUDIO_RATE), "-ac", "1", "-f", "mp4", str(target)],
               what="encoding the narration")
    return target


def _mux(listing: Path, audio: Path | None, subtitles: Path | None, title: str | None,
         temp: Path) -> None:
    args = ["-f", "concat", "-safe", "0", "-i", str(listing)]
    maps = ["-map", "0:v:0"]
    if audio is not None:
        args += ["-i", str(audio)]
        maps += ["-map", "1:a:0"]
    if subtitles is not None:
        args += ["-i", str(subtitles)]
        maps += ["-map", f"{1 + (audio is not None)}:s:0"]
    codecs = ["-c:v", "copy", "-c:a", "copy"]
    if subtitles is not None:
        codecs += ["-c:s", "mov_text", "-metadata:s:s:0", "language=eng"]
    meta = ["-metadata", f"title={title}"] if title else []
    run_ffmpeg([*args, *maps, *codecs, *meta, "-movflags", "+faststart", "-f", "mp4", str(temp)],
               what="joining the scenes")
