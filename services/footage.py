"""The user's own footage in a job: a scene's video clip, and recorded narration.

A clip or recording named by a path is the job's own copy: copied (a clip) or converted to the
narration WAV (a recording) into the job's folders and recorded as the job's asset, so the
render reads a file that cannot change under it and storage counts it. One from the library
(``stock:``/``asset:``) is used in place and never copied: ``link_library`` records that the
job's videos use it (the ``video_assets`` join table), which keeps it from retention.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path

from reelflow.db.states import AssetType, SourceType
from reelflow.engine.audio import NARRATION_RATE, to_narration_wav, wav_seconds
from reelflow.engine.script import Scene
from reelflow.engine.speech import Narration
from reelflow.engine.speech.base import Sentence, split_sentences, spread_by_length
from reelflow.errors import RenderFailed
from reelflow.files import atomic_output, open_regular
from reelflow.services.intake import SceneFootage
from reelflow.services.media import record_file
from reelflow.services.runtime import database, layout
from reelflow.settings import Settings

RECORDED = "recorded"  # the "engine" of a narration the user recorded


def place_clip(settings: Settings, job_id: uuid.UUID, index: int, clip: SceneFootage) -> Path:
    """Returns the file scene ``index`` plays: a library clip where it is, else the job's
    copy, recorded as its VIDEO_CLIP asset (resolution, fps and codec in the metadata).
    Raises RenderFailed when the clip changed since it was checked or cannot be copied."""
    if clip.asset_id is not None:
        return Path(clip.path)
    _unchanged(clip, index, "clip")
    media = layout(settings)
    copy = media.scene_clip(job_id, index, clip.extension)
    copy.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open_regular(Path(clip.path)) as source, atomic_output(copy) as temp, \
                open(temp, "wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
    except OSError as exc:
        raise RenderFailed(f"scene {index + 1}: clip {clip.written!r} cannot be copied: "
                           f"{exc.strerror or exc}") from exc
    record_file(settings, job_id, copy, AssetType.VIDEO_CLIP, SourceType.USER_UPLOADED,
                clip.duration, {**clip.metadata, "scene": index + 1, "source": clip.written})
    return copy


def recorded_narration(settings: Settings, job_id: uuid.UUID, index: int, scene: Scene,
                       sound: SceneFootage) -> Narration:
    """Turns scene ``index``'s recorded narration into the job's narration WAV (the scene
    then lasts as long as the recording) and records it as an AUDIO asset, USER_UPLOADED.
    The narration text is the transcript: its sentences are spread over the recording by
    length, for the captions. Raises RenderFailed."""
    _unchanged(sound, index, "audio")
    media = layout(settings)
    target = media.narration(job_id, index)
    target.parent.mkdir(parents=True, exist_ok=True)
    to_narration_wav(Path(sound.path), target)
    duration = wav_seconds(target)
    if duration <= 0:
        raise RenderFailed(f"scene {index + 1}: audio {sound.written!r} holds no sound")
    start, sentences = 0.0, []
    for text, seconds in spread_by_length(split_sentences(scene.narration), duration):
        sentences.append(Sentence(text, start, start + seconds))
        start += seconds
    narration = Narration(target, duration, NARRATION_RATE, RECORDED, "", tuple(sentences))
    record_file(settings, job_id, target, AssetType.AUDIO, SourceType.USER_UPLOADED, duration,
                {**narration.metadata(), "scene": index + 1, "source": sound.written,
                 "original": sound.metadata,
                 **({"library_asset": str(sound.asset_id)} if sound.asset_id else {})})
    return narration


def link_library(settings: Settings, job_id: uuid.UUID, asset_ids: Sequence[uuid.UUID]) -> int:
    """Records that every video of the job uses each of the library assets; returns the
    number of links added (0 on a rerun)."""
    if not asset_ids:
        return 0
    with database(settings).unit_of_work() as uow:
        videos = [video.id for video in uow.videos.for_job(job_id)]
        added = uow.library.link(list(asset_ids), videos)
        uow.commit()
    return added


def _unchanged(item: SceneFootage, index: int, noun: str) -> None:
    # Why: the file was judged by its real path at validation; if a link appeared on the way
    # since, this is no longer that file.
    if os.path.realpath(item.path) != item.path:
        raise RenderFailed(f"scene {index + 1}: {noun} {item.written!r} changed since it was "
                           "checked")
