"""Composition: every shot encoded once, in parallel, joined without re-encoding, muxed once.

A shot is one scene's picture. A still shot costs one encoded frame per distinct picture (the
slide, plus one per burned-in caption) and skipped frames for the rest
(engine/encode_still.py); a zooming shot is resampled and encoded frame by frame
(engine/kenburns.py). Shots encode in parallel, up to the CPUs available, each holding only its
own picture, into MP4 segments that share one set of encoder headers (checked here). The
segments are joined by ffmpeg's concat demuxer with stream copy, and the narration, already
joined sample-exactly, is encoded to AAC once in the final mux, so the sound starts on the
exact frame of every cut.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from PIL import Image, ImageOps, UnidentifiedImageError

from engine.burned_captions import CaptionSpan, caption_overlay, caption_runs, with_caption
from engine.encode_still import encode_holds
from engine.encoder import EncoderSettings
from engine.errors import RenderFailed
from engine.ffmpeg import run_ffmpeg
from engine.files import partial_path, publish
from engine.kenburns import encode_zoom

AUDIO_BITRATE = "128k"
AUDIO_RATE = 48000
Motion = Literal["none", "kenburns"]


@dataclass(frozen=True)
class Shot:
    """One scene's picture: ``image`` for ``frames`` frames, with captions burned in during
    their spans (frames from the shot's start) and, for "kenburns", a slow zoom."""

    image: Path
    frames: int
    captions: tuple[CaptionSpan, ...] = ()
    motion: Motion = "none"


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


def default_workers() -> int:
    """Returns how many shots to encode at once: the CPUs this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def render_video(
    shots: Sequence[Shot],
    target: Path,
    *,
    fps: int,
    quality: str = "standard",
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
    work = target.with_name(f".parts-{target.stem}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        started = time.perf_counter()
        segments = [work / f"shot-{n:04d}.mp4" for n in range(len(shots))]
        encoded = 0
        with ThreadPoolExecutor(max_workers=pool_size) as pool:
            jobs = [pool.submit(encode_shot, shot, segment, settings, idr_pic_id)
                    for shot, segment, idr_pic_id in zip(shots, segments, _lone_idr_ids(shots),
                                                         strict=True)]
            try:
                for done, job in enumerate(jobs, start=1):
                    encoded += job.result()
                    if on_scene_done is not None:
                        on_scene_done(done, len(shots))
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
        joined = time.perf_counter()
        _check_segments(segments, shots)
        listing = work / "segments.txt"
        listing.write_text("".join(f"file '{s.name}'\n" for s in segments), "utf-8")
        temp = partial_path(target)
        try:
            _mux(listing, audio, subtitles, title, temp)
            publish(temp, target)
        finally:
            temp.unlink(missing_ok=True)
        return RenderReport(frames=sum(shot.frames for shot in shots), scenes=len(shots),
                            encoded_frames=encoded, encode_seconds=joined - started,
                            mux_seconds=time.perf_counter() - joined, workers=pool_size)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def encode_shot(shot: Shot, segment: Path, settings: EncoderSettings,
                idr_pic_id: int | None = None) -> int:
    """Encodes one shot to an MP4 segment; returns how many frames the encoder coded.

    ``idr_pic_id`` renumbers the IDR picture of a one-frame shot (see _lone_idr_ids).
    """
    picture = _load(shot.image, settings)
    if shot.motion == "kenburns" and shot.frames > 1:
        encode_zoom(picture, shot.frames, shot.captions, segment, settings)
        return shot.frames
    runs = list(caption_runs(shot.captions, shot.frames))

    def pictures() -> Iterator[bytes]:
        for text, _ in runs:
            shown = picture if text is None else with_caption(
                picture, caption_overlay(text, settings.width, settings.height))
            yield shown.tobytes()

    encode_holds(pictures(), [count for _, count in runs], segment, settings,
                 first_idr_pic_id=idr_pic_id, what=f"encoding {shot.image.name}")
    return len(runs)


def _lone_idr_ids(shots: Sequence[Shot]) -> list[int | None]:
    """Returns the idr_pic_id each one-frame shot must carry (None: keep the encoder's).

    A one-frame shot is a lone IDR picture, and two IDR pictures in a row must differ in
    idr_pic_id. x264 starts every shot at 0, so a lone IDR takes the opposite of whatever
    follows it; a run of one-frame shots alternates, decided from the back.
    """
    ids: list[int | None] = [None] * len(shots)
    following = 0
    for n in range(len(shots) - 1, -1, -1):
        if shots[n].frames == 1:
            ids[n] = following = 1 - following
        else:
            following = 0
    return ids


def _check_segments(segments: Sequence[Path], shots: Sequence[Shot]) -> None:
    """Raises RenderFailed unless every segment has its shot's frames and the first
    segment's encoder headers: stream copy keeps only the first segment's headers."""
    import av

    first: bytes | None = None
    for segment, shot in zip(segments, shots, strict=True):
        try:
            with av.open(str(segment)) as container:
                stream = container.streams.video[0]
                headers, frames = bytes(stream.codec_context.extradata or b""), stream.frames
        except (OSError, IndexError, av.error.FFmpegError) as exc:
            raise RenderFailed(f"{segment.name} cannot be read back: {exc}") from exc
        first = headers if first is None else first
        if headers != first:
            raise RenderFailed(f"{shot.image.name}: its encoder headers differ from the first "
                               "scene's, so the scenes cannot be joined without re-encoding")
        if frames != shot.frames:
            raise RenderFailed(f"{shot.image.name}: encoded {frames} frames, planned "
                               f"{shot.frames}")


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
    codecs = ["-c:v", "copy"]
    if audio is not None:
        codecs += ["-c:a", "aac", "-b:a", AUDIO_BITRATE, "-ar", str(AUDIO_RATE), "-ac", "1"]
    if subtitles is not None:
        codecs += ["-c:s", "mov_text", "-metadata:s:s:0", "language=eng"]
    meta = ["-metadata", f"title={title}"] if title else []
    run_ffmpeg([*args, *maps, *codecs, *meta, "-movflags", "+faststart", "-f", "mp4", str(temp)],
               what="joining the scenes")
