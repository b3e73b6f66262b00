"""Media generation as tasks: per scene its narration (spoken, or recorded by the user), its
slide and its clip; the script's music; and the job's use of library assets."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from prefect import task

from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.speech import Narration
from reelflow.errors import VoiceUnavailable
from reelflow.services import footage, media
from reelflow.services.intake import MusicFile, SceneFootage, SceneImage
from reelflow.settings import Settings


def _worth_retrying(task: Any, run: Any, state: Any) -> bool:
    # A missing voice (no voice speaks the language offline, and the network is out of reach)
    # stays missing: the run fails at once and says which voice, instead of waiting to retry.
    return not isinstance(getattr(state, "data", None), VoiceUnavailable)


@task(name="narrate-scene", task_run_name="narrate scene {number}", retries=2,
      retry_delay_seconds=2, retry_condition_fn=_worth_retrying)
def narrate_scene(settings: Settings, job_id: uuid.UUID, number: int, scene: Scene,
                  render: RenderSettings, sound: SceneFootage | None = None) -> Narration:
    """Narrates scene ``number`` (from 1), or takes its recorded narration ``sound``, and
    records its AUDIO asset. Raises SpeechFailed (RenderFailed for a recording)."""
    if sound is not None:
        return footage.recorded_narration(settings, job_id, number - 1, scene, sound)
    return media.narrate(settings, job_id, number - 1, scene, render)


@task(name="draw-slide", task_run_name="draw slide {number}", retries=1)
def draw_slide(settings: Settings, job_id: uuid.UUID, number: int, count: int, title: str,
               scene: Scene, render: RenderSettings, image: SceneImage | None) -> Path:
    """Draws scene ``number``'s (from 1) slide over its checked picture, if any, and records
    it. Raises RenderFailed."""
    return media.draw(settings, job_id, number - 1, count, title, scene, render, image)


@task(name="place-clip", task_run_name="place clip {number}", retries=1)
def place_clip(settings: Settings, job_id: uuid.UUID, number: int, clip: SceneFootage | None,
               ) -> Path | None:
    """Returns the file scene ``number`` (from 1) plays (None: it has no clip): a library clip
    where it is, else the job's recorded copy. Raises RenderFailed."""
    return None if clip is None else footage.place_clip(settings, job_id, number - 1, clip)


@task(name="link-library", retries=1)
def link_library(settings: Settings, job_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]) -> int:
    """Records that the job's videos use these library assets; returns the links added."""
    return footage.link_library(settings, job_id, asset_ids)


@task(name="bring-music", task_run_name="bring the music", retries=1)
def bring_music(settings: Settings, job_id: uuid.UUID, music: MusicFile) -> Path:
    """Copies the script's checked music into the job and records it as an AUDIO asset.
    Raises RenderFailed."""
    return media.bring_music(settings, job_id, music)
