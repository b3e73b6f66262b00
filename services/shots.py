"""A scene's shot, encoded as soon as its narration and slide exist.

A shot's frame count comes from the timeline (engine/timeline.py), whose cuts are placed from
the cumulative time of every scene before: scene n's frames depend on the narrations of scenes
1 to n and on nothing after, so shot n can be encoded while later scenes are still being
spoken, with exactly the frames the whole timeline gives it. Its burned-in captions depend on
the same narrations. The pieces go to the job's scratch folder on the media root, so any
process that sees the media root can encode a shot and any other can join them.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from reelflow.engine.burned_captions import spans_for
from reelflow.engine.captions import Cue, cues_for
from reelflow.engine.compose import default_workers, encoder_settings
from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.script import RenderSettings
from reelflow.engine.shots import Piece, Shot, encode_piece, piece_paths
from reelflow.engine.speech import Narration
from reelflow.engine.timeline import SceneSlot, plan_timeline
from reelflow.engine.transitions import fade_length, shortened
from reelflow.errors import RenderFailed
from reelflow.services.runtime import layout
from reelflow.settings import Settings

T = TypeVar("T")

# Why a few long-lived threads per process: shots become ready as narrations finish, a few at
# a time, but all at once when every narration comes from the cache, and encoding more shots
# than CPUs at once only adds memory (each holds its pictures and encoder). And each task runs
# in a thread of its own: encoding there would spread the encoders' large, short-lived buffers
# over as many malloc arenas, which keep them (measured: about 120 MB more peak for eight
# 1080p shots).
_ENCODERS = ThreadPoolExecutor(max_workers=default_workers(), thread_name_prefix="encode")


def on_encoder_thread(encode: Callable[..., T], *args: Any) -> T:
    """Runs ``encode(*args)`` on one of the process's encoder threads and returns its result
    (its error is raised here)."""
    return _ENCODERS.submit(encode, *args).result()


def timeline(narrations: Sequence[Narration], minimums: Sequence[float | None],
             render: RenderSettings) -> tuple[SceneSlot, ...]:
    """The slots of the scenes whose narrations are given (the first ones of the script):
    each its measured narration plus the pause, or its minimum when longer."""
    return plan_timeline([n.duration for n in narrations], fps=render.fps,
                         pause_seconds=render.pause_seconds,
                         minimum_seconds=list(minimums[:len(narrations)]))


def cues(narrations: Sequence[Narration], slots: Sequence[SceneSlot]) -> list[Cue]:
    """One caption cue per spoken sentence, timed from the video's start."""
    return cues_for([(slot.start, n.sentences)
                     for n, slot in zip(narrations, slots, strict=True)])


def encoder_for(render: RenderSettings, scenes: int) -> EncoderSettings:
    """The encoder settings every shot and the join of a job share."""
    return encoder_settings((render.width, render.height), render.fps, render.quality, scenes)


def scene_shot(index: int, narrations: Sequence[Narration], minimums: Sequence[float | None],
               slide: Path, render: RenderSettings, clip: Path | None = None) -> Shot:
    """Scene ``index``'s (from 0) whole shot, given the narrations of scenes 0 to ``index``
    (or more) and its slide (or the ``clip`` it plays): its frames and burned-in captions
    from the timeline."""
    slots = timeline(narrations, minimums, render)
    slot = slots[index]
    spans = spans_for(cues(narrations, slots), slot.start_frame, slot.frames, render.fps) \
        if render.captions == "burned" else ()
    return Shot(slide, slot.frames, spans, render.motion, render.language, clip=clip)


def encode_scene(settings: Settings, job_id: uuid.UUID, index: int,
                 narrations: Sequence[Narration], minimums: Sequence[float | None],
                 slide: Path, render: RenderSettings, encoder: EncoderSettings,
                 fade_after: int = 0, clip: Path | None = None) -> Piece:
    """Encodes scene ``index``'s (from 0) shot into the job's scratch folder, given the
    narrations of scenes 0 to ``index`` and its slide (or the ``clip`` it plays), leaving its
    last frames to a crossfade of ``fade_after`` frames into the next (engine/transitions.py);
    returns the piece. Rerunning writes the same files again. Raises RenderFailed."""
    if len(narrations) != index + 1:
        raise RenderFailed(f"scene {index + 1}: its shot needs the narrations of scenes 1 to "
                           f"{index + 1}, got {len(narrations)}")
    whole = scene_shot(index, narrations, minimums, slide, render, clip)
    shot = shortened(whole, fade_length(whole.frames, fade_after))
    folder = layout(settings).shots(job_id)
    folder.mkdir(parents=True, exist_ok=True)
    return on_encoder_thread(encode_piece, shot, piece_paths(folder, index, shot,
                                                             render.formats),
                             encoder, render.caption_position)
