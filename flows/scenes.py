"""A job's per-scene work as tasks, pipelined: each scene's shot starts as soon as its inputs
exist, while later scenes are still being spoken.

Every task is submitted at once, with the futures it needs as arguments, so the task runner
starts it when they are done: shot n waits for the narrations of scenes 1 to n (its frames
come from them) and its slide; nothing waits for all the shots but the join. As narrations
finish, the flow's own process hands them to the soundtrack's encoders
(services/soundtrack.py). Tasks are submitted scene by scene (narration, slide, shot), so a
runner that queues work in the order it was given, like a Dask cluster with fewer workers
than tasks, encodes an early shot before it speaks a late scene.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from prefect.futures import PrefectFuture, as_completed, wait

from reelflow.engine.encoder import EncoderSettings
from reelflow.engine.script import RenderSettings, Scene
from reelflow.engine.shots import Piece
from reelflow.engine.speech import Narration
from reelflow.services.intake import SceneImage
from reelflow.services.soundtrack import SoundtrackWriter
from reelflow.settings import Settings
from reelflow.tasks.compose import encode_shot
from reelflow.tasks.jobs import Progress
from reelflow.tasks.media import draw_slide, narrate_scene


@dataclass(frozen=True)
class SceneRuns:
    """The futures of a job's per-scene tasks, each list in scene order."""

    narrations: list[PrefectFuture[Narration]]
    slides: list[PrefectFuture[Path]]
    shots: list[PrefectFuture[Piece]]
    others: tuple[PrefectFuture[Any], ...] = ()  # the job's own steps submitted meanwhile

    def all(self) -> list[PrefectFuture[Any]]:
        return [*self.narrations, *self.slides, *self.shots, *self.others]

    def with_job_step(self, future: PrefectFuture[Any]) -> SceneRuns:
        """These runs and ``future``, which ``settle`` waits for too."""
        return replace(self, others=(*self.others, future))

    def settle(self) -> None:
        """Waits until every task has ended (a failed one's dependents end at once), so that
        nothing writes into the job's folders after a failure has cleaned them."""
        wait(self.all())


def submit_scenes(settings: Settings, job_id: uuid.UUID, title: str, scenes: Sequence[Scene],
                  images: Sequence[SceneImage | None], render: RenderSettings,
                  encoder: EncoderSettings) -> SceneRuns:
    """Submits every scene's narration, slide and shot; returns their futures at once. The
    tasks get the settings without the web server's tokens."""
    count = len(scenes)
    minimums = [scene.duration for scene in scenes]
    settings = settings.without_tokens()
    narrations: list[PrefectFuture[Narration]] = []
    slides: list[PrefectFuture[Path]] = []
    shots: list[PrefectFuture[Piece]] = []
    for number, (scene, image) in enumerate(zip(scenes, images, strict=True), start=1):
        narrations.append(narrate_scene.submit(settings, job_id, number, scene, render))
        slides.append(draw_slide.submit(settings, job_id, number, count, title, scene, render,
                                        image))
        # Futures as arguments: Prefect passes their results (typed as the results, hence Any).
        shots.append(encode_shot.submit(settings, job_id, number,
                                        cast(Any, narrations[:number]), minimums[:number],
                                        cast(Any, slides[-1]), render, encoder))
    return SceneRuns(narrations, slides, shots)


class SceneProgress:
    """Follows the per-scene tasks in the order they finish, hands each narration to the
    soundtrack as it comes, and reports the job's progress from 5 to 85 percent: half for the
    scenes narrated, half for the shots encoded."""

    def __init__(self, runs: SceneRuns, progress: Progress, soundtrack: SoundtrackWriter
                 ) -> None:
        self._runs = runs
        self._progress = progress
        self._soundtrack = soundtrack
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
        return ([future.result() for future in self._runs.narrations],
                [future.result() for future in self._runs.slides])

    def shots(self) -> list[Piece]:
        """Waits until every shot exists; returns them in scene order. Raises the first
        failure."""
        self._until(self._runs.shots)
        return [future.result() for future in self._runs.shots]

    def _until(self, futures: Sequence[PrefectFuture[Any]]) -> None:
        wanted = {future.task_run_id for future in futures} - self._done
        while wanted:
            future = next(self._finished)
            result = future.result()  # raises the task's error: the job fails at its first
            self._done.add(future.task_run_id)
            wanted.discard(future.task_run_id)
            if future.task_run_id in self._narrations:
                self._soundtrack.narrated(self._narrations[future.task_run_id], result)
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
