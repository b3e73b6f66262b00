"""A job's sound: every narration joined sample-exactly over the whole timeline, the music
mixed under it, encoded once per format, and its soft captions as one SubRip file; ready
before the last shot is.

Encoding the sound once for the whole video, never per scene, keeps it in sync at every cut
(see engine/join.py). With music or a clip's sound to mix, the mix needs the whole narration
(``mix_narration``, a task beside the last shots' encodes). Without, the narration alone is
encoded while it is still being spoken (``SoundtrackWriter``): scene n's samples are known once
the narrations of scenes 1 to n are (its slot comes from them, engine/timeline.py), so each
scene is handed to one encoder per format that runs for the whole video (engine/sound.py) as
soon as it and every scene before it are narrated, and when the last narration ends only its
own samples remain to encode. The writer runs in the flow's process and reads the narrations
from the media root, wherever they were spoken.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reelflow.engine.audio import NARRATION_RATE, join_padded, padded_samples
from reelflow.engine.captions import write_srt
from reelflow.engine.clip_sound import mix_under
from reelflow.engine.join import encode_sounds
from reelflow.engine.music import mix_music, speech_spans
from reelflow.engine.script import RenderSettings
from reelflow.engine.sound import SoundEncoder
from reelflow.engine.speech import Narration
from reelflow.engine.timeline import SceneSlot, total_seconds
from reelflow.errors import RenderFailed
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
    return Soundtrack(sounds, _soft_captions(work, narrations, slots, render),
                      time.perf_counter() - started)


def _soft_captions(work: Path, narrations: Sequence[Narration], slots: Sequence[SceneSlot],
                   render: RenderSettings) -> Path | None:
    """Writes the job's soft captions (one SubRip file) when it wants them; returns it."""
    if render.captions != "soft":
        return None
    write_srt(cues(narrations, slots), work / "captions.srt")
    return work / "captions.srt"


class SoundtrackWriter:
    """Takes the job's narrations as they come, in any order, and encodes them in scene order
    into its scratch folder; ``finish`` returns the soundtrack once all are in. Start it in the
    thread that stays until the job ends (the flow's). Raises RenderFailed."""

    def __init__(self, settings: Settings, job_id: uuid.UUID,
                 minimums: Sequence[float | None], render: RenderSettings) -> None:
        self._minimums = list(minimums)
        self._render = render
        self._work = layout(settings).join_work(job_id)
        self._work.mkdir(parents=True, exist_ok=True)
        self._narrations: list[Narration | None] = [None] * len(minimums)
        self._fed = 0
        self._seconds = 0.0
        self._encoders: dict[VideoFormat, SoundEncoder] = {}
        if render.include_audio:
            try:
                for fmt in render.formats:
                    self._encoders[fmt] = SoundEncoder(self._work / f"sound-{fmt}.{fmt}", fmt)
            except BaseException:
                self.abandon()
                raise

    def narrated(self, index: int, narration: Narration) -> None:
        """Takes scene ``index``'s (from 0) narration and encodes every scene whose narration
        and predecessors' are now all in."""
        self._narrations[index] = narration
        started = time.perf_counter()
        while self._fed < len(self._narrations) and self._narrations[self._fed] is not None:
            known = self._known(self._fed + 1)
            slot = timeline(known, self._minimums, self._render)[self._fed]
            if self._encoders:
                for chunk in padded_samples(known[-1].path, slot.samples(NARRATION_RATE)):
                    for encoder in self._encoders.values():
                        encoder.write(chunk)
            self._fed += 1
        self._seconds += time.perf_counter() - started

    def finish(self) -> Soundtrack:
        """Finishes the encodes and writes the soft captions; returns the soundtrack. Raises
        RenderFailed unless every narration was taken."""
        if self._fed != len(self._narrations):
            raise RenderFailed(f"the soundtrack has {self._fed} of {len(self._narrations)} "
                               "scenes")
        started = time.perf_counter()
        sounds = {fmt: encoder.close() for fmt, encoder in self._encoders.items()} or None
        self._encoders = {}
        narrations = self._known(len(self._narrations))
        subtitles = _soft_captions(self._work, narrations,
                                   timeline(narrations, self._minimums, self._render),
                                   self._render)
        return Soundtrack(sounds, subtitles, self._seconds + time.perf_counter() - started)

    def abandon(self) -> None:
        """Stops the encoders (the job failed); their files go with the scratch folder."""
        for encoder in self._encoders.values():
            encoder.abandon()
        self._encoders = {}

    def _known(self, count: int) -> list[Narration]:
        known = [n for n in self._narrations[:count] if n is not None]
        assert len(known) == count
        return known
