"""Composition as a task: the whole video rendered once, to its final path."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from pathlib import Path

from prefect import task
from prefect.cache_policies import NO_CACHE

from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.speech import Narration
from reelflow.services.compose import RenderPlan, compose
from reelflow.settings import Settings


# No cache: a render is never reused from another run, and on_scene_done cannot be hashed.
@task(name="compose-video", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def compose_video(settings: Settings, job_id: uuid.UUID, title: str, scenes: Sequence[Scene],
                  narrations: Sequence[Narration], slides: Sequence[Path],
                  render: RenderSettings,
                  on_scene_done: Callable[[int, int], None] | None = None,
                  clips: Sequence[Path | None] | None = None) -> RenderPlan:
    """Times every scene from its narration and renders the video (a scene with a clip plays
    it), calling ``on_scene_done(done, total)`` as scenes finish. Raises RenderFailed."""
    return compose(settings, job_id, title, scenes, narrations, slides, render, on_scene_done,
                   clips)
