"""A job's per-scene work as tasks, pipelined: each scene's shot starts as soon as its inputs
exist, while later scenes are still being spoken.

Every task is submitted at once, with the futures it needs as arguments, so the task runner
starts it when they are done: shot n waits for the narrations of scenes 1 to n (its frames
come from them) and its picture: its slide, or for a scene that plays a clip, the clip placed
(no slide is drawn for it); the crossfade after shot n waits for what shot n + 1 does and for
the picture of scene n; with music or a clip's sound to mix, the soundtrack waits for every
narration (and the clips whose sound it mixes); without, the flow's own process encodes each
narration as it comes (services/soundtrack.py). Nothing waits for all the shots but the join.
They are submitted scene by scene (narration, picture, shot), so a runner that queues work in
the order it was given, like a Dask cluster with fewer workers than tasks, encodes an early
shot before it speaks a late scene.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from prefect.futures import PrefectFuture, as_completed, wait

from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.shots import Piece
from reelflow.engine.speech import Narration
from reelflow.services.crossfades import fade_frames
from reelflow.services.intake import SceneFootage, SceneImage
from reelflow.services.soundtrack import Soundtrack, SoundtrackWriter
from reelflow.settings import Settings
from reelflow.tasks.compose import encode_crossfade, encode_shot, mix_narration
from reelflow.tasks.jobs import Progress
from reelflow.tasks.media import draw_slide, narrate_scene, place_clip


@dataclass(frozen=True)
class SceneRuns:
    """The futures of a job's per-scene tasks, each list in scene order."""

    narrations: list[PrefectFuture[Narration]]
    slides: list[PrefectFuture[Path]]  # a clip scene's: its placed clip (it has no slide)
    shots: list[PrefectFuture[Piece]]
    sound: PrefectFuture[Soundtrack] | None  # None: the flow encodes the narration itself
    fades: list[PrefectFuture[Piece | None]] = field(default_factory=list)

    def all(self) -> list[PrefectFuture[Any]]:
        return [*self.narrations, *self.slides, *self.shots, *self.fades,
                *([self.sound] if self.sound is not None else [])]

    def settle(self) -> None:
        """Waits until every task has ended (a failed one's dependents end at once), so that
        nothing writes into the job's folders after a failure has cleaned them."""
        wait(self.all())


def submit_scenes(settings: Settings, job_id: uuid.UUID, title: str, scenes: Sequence[Scene],
                  images: Sequence[SceneImage | None], render: RenderSettings,
                  encoder: EncoderSettings, music: PrefectFuture[Path] | None = None, *,
                  sounds: Sequence[SceneFootage | None] = (),
                  clips: Sequence[SceneFootage | None] = ()) -> SceneRuns:
    """Submits every scene's narration (spoken, or its recording in ``sounds``), slide or
    clip (``clips``: a scene that plays a clip shows it instead of a slide, so none is drawn)
    and shot, each crossfade between two scenes (when they crossfade; a clip plays on through
    its own and is blended into or out of its neighbour's picture) and the soundtrack, with
    the job's ``music`` and the clips' mixed sound under it; returns their futures at once.
    The tasks get the settings without the web server's tokens."""
    count = len(scenes)
    minimums = [scene.duration for scene in scenes]
    settings = settings.without_tokens()
    narrations: list[PrefectFuture[Narration]] = []
    slides: list[PrefectFuture[Path]] = []
    shots: list[PrefectFuture[Piece]] = []
    fades: list[PrefectFuture[Piece | None]] = []
    mixed: list[Any] = []  # per scene: its placed clip when its sound is mixed in, else None
    placed_clips: list[Any] = []  # per scene: its placed clip, else None
    fade = fade_frames(render)
    for number, (scene, image) in enumerate(zip(scenes, images, strict=True), start=1):
        recording = sounds[number - 1] if sounds else None
        clip = clips[number - 1] if clips else None
        narrations.append(narrate_scene.submit(settings, job_id, number, scene, render,
                                               recording))
        placed = place_clip.submit(settings, job_id, number, clip) if clip else None
        # A clip scene's picture is its clip: a slide drawn for it would never be seen.
        slides.append(cast(Any, placed) if placed else draw_slide.submit(
            settings, job_id, number, count, title, scene, render, image))
        placed_clips.append(placed)
        mixed.append(placed if placed and scene.clip_audio_in(render) == "mix" else None)
        # Futures as arguments: Prefect passes their results (typed as the results, hence Any).
        shots.append(encode_shot.submit(settings, job_id, number,
                                        cast(Any, narrations[:number]), minimums[:number],
                                        cast(Any, slides[-1]), render, encoder,
                                        fade if number < count else 0, cast(Any, placed)))
        if fade and number > 1:
            fades.append(encode_crossfade.submit(
                settings, job_id, number - 1, cast(Any, narrations[:number]),
                minimums[:number], cast(Any, slides[-2]), cast(Any, slides[-1]), render,
                encoder, placed_clips[-2], placed_clips[-1]))
    sound = mix_narration.submit(settings, job_id, cast(Any, narrations), minimums, render,
                                 cast(Any, music), mixed) \
        if music is not None or any(placed is not None for placed in mixed) else None
    return SceneRuns(narrations, slides, shots, sound, fades)


