"""Composition's last step: the job's shots, encoded already (services/shots.py), joined
into one video per format with the soundtrack (services/soundtrack.py), then the files beside
them (posters, captions)."""

from __future__ import annotations

import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reelflow.db.models import GeneratedVideo
from reelflow.db.states import VideoStatus
from reelflow.engine.compose import RenderReport, default_workers
from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.join import join_video
from reelflow.engine.script import RenderSettings
from reelflow.engine.shots import Piece
from reelflow.engine.speech import Narration
from reelflow.engine.timeline import total_seconds
from reelflow.engine.transitions import piece_frames
from reelflow.errors import RenderFailed
from reelflow.services.crossfades import fade_frames
from reelflow.services.runtime import database, layout, utcnow
from reelflow.services.shots import cues, timeline
from reelflow.services.sidecars import write_caption_files, write_posters
from reelflow.services.soundtrack import Soundtrack
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


def plan_videos(settings: Settings, job_id: uuid.UUID, title: str,
                narrations: Sequence[Narration], minimums: Sequence[float | None],
                render: RenderSettings) -> tuple[PlannedVideo, ...]:
    """Plans the job's videos, one per format in the order of ``formats``, at the length the
    narrations give: their GeneratedVideo rows are planned (or reused on a retry) and moved to
    GENERATING."""
    media = layout(settings)
    targets = [media.video(job_id, title, fmt) for fmt in render.formats]
    ids = _open_video_rows(settings, job_id, title, targets, render.formats,
                           total_seconds(timeline(narrations, minimums, render)),
                           render.resolution)
    return tuple(PlannedVideo(video_id, target, fmt) for video_id, target, fmt
                 in zip(ids, targets, render.formats, strict=True))


def join(settings: Settings, job_id: uuid.UUID, title: str, narrations: Sequence[Narration],
         minimums: Sequence[float | None], videos: Sequence[PlannedVideo],
         pieces: Sequence[Piece], soundtrack: Soundtrack, render: RenderSettings,
         encoder: EncoderSettings) -> RenderPlan:
    """Joins the job's shots, one piece per scene in order (each but the last followed by its
    crossfade into the next, if the scenes crossfade), into each planned video at its
    final path with the soundtrack, then writes the poster of each and the caption files
    beside them; removes the job's scratch folder once the videos exist.

    The scratch folder stays when the join fails, so a retry can join again; failing the job
    removes it. Raises RenderFailed, also when a piece's frames are not its scene's.
    """
    slots = timeline(narrations, minimums, render)
    planned = piece_frames([slot.frames for slot in slots], fade_frames(render))
    if [piece.frames for piece in pieces] != planned:
        raise RenderFailed(f"the shots and crossfades have {[p.frames for p in pieces]} frames, "
                           f"the timeline {planned}")
    media = layout(settings)
    targets = [video.path for video in videos]
    started = time.perf_counter()
    join_video(pieces, targets, encoder, work=media.join_work(job_id),
               sounds=soundtrack.sounds, subtitles=soundtrack.subtitles, title=title,
               language=render.language)
    joined = time.perf_counter() - started
    # The pieces, the sound and the captions live inside the videos now.
    shutil.rmtree(media.scratch(job_id), ignore_errors=True)
    poster_slot = slots[render.poster_scene - 1]
    files = [*write_posters(settings, job_id, targets, poster_slot.start_frame,
                            render.poster_scene),
             *write_caption_files(settings, job_id, title, cues(narrations, slots), render)]
    return RenderPlan(
        videos=tuple(videos), duration=total_seconds(slots),
        frames=sum(s.frames for s in slots), fps=render.fps, resolution=render.resolution,
        has_audio=soundtrack.sounds is not None, subtitles=soundtrack.subtitles is not None,
        report=replace(RenderReport.of(pieces, sum(p.seconds for p in pieces), joined,
                                       default_workers()), scenes=len(slots)),
        files=tuple(files))


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
