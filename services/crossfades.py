"""A crossfade between two scenes, encoded as soon as both scenes' shots could be.

The crossfade between scene n and scene n + 1 takes the last frames of scene n's shot
(engine/transitions.py), so it needs the narrations of scenes 1 to n + 1 (where scene n + 1
starts, and its burned-in captions) and both scenes' pictures: their slides, or the clips
they play; it goes to the job's scratch folder beside the shots, and the join puts it between
them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from pathlib import Path

from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.script import RenderSettings
from reelflow.engine.shots import Piece
from reelflow.engine.speech import Narration
from reelflow.engine.transitions import (
    Crossfade,
    crossfade_frames,
    encode_crossfade,
    fade_length,
    fade_paths,
)
from reelflow.errors import RenderFailed
from reelflow.services.runtime import layout
from reelflow.services.shots import on_encoder_thread, scene_shot
from reelflow.settings import Settings


def fade_frames(render: RenderSettings) -> int:
    """The frames each crossfade of the job asks for (0: its scenes cut)."""
    return crossfade_frames(render.transition, render.transition_seconds, render.fps)


def encode_fade(settings: Settings, job_id: uuid.UUID, index: int,
                narrations: Sequence[Narration], minimums: Sequence[float | None],
                leaving: Path, entering: Path, render: RenderSettings,
                encoder: EncoderSettings, leaving_clip: Path | None = None,
                entering_clip: Path | None = None) -> Piece | None:
    """Encodes the crossfade from scene ``index`` (from 0) into the next, given the
    narrations of scenes 0 to ``index + 1``, the two scenes' pictures (a slide, or for a
    scene that plays a clip, any path: the clip is shown) and the clips they play (None:
    none), into the job's scratch folder; returns the piece, or None when the scene is one
    frame long and has none to give. A leaving clip plays on through the crossfade; an
    entering one is blended in from its first frame. Raises RenderFailed."""
    if len(narrations) != index + 2:
        raise RenderFailed(f"the crossfade after scene {index + 1} needs the narrations of "
                           f"scenes 1 to {index + 2}, got {len(narrations)}")
    before = scene_shot(index, narrations, minimums, leaving, render, leaving_clip)
    after = scene_shot(index + 1, narrations, minimums, entering, render, entering_clip)
    frames = fade_length(before.frames, fade_frames(render))
    if frames < 1:
        return None
    folder = layout(settings).shots(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    return on_encoder_thread(encode_crossfade, Crossfade(before, after, frames),
                             fade_paths(folder, index, render.formats), encoder,
                             render.caption_position)
