"""Composition: still scenes encoded once each, joined without re-encoding, audio encoded once.

Each scene's slide is decoded once and repeated by ffmpeg's loop filter into a video-only H.264
segment of an exact number of frames; scenes encode in parallel. The segments are joined by the
concat demuxer with stream copy, and the narration (already joined sample-exactly) is encoded to
AAC once in the final mux, so there is no drift at the cuts.
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from engine.errors import RenderFailed
from engine.ffmpeg import run_ffmpeg
from engine.files import partial_path, publish

# Stream-copied segments must share encoder settings, so a preset is the whole set of them.
PRESETS: dict[str, tuple[str, int]] = {
    "draft": ("ultrafast", 30),
    "standard": ("veryfast", 23),
    "high": ("medium", 19),
}
AUDIO_BITRATE = "128k"
AUDIO_RATE = 48000


@dataclass(frozen=True)
class StillScene:
    """A scene that shows one image for ``frames`` frames."""

    image: Path
    frames: int


@dataclass(frozen=True)
class RenderReport:
    """What a render did, as data for the job's resource usage."""

    frames: int
    scenes: int
    encode_seconds: float
    mux_seconds: float
    workers: int


def default_workers() -> int:
    """Returns how many scenes to encode at once: the CPUs this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def render_video(
    scenes: Sequence[StillScene],
    target: Path,
    *,
    fps: int,
    quality: str = "standard",
    audio: Path | None = None,
    subtitles: Path | None = None,
    title: str | None = None,
    workers: int | None = None,
    on_scene_done: Callable[[int, int], None] | None = None,
) -> RenderReport:
    """Renders still scenes into an MP4 (H.264, AAC when ``audio`` is given) at ``target``.

    The file appears at ``target`` only when complete. ``on_scene_done(done, total)`` is called
    as scenes finish encoding. Raises RenderFailed for no scenes, an unknown quality or any
    ffmpeg failure; nothing is left behind on failure.
    """
    if not scenes:
        raise RenderFailed("nothing to render: the plan has no scenes")
    if quality not in PRESETS:
        raise RenderFailed(f"unknown quality {quality!r}; expected one of {', '.join(PRESETS)}")
    target.parent.mkdir(parents=True, exist_ok=True)
    work = target.with_name(f".parts-{target.stem}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    pool_size = max(1, min(workers or default_workers(), len(scenes)))
    try:
        started = time.perf_counter()
        segments = [work / f"scene-{n:04d}.mp4" for n in range(len(scenes))]
        done = 0
        with ThreadPoolExecutor(max_workers=pool_size) as pool:
            jobs = [pool.submit(_encode_still, scene, segment, fps, quality)
                    for scene, segment in zip(scenes, segments, strict=True)]
            for job in jobs:
                job.result()
                done += 1
                if on_scene_done is not None:
                    on_scene_done(done, len(scenes))
        encoded = time.perf_counter()
        listing = work / "segments.txt"
        listing.write_text("".join(f"file '{s.name}'\n" for s in segments), "utf-8")
        temp = partial_path(target)
        try:
            _mux(listing, audio, subtitles, title, temp)
            publish(temp, target)
        finally:
            temp.unlink(missing_ok=True)
        return RenderReport(
            frames=sum(s.frames for s in scenes),
            scenes=len(scenes),
            encode_seconds=encoded - started,
            mux_seconds=time.perf_counter() - encoded,
            workers=pool_size,
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _encode_still(scene: StillScene, segment: Path, fps: int, quality: str) -> None:
    preset, crf = PRESETS[quality]
    if scene.frames < 1:
        raise RenderFailed(f"{scene.image.name}: a scene needs at least one frame")
    run_ffmpeg(
        [
            "-i", str(scene.image),
            # Convert once, then repeat the converted frame: the loop costs no colour maths.
            "-vf", (f"format=yuv420p,loop=loop={scene.frames - 1}:size=1:start=0,"
                   f"setpts=N/({fps}*TB)"),
            "-r", str(fps), "-frames:v", str(scene.frames),
            "-c:v", "libx264", "-preset", preset, "-crf", str(crf), "-tune", "stillimage",
            "-profile:v", "high", "-g", str(fps * 4), "-threads", "2",
            "-an", "-f", "mp4", str(segment),
        ],
        what=f"encoding {scene.image.name}",
    )


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
