"""Video composition: the timeline from measured narration, then one render of the whole video."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from reelflow.db.models import GeneratedVideo
from reelflow.db.states import VideoStatus
from reelflow.engine.audio import NARRATION_RATE, join_padded
from reelflow.engine.burned_captions import spans_for
from reelflow.engine.captions import cues_for, write_srt
from reelflow.engine.compose import RenderReport, Shot, render_video
from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.speech import Narration
from reelflow.engine.timeline import plan_timeline, total_seconds
from reelflow.services.runtime import database, layout, utcnow
from reelflow.settings import Settings


@dataclass(frozen=True)
class RenderPlan:
    """What the composed video must be, for verification."""

    video_id: uuid.UUID
    path: Path
    duration: float
    frames: int
    fps: int
    resolution: str
    has_audio: bool
    report: RenderReport


def compose(settings: Settings, job_id: uuid.UUID, title: str, scenes: Sequence[Scene],
            narrations: Sequence[Narration], slides: Sequence[Path],
            render: RenderSettings,
            on_scene_done: Callable[[int, int], None] | None = None) -> RenderPlan:
    """Times every scene from its narration and renders the video to its final path, calling
    ``on_scene_done(done, total)`` as scenes finish.

    The GeneratedVideo row is planned (or reused on a retry) and moved to GENERATING.
    Raises RenderFailed.
    """
    media = layout(settings)
    slots = plan_timeline([n.duration for n in narrations], fps=render.fps,
                          pause_seconds=render.pause_seconds,
                          minimum_seconds=[s.duration for s in scenes])
    target = media.video(job_id, title)
    video_id = _open_video_row(settings, job_id, title, target, total_seconds(slots),
                               render.resolution)
    scratch = media.scratch(job_id)
    scratch.mkdir(parents=True, exist_ok=True)
    try:
        audio = scratch / "narration.wav" if render.include_audio else None
        if audio is not None:
            join_padded([(n.path, slot.samples(NARRATION_RATE))
                         for n, slot in zip(narrations, slots, strict=True)], audio)
        cues = cues_for([(slot.start, n.sentences)
                         for n, slot in zip(narrations, slots, strict=True)])
        captions = scratch / "captions.srt" if render.captions == "soft" else None
        if captions is not None:
            write_srt(cues, captions)
        burned = render.captions == "burned"
        shots = [Shot(image, slot.frames,
                      spans_for(cues, slot.start_frame, slot.frames, render.fps) if burned else (),
                      render.motion)
                 for image, slot in zip(slides, slots, strict=True)]
        report = render_video(shots, target, fps=render.fps, quality=render.quality,
                              audio=audio, subtitles=captions, title=title,
                              size=(render.width, render.height),
                              on_scene_done=on_scene_done)
    finally:
        # The joined narration and captions live inside the video now; a retry remakes them.
        shutil.rmtree(scratch, ignore_errors=True)
    return RenderPlan(video_id=video_id, path=target, duration=total_seconds(slots),
                      frames=sum(s.frames for s in slots), fps=render.fps,
                      resolution=render.resolution, has_audio=render.include_audio, report=report)


def _open_video_row(settings: Settings, job_id: uuid.UUID, title: str, target: Path,
                    duration: float, resolution: str) -> uuid.UUID:
    with database(settings).unit_of_work() as uow:
        video = uow.videos.get_for_job(job_id)
        if video is None:
            video = GeneratedVideo.plan(
                job=uow.jobs.get(job_id), file_path=str(target),
                url_path=layout(settings).url_path(target), title=title, duration=duration,
                resolution=resolution, format="mp4", now=utcnow())
            uow.videos.add(video)
        video.move_to(VideoStatus.GENERATING, utcnow())
        uow.commit()
        return video.id
