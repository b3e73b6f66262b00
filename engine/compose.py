"""Composition in one call: every shot encoded once, in parallel, then joined and muxed once.

The library's way to make a video from shots whose frame counts are all known
(engine/shots.py encodes each, engine/join.py joins them). Shots encode in parallel threads,
up to the CPUs available, each holding only its own picture; the encoders run in process and
release the GIL. The narration is encoded once per format alongside them. A job pipelines the
same two steps across processes instead: each shot as soon as its narration exists, then the
join (services/shots.py, services/compose.py).
"""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.join import encode_sounds, join_video
from reelflow.engine.outputs import output_format
from reelflow.engine.shots import Piece, Shot, encode_shot, image_size
from reelflow.engine.transitions import Crossfade, encode_any, scenes_in
from reelflow.errors import RenderFailed
from reelflow.files import parts_folder
from reelflow.vocabulary import DEFAULT_CAPTION_POSITION, DEFAULT_QUALITY, CaptionPosition, Quality

__all__ = ["RenderReport", "Shot", "default_workers", "encode_shot", "encoder_settings",
           "render_video"]


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

    @classmethod
    def of(cls, pieces: Sequence[Piece], encode_seconds: float, mux_seconds: float,
           workers: int) -> RenderReport:
        """The report of a video made of ``pieces``."""
        return cls(frames=sum(p.frames for p in pieces), scenes=len(pieces),
                   encoded_frames=sum(p.pictures for p in pieces),
                   encode_seconds=encode_seconds, mux_seconds=mux_seconds, workers=workers,
                   fallback_shots=sum(p.fallback for p in pieces))


def default_workers() -> int:
    """Returns how many shots to encode at once: the CPUs this process may use."""
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


def encoder_settings(size: tuple[int, int], fps: int, quality: Quality, shots: int,
                     workers: int | None = None) -> EncoderSettings:
    """The one set of encoder settings every piece of a video shares, for ``shots`` shots
    encoded up to ``workers`` (default: the CPUs) at a time: each encode gets an equal share
    of the CPUs as threads. Raises RenderFailed for an unknown quality."""
    pool = max(1, min(workers or default_workers(), shots))
    # Shots already run side by side; more encoder threads than CPUs per shot only add
    # memory (each thread holds frames) and synchronisation.
    return EncoderSettings(size[0], size[1], fps, quality, max(1, default_workers() // pool))


def render_video(
    shots: Sequence[Shot | Crossfade],
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
    language: str = "en",
) -> RenderReport:
    """Renders shots, and crossfades between them (engine/transitions.py), into each of
    ``targets``: an .mp4 (H.264, AAC when ``audio`` is given) or a .webm (VP9, Opus), all from
    the same pictures, each made once.

    ``size`` is the frame size (default: the first image's); pictures of another size are
    fitted to it. ``subtitles`` (SubRip) become a soft subtitle track (MP4: mov_text, WebM:
    WebVTT) labelled with ``language`` (BCP 47); burned-in captions sit at
    ``caption_position``. A file appears at its target only
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
    first = shots[0].leaving if isinstance(shots[0], Crossfade) else shots[0]
    settings = encoder_settings(size or image_size(first.image), fps, quality, len(shots),
                                workers)
    pool_size = max(1, min(workers or default_workers(), len(shots)))
    outputs[0].parent.mkdir(parents=True, exist_ok=True)
    work = parts_folder(outputs[0])
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        started = time.perf_counter()
        # The narration is ready before any picture: its one encode per format runs alongside.
        with ThreadPoolExecutor(max_workers=1) as sound, \
                ThreadPoolExecutor(max_workers=pool_size) as pool:
            sounds = sound.submit(encode_sounds, audio, work, formats) if audio else None
            jobs = [pool.submit(encode_any, shot, work, n, formats, settings,
                                caption_position)
                    for n, shot in enumerate(shots)]
            pieces = []
            try:
                for done, job in enumerate(jobs, start=1):
                    pieces.append(job.result())
                    if on_scene_done is not None:
                        on_scene_done(done, len(shots))
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
            joined = time.perf_counter()
            join_video(pieces, outputs, settings, work=work,
                       sounds=sounds.result() if sounds is not None else None,
                       subtitles=subtitles, title=title, language=language)
        report = RenderReport.of(pieces, joined - started, time.perf_counter() - joined,
                                 pool_size)
        return replace(report, scenes=scenes_in(shots))
    finally:
        shutil.rmtree(work, ignore_errors=True)
