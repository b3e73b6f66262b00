"""A job's sound: every narration joined sample-exactly over the whole timeline, the music
mixed under it, encoded once per format, and its soft captions as one SubRip file; ready
before the last shot is.

Encoding the sound once for the whole video, never per scene, keeps it in sync at every cut
(see engine/join.py). It needs every narration and no picture, so it runs beside the last
shots' encodes.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reelflow.engine.audio import NARRATION_RATE, join_padded
from reelflow.engine.captions import write_srt
from reelflow.engine.clip_sound import mix_under
from reelflow.engine.join import encode_sounds
from reelflow.engine.music import mix_music, speech_spans
from reelflow.engine.script import RenderSettings
from reelflow.engine.speech import Narration
from reelflow.engine.timeline import total_seconds
from reelflow.services.runtime import layout
from reelflow.services.shots import cues, timeline
from reelflow.settings import Settings
from reelflow.vocabulary import VideoFormat


@dataclass(frozen=True)
class Soundtrack:
    """The encoded sound of each format (None: the video is silent), the soft captions
    (None: none) and how long making them took."""

    sounds: dict[VideoFormat, Path] | None
    subtitles: Path | None
    seconds: float


def mix_narration(settings: Settings, job_id: uuid.UUID, narrations: Sequence[Narration],
                  minimums: Sequence[float | None], render: RenderSettings,
                  music: Path | None = None, clips: Sequence[Path | None] = ()
                  ) -> Soundtrack:
    """Writes the job's soundtrack into its scratch folder: the narration, the sound of each
    scene's clip in ``clips`` (None: none) mixed under it, and the job's copy of its
    ``music`` mixed under both (engine/music.py). Raises RenderFailed."""
    started = time.perf_counter()
    work = layout(settings).join_work(job_id)
    work.mkdir(parents=True, exist_ok=True)
    slots = timeline(narrations, minimums, render)
    audio = None
    if render.include_audio:
        audio = work / "narration.wav"
        join_padded([(n.path, slot.samples(NARRATION_RATE))
                     for n, slot in zip(narrations, slots, strict=True)], audio)
        mix_under(audio, [(clip, round(slot.start * NARRATION_RATE), slot.samples(NARRATION_RATE))
                          for clip, slot in zip(clips, slots, strict=False) if clip is not None],
                  work)
    if music is not None:
        mixed = work / "mix.wav"
        mix_music(audio, music, speech_spans(slots, [n.duration for n in narrations]),
                  total_seconds(slots), render.music_volume, mixed)
        audio = mixed
    sounds = encode_sounds(audio, work, render.formats) if audio is not None else None
    subtitles = work / "captions.srt" if render.captions == "soft" else None
    if subtitles is not None:
        write_srt(cues(narrations, slots), subtitles)
    return Soundtrack(sounds, subtitles, time.perf_counter() - started)
