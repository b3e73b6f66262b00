"""Video composition: the timeline from measured narration, then one render of the whole video
into every format asked for, then the files beside them (posters, captions)."""

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
from reelflow.engine.clip_sound import mix_under
from reelflow.engine.compose import RenderReport, Shot, render_video
from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.speech import Narration
from reelflow.engine.timeline import plan_timeline, total_seconds
from reelflow.services.runtime import database, layout, utcnow
from reelflow.services.sidecars import write_caption_files, write_posters
from reelflow.settings import Settings
from reelflow.vocabulary import VideoFormat


@dataclass(frozen=True)
class PlannedVideo:
    """One video file the job makes: its row, its path and its format."""

    video_id: uuid.UUID
    path: Path
    format: VideoFormat


@dataclass(frozen=True)
class RenderPlan:
    """What the composed videos must be, for verification; ``videos`` in the order of the
    script's ``formats``, and the job's other files (posters, caption files)."""

    videos: tuple[PlannedVideo, ...]
    duration: float
    frames: int
    fps: int
    resolution: str
    has_audio: bool
    subtitles: bool
    report: RenderReport
    files: tuple[Path, ...] = ()


def compose(settings: Settings, job_id: uuid.UUID, title: str, scenes: Sequence[Scene],
            narrations: Sequence[Narration], slides: Sequence[Path],
            render: RenderSettings,
            on_scene_done: Callable[[int, int], None] | None = None,
            clips: Sequence[Path | None] | None = None) -> RenderPlan:
    """Times every scene from its narration and renders one video per format to its final
    path, then the poster of each and the caption files beside them, calling
    ``on_scene_done(done, total)`` as scenes finish. A scene with a clip in ``clips`` plays
    it (its sound mixed under the narration when the scene's clip_audio is "mix").

    The GeneratedVideo rows are planned (or reused on a retry) and moved to GENERATING.
    Raises RenderFailed.
    """
    media = layout(settings)
    slots = plan_timeline([n.duration for n in narrations], fps=render.fps,
                          pause_seconds=render.pause_seconds,
                          minimum_seconds=[s.duration for s in scenes])
    targets = [media.video(job_id, title, fmt) for fmt in render.formats]
    ids = _open_video_rows(settings, job_id, title, targets, render.formats,
                           total_seconds(slots), render.resolution)
    scratch = media.scratch(job_id)
    scratch.mkdir(parents=True, exist_ok=True)
    scene_clips = list(clips) if clips is not None else [None] * len(scenes)
    try:
        audio = scratch / "narration.wav" if render.include_audio else None
        if audio is not None:
            join_padded([(n.path, slot.samples(NARRATION_RATE))
                         for n, slot in zip(narrations, slots, strict=True)], audio)
            mix_under(audio, [(clip, round(slot.start * NARRATION_RATE),
                               slot.samples(NARRATION_RATE))
                              for clip, slot, scene in zip(scene_clips, slots, scenes,
                                                           strict=True)
                              if clip is not None and scene.clip_audio_in(render) == "mix"],
                      scratch)
        cues = cues_for([(slot.start, n.sentences)
                         for n, slot in zip(narrations, slots, strict=True)])
        captions = scratch / "captions.srt" if render.captions == "soft" else None
        if captions is not None:
            write_srt(cues, captions)
        burned = render.captions == "burned"
        shots = [Shot(image, slot.frames,
                      spans_for(cues, slot.start_frame, slot.frames, render.fps) if burned else (),
                      render.motion, render.language, clip)
                 for image, slot, clip in zip(slides, slots, scene_clips, strict=True)]
        report = render_video(shots, targets, fps=render.fps, quality=render.quality,
                              audio=audio, subtitles=captions, title=title,
                              size=(render.width, render.height),
                              caption_position=render.caption_position,
                              on_scene_done=on_scene_done)
    finally:
        # The joined narration and captions live inside the videos now; a retry remakes them.
        shutil.rmtree(scratch, ignore_errors=True)
    poster_slot = slots[render.poster_scene - 1]
    files = [*write_posters(settings, job_id, targets, poster_slot.start_frame,
                            render.poster_scene),
             *write_caption_files(settings, job_id, title, cues, render)]
    return RenderPlan(
        videos=tuple(PlannedVideo(video_id, target, fmt) for video_id, target, fmt
                     in zip(ids, targets, render.formats, strict=True)),
        duration=total_seconds(slots), frames=sum(s.frames for s in slots), fps=render.fps,
        resolution=render.resolution, has_audio=render.include_audio,
        subtitles=captions is not None, report=report, files=tuple(files))


def _open_video_rows(settings: Settings, job_id: uuid.UUID, title: str, targets: Sequence[Path],
                     formats: Sequence[VideoFormat], duration: float, resolution: str
                     ) -> list[uuid.UUID]:
    ids = []
    with database(settings).unit_of_work() as uow:
        job = uow.jobs.get(job_id)
        for target, fmt in zip(targets, formats, strict=True):
            video = uow.videos.get_for_job(job_id, fmt)
            if video is None:
                video = GeneratedVideo.plan(
                    job=job, file_path=str(target), url_path=layout(settings).url_path(target),
                    title=title, duration=duration, resolution=resolution, format=fmt,
                    now=utcnow())
                uow.videos.add(video)
                uow.flush()  # planned in the order of the formats: the first is the "video"
            video.move_to(VideoStatus.GENERATING, utcnow())
            ids.append(video.id)
        uow.commit()
    return ids