class SceneProgress:
    """Follows the per-scene tasks in the order they finish, hands each narration to the
    ``soundtrack`` writer as it comes (when the flow encodes the narration itself), and reports
    the job's progress from 5 to 85 percent: half for the scenes narrated, half for the shots
    encoded."""

    def __init__(self, runs: SceneRuns, progress: Progress,
                 soundtrack: SoundtrackWriter | None = None) -> None:
        self._runs = runs
        self._progress = progress
        self._writer = soundtrack
        self._soundtrack: Soundtrack | None = None
        self._finished: Iterator[PrefectFuture[Any]] = as_completed(runs.all())
        self._done: set[uuid.UUID] = set()
        self._narrated = self._encoded = 0
        self._narrations = {future.task_run_id: index
                            for index, future in enumerate(runs.narrations)}
        self._shots = {future.task_run_id for future in runs.shots}
        self.shots_before_media = 0  # shots encoded while media were still being made

    def media(self) -> tuple[list[Narration], list[Path]]:
        """Waits until every narration and slide exists; returns them in scene order. Raises
        the first failure of any task that finished meanwhile."""
        self._until([*self._runs.narrations, *self._runs.slides])
        self.shots_before_media = self._encoded
        if self._writer is not None:
            self._soundtrack = self._writer.finish()
        return ([future.result() for future in self._runs.narrations],
                [future.result() for future in self._runs.slides])

    def shots(self) -> tuple[list[Piece], Soundtrack]:
        """Waits until every shot, crossfade and the soundtrack exist; returns the pieces in
        the order they are joined (each shot, then its crossfade into the next) and the
        soundtrack. Raises the first failure."""
        sound = self._runs.sound
        self._until([*self._runs.shots, *self._runs.fades, *([sound] if sound else [])])
        fades = [future.result() for future in self._runs.fades]
        pieces: list[Piece] = []
        for number, shot in enumerate(self._runs.shots):
            pieces.append(shot.result())
            fade = fades[number] if number < len(fades) else None
            if fade is not None:
                pieces.append(fade)
        if sound is not None:
            return pieces, sound.result()
        if self._soundtrack is None:
            raise RuntimeError("the narration's soundtrack is made by media() first")
        return pieces, self._soundtrack

    def _until(self, futures: Sequence[PrefectFuture[Any]]) -> None:
        wanted = {future.task_run_id for future in futures} - self._done
        while wanted:
            future = next(self._finished)
            result = future.result()  # raises the task's error: the job fails at its first
            self._done.add(future.task_run_id)
            wanted.discard(future.task_run_id)
            if future.task_run_id in self._narrations:
                if self._writer is not None:
                    self._writer.narrated(self._narrations[future.task_run_id], result)
                self._narrated += 1
            elif future.task_run_id in self._shots:
                self._encoded += 1
            else:
                continue
            total = len(self._narrations)
            self._progress.report(
                5 + 80 * (self._narrated + self._encoded) / (2 * max(total, 1)),
                f"narrated {self._narrated} of {total} scenes, encoded {self._encoded} of "
                f"{total} shots")
