"""Composition as tasks: each scene's shot as soon as its narration and slide exist (and each
crossfade as soon as both its scenes' could be), the soundtrack as soon as every narration
does, then one join.

Every argument and result is a small value of paths (pieces, narrations, slides), so the tasks
run in any process that sees the media root: threads of the flow's process, or a Dask cluster.
No cache: a shot or a join is never reused from another run.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.script import RenderSettings
from reelflow.engine.shots import Piece
from reelflow.engine.speech import Narration
from reelflow.services import compose, crossfades, shots, soundtrack
from reelflow.services.compose import PlannedVideo, RenderPlan
from reelflow.services.soundtrack import Soundtrack
from reelflow.settings import Settings


@task(name="encode-shot", task_run_name="encode shot {number}", retries=1,
      retry_delay_seconds=2, cache_policy=NO_CACHE)
def encode_shot(settings: Settings, job_id: uuid.UUID, number: int,
                narrations: Sequence[Narration], minimums: Sequence[float | None], slide: Path,
                render: RenderSettings, encoder: EncoderSettings, fade_after: int = 0,
                clip: Path | None = None) -> Piece:
    """Encodes scene ``number``'s (from 1) shot, given the narrations of scenes 1 to
    ``number`` and its slide (or the clip it plays), into the job's scratch folder, its last
    ``fade_after`` frames left to a crossfade. Raises RenderFailed."""
    return shots.encode_scene(settings, job_id, number - 1, narrations, minimums, slide,
                              render, encoder, fade_after, clip)


@task(name="encode-crossfade", task_run_name="encode crossfade {number}", retries=1,
      retry_delay_seconds=2, cache_policy=NO_CACHE)
def encode_crossfade(settings: Settings, job_id: uuid.UUID, number: int,
                     narrations: Sequence[Narration], minimums: Sequence[float | None],
                     leaving: Path, entering: Path, render: RenderSettings,
                     encoder: EncoderSettings, leaving_clip: Path | None = None,
                     entering_clip: Path | None = None) -> Piece | None:
    """Encodes the crossfade from scene ``number`` (from 1) into the next, given the
    narrations of scenes 1 to ``number + 1``, both slides and the clips they play, if any.
    Raises RenderFailed."""
    return crossfades.encode_fade(settings, job_id, number - 1, narrations, minimums, leaving,
                                  entering, render, encoder, leaving_clip, entering_clip)


@task(name="mix-narration", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def mix_narration(settings: Settings, job_id: uuid.UUID, narrations: Sequence[Narration],
                  minimums: Sequence[float | None], render: RenderSettings,
                  music: Path | None = None, clips: Sequence[Path | None] = ()
                  ) -> Soundtrack:
    """Joins every narration over the timeline, mixes the job's music and the sound of each
    scene's clip in ``clips`` under it, encodes it once per format and writes the soft
    captions, into the job's scratch folder. Raises RenderFailed."""
    return soundtrack.mix_narration(settings, job_id, narrations, minimums, render, music,
                                    clips)


@task(name="plan-videos", retries=2, retry_delay_seconds=1)
def plan_videos(settings: Settings, job_id: uuid.UUID, title: str,
                narrations: Sequence[Narration], minimums: Sequence[float | None],
                render: RenderSettings) -> tuple[PlannedVideo, ...]:
    """Plans the job's video rows, GENERATING, at the length the narrations give."""
    return compose.plan_videos(settings, job_id, title, narrations, minimums, render)


@task(name="join-video", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def join_video(settings: Settings, job_id: uuid.UUID, title: str,
               narrations: Sequence[Narration], minimums: Sequence[float | None],
               videos: Sequence[PlannedVideo], pieces: Sequence[Piece], sound: Soundtrack,
               render: RenderSettings, encoder: EncoderSettings) -> RenderPlan:
    """Joins the shots by stream copy into each planned video with its soundtrack, then
    writes the posters and caption files (services/compose.py). Raises RenderFailed."""
    return compose.join(settings, job_id, title, narrations, minimums, videos, pieces, sound,
                        render, encoder)
