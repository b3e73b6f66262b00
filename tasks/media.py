"""Media generation as tasks: one per scene's narration, one per scene's slide, and the
script's music."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from prefect import task

from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.speech import Narration
from reelflow.errors import VoiceUnavailable
from reelflow.services import media
from reelflow.services.intake import MusicFile, SceneImage
from reelflow.settings import Settings


def _worth_retrying(task: Any, run: Any, state: Any) -> bool:
    # A missing voice (no voice speaks the language offline, and the network is out of reach)
    # stays missing: the run fails at once and says which voice, instead of waiting to retry.
    return not isinstance(getattr(state, "data", None), VoiceUnavailable)


@task(name="narrate-scene", task_run_name="narrate scene {number}", retries=2,
      retry_delay_seconds=2, retry_condition_fn=_worth_retrying)
def narrate_scene(settings: Settings, job_id: uuid.UUID, number: int, scene: Scene,
                  render: RenderSettings) -> Narration:
    """Narrates scene ``number`` (from 1) and records its AUDIO asset. Raises SpeechFailed."""
    return media.narrate(settings, job_id, number - 1, scene, render)


@task(name="draw-slide", task_run_name="draw slide {number}", retries=1)
def draw_slide(settings: Settings, job_id: uuid.UUID, number: int, count: int, title: str,
               scene: Scene, render: RenderSettings, image: SceneImage | None) -> Path:
    """Draws scene ``number``'s (from 1) slide over its checked picture, if any, and records
    it. Raises RenderFailed."""
    return media.draw(settings, job_id, number - 1, count, title, scene, render, image)


@task(name="bring-music", task_run_name="bring the music", retries=1)
def bring_music(settings: Settings, job_id: uuid.UUID, music: MusicFile) -> Path:
    """Copies the script's checked music into the job and records it as an AUDIO asset.
    Raises RenderFailed."""
    return media.bring_music(settings, job_id, music)
