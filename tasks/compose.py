"""Composition as a task: the whole video rendered once, to its final path."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from prefect import task

from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.speech import Narration
from reelflow.services.compose import RenderPlan, compose
from reelflow.settings import Settings


@task(name="compose-video", retries=1, retry_delay_seconds=2)
def compose_video(settings: Settings, job_id: uuid.UUID, title: str, scenes: Sequence[Scene],
                  narrations: Sequence[Narration], slides: Sequence[Path],
                  render: RenderSettings) -> RenderPlan:
    """Times every scene from its narration and renders the video. Raises RenderFailed."""
    return compose(settings, job_id, title, scenes, narrations, slides, render)
